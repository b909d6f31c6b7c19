"""``IdentityApi`` and the models, checked against the package's OpenAPI document.

The document (``katanemo_identity/openapi.json``) is the contract: every
operation must have its three methods with the path parameters in the
document's order and the body parameter, and every schema field must have
its attribute, alias, type and required-ness on the model of the same name.
"""

from __future__ import annotations

import inspect
import json
import re
from importlib.resources import files
from typing import Any

import pytest

from katanemo_identity import IdentityApi, models
from katanemo_identity.api._operations import OPERATIONS

DOCUMENT: dict[str, Any] = json.loads(
    files("katanemo_identity").joinpath("openapi.json").read_text(encoding="utf-8")
)
METHODS = ("get", "put", "post", "delete", "patch")


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = DOCUMENT
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations() -> list[tuple[str, str, str, dict[str, Any], list[dict[str, Any]]]]:
    found = []
    for path, item in DOCUMENT["paths"].items():
        for method in METHODS:
            if method in item:
                operation = item[method]
                parameters = [
                    resolve(parameter)
                    for parameter in item.get("parameters", []) + operation.get("parameters", [])
                ]
                found.append((operation["operationId"], method, path, operation, parameters))
    return found


OPERATIONS_IN_DOCUMENT = operations()
SCHEMAS: dict[str, dict[str, Any]] = DOCUMENT["components"]["schemas"]


def python_type(schema: dict[str, Any]) -> Any:
    schema = resolve(schema)
    kind = schema.get("type")
    if kind == "string":
        return str
    if kind == "boolean":
        return bool
    if kind == "integer":
        return int
    if kind == "array":
        return list[python_type(schema["items"])]  # type: ignore[misc]
    if kind == "object" and "additionalProperties" in schema:
        return dict[str, python_type(schema["additionalProperties"])]  # type: ignore[misc]
    if "$ref" not in schema and "properties" in schema:
        raise AssertionError(f"inline object schemas are not expected: {schema}")
    raise AssertionError(f"no Python type for {schema}")


def response_annotation(operation: dict[str, Any]) -> str:
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        return str(schema["$ref"].rsplit("/", 1)[1])
    if schema["type"] == "array":
        return f"list[{schema['items']['$ref'].rsplit('/', 1)[1]}]"
    return {"string": "str"}[schema["type"]]


def test_the_document_has_the_eight_operations() -> None:
    assert sorted(snake_case(entry[0]) for entry in OPERATIONS_IN_DOCUMENT) == sorted(OPERATIONS)
    assert len(OPERATIONS) == 8


@pytest.mark.parametrize(
    ("operation_id", "method", "path", "operation", "parameters"),
    OPERATIONS_IN_DOCUMENT,
    ids=[entry[0] for entry in OPERATIONS_IN_DOCUMENT],
)
def test_operation_has_its_three_methods_with_the_documented_parameters(
    operation_id: str,
    method: str,
    path: str,
    operation: dict[str, Any],
    parameters: list[dict[str, Any]],
) -> None:
    name = snake_case(operation_id)
    path_names = [
        snake_case(parameter["name"]) for parameter in parameters if parameter["in"] == "path"
    ]
    annotations = dict.fromkeys(path_names, "str")
    body = operation.get("requestBody")
    if body is not None:
        body_schema = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        annotations[snake_case(body_schema)] = body_schema

    for suffix in ("", "_with_http_info", "_without_preload_content"):
        signature = inspect.signature(getattr(IdentityApi, name + suffix))
        positional = [
            parameter
            for parameter in signature.parameters.values()
            if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ][1:]
        assert [parameter.name for parameter in positional] == list(annotations), name + suffix
        assert {parameter.name: parameter.annotation for parameter in positional} == annotations
        assert list(signature.parameters.values())[-1].kind is inspect.Parameter.VAR_KEYWORD

    assert inspect.signature(getattr(IdentityApi, name)).return_annotation == (
        response_annotation(operation)
    )
    described = OPERATIONS[name]
    assert (described.method, described.path) == (method.upper(), path)
    assert list(described.path_params) == [
        parameter["name"] for parameter in parameters if parameter["in"] == "path"
    ]


@pytest.mark.parametrize("schema_name", sorted(SCHEMAS))
def test_model_has_every_schema_field_with_its_alias_type_and_required_ness(
    schema_name: str,
) -> None:
    schema = SCHEMAS[schema_name]
    model = getattr(models, schema_name)
    required = set(schema.get("required", []))
    by_alias = {field.alias: (name, field) for name, field in model.model_fields.items()}

    assert set(by_alias) == set(schema["properties"]), schema_name
    for property_name, property_schema in schema["properties"].items():
        attribute, field = by_alias[property_name]
        expected = python_type(property_schema)
        assert attribute == snake_case(property_name)
        if property_name in required:
            assert field.is_required(), property_name
            assert field.annotation == expected, property_name
        else:
            assert not field.is_required(), property_name
            assert field.default is None, property_name
            assert field.annotation == expected | None, property_name


@pytest.mark.parametrize("schema_name", sorted(SCHEMAS))
def test_model_round_trips_a_document_example_through_its_aliases(schema_name: str) -> None:
    samples = {str: "text", bool: True, int: 7, list[str]: ["a", "b"]}
    samples[dict[str, list[str]]] = {"team": ["a"]}
    schema = SCHEMAS[schema_name]
    document = {
        name: samples[python_type(property_schema)]
        for name, property_schema in schema["properties"].items()
    }

    model = getattr(models, schema_name).from_dict(document)

    assert model.to_dict() == document


def test_the_strict_mode_knows_the_fields_the_document_marks_nullable() -> None:
    from katanemo_identity._contract import NULLABLE_FIELDS

    nullable = {
        f"{schema_name}.{name}"
        for schema_name, schema in SCHEMAS.items()
        for name, property_schema in schema["properties"].items()
        if resolve(property_schema).get("nullable")
        or "null" in (resolve(property_schema).get("type") or [])
    }
    assert nullable == NULLABLE_FIELDS
