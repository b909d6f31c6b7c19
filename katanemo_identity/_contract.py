"""The strict contract mode: what a response may be, by the API document, checked at decode.

With ``Configuration.strict_contract`` on, ``ApiClient.call`` hands every
response to ``check_response`` before decoding it, and a response the
document does not allow raises ``ApiContractError`` naming the rule (a key of
``RULES``) and the field. Off (the default), the client tolerates what the
API may grow (fields it does not know) and what servers commonly get wrong
(a missing Content-Type), as a client in production should.

Value types are not a rule here: they are checked in both modes, by the
strict decoding of ``Operation.decode``; ``decode`` raises the
``ApiDecodeError`` of a body that fails it. In both modes too,
``error_for`` makes the exception of an error status, its body decoded by
the model ``ERROR_MODELS`` gives that status.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError

from katanemo_identity import models
from katanemo_identity.exceptions import (
    ApiContractError,
    ApiDecodeError,
    ApiException,
    exception_class_for,
)

if TYPE_CHECKING:
    import urllib3

    from katanemo_identity._operation import Operation

#: The error-body model the API documents for each status; any other status
#: carries an ``Error`` (the ``default`` response). Both modes decode error
#: bodies with these.
ERROR_MODELS: Mapping[int, type[models.ErrorModel]] = {
    400: models.BadRequestException,
    401: models.UnauthorizedException,
    409: models.ConflictException,
    429: models.TooManyRequestsException,
    500: models.InternalServerErrorException,
}

Answered = TypeVar("Answered", bound=ApiException)
T = TypeVar("T")

#: Every rule of the strict contract mode, by name, as ``ApiContractError.rule`` gives it.
RULES: Mapping[str, str] = {
    "status": (
        "the status is one the document gives the operation: 200, or an error status "
        "(4xx or 5xx, whose body the document's 'default' response describes)"
    ),
    "content-type": "every response carries Content-Type: application/json",
    "unknown-field": "an object carries only the fields its schema names",
    "error-body": "an error body is JSON of the model the document gives for its status",
    "null": (
        "a field is absent or has a value of its type: null only where the document marks the "
        "field nullable (it marks none)"
    ),
    "empty-body": (
        "a success body is the JSON the document gives the operation, never empty "
        "(delete_client_key answers a JSON string)"
    ),
}

#: The fields the document marks ``nullable``, as ``"Schema.field"`` (wire names).
#: test/test_contract.py holds this to the document.
NULLABLE_FIELDS: frozenset[str] = frozenset()

#: The success statuses the document gives every operation.
SUCCESS_STATUSES = frozenset({200})

#: The media type of every response body the document describes.
MEDIA_TYPE = "application/json"


def check_response(
    operation: Operation[Any], response: urllib3.BaseHTTPResponse, raw: bytes
) -> None:
    """Check one response against the document, before it is decoded.

    Args:
        operation: The operation the response answers.
        response: The response (status and headers are read).
        raw: The whole body.

    Raises:
        ApiContractError: the response breaks one of ``RULES``; the first
            found is reported.
    """
    broken = _first_break(operation, response, raw)
    if broken is not None:
        rule, field, what = broken
        detail = f"{operation.name}(): {field}: {what}; rule {rule!r}: {RULES[rule]}"
        raise _answered(ApiContractError, response, raw, rule=rule, field=field, detail=detail)


def _first_break(
    operation: Operation[Any], response: urllib3.BaseHTTPResponse, raw: bytes
) -> tuple[str, str, str] | None:
    """The first rule ``response`` breaks, where, and what is wrong there; None for none."""
    status = response.status
    is_success = status in SUCCESS_STATUSES
    if not is_success and not 400 <= status <= 599:
        return "status", "status", f"{status} is not documented"
    content_type = response.headers.get("Content-Type")
    if content_type is None or content_type.split(";", 1)[0].strip().lower() != MEDIA_TYPE:
        return "content-type", "Content-Type", f"{content_type or 'none'} is not {MEDIA_TYPE}"
    if is_success:
        if not raw.strip():
            return "empty-body", "body", "empty"
        try:
            document = json.loads(raw)
        except ValueError:
            return None  # not JSON at all: the decoding reports it (ApiDecodeError)
        expected: Any = operation.response_type
    else:
        expected = ERROR_MODELS.get(status, models.Error)
        try:
            expected.model_validate_json(raw, strict=True)
            document = json.loads(raw)
        except ValidationError as error:
            first = error.errors(include_url=False, include_input=False)[0]
            return "error-body", _field_path(first["loc"]), f"{first['msg']} ({expected.__name__})"
    return _first_departure(expected, document, "")


def _first_departure(expected: Any, document: object, where: str) -> tuple[str, str, str] | None:
    """The rule, path and problem of the first field of ``document`` that ``expected`` refuses.

    A field ``expected`` does not name breaks ``unknown-field``; a null in a
    field the document does not mark nullable breaks ``null``.
    """
    if isinstance(expected, type) and issubclass(expected, BaseModel):
        if not isinstance(document, dict):
            return None  # a wrong shape is the decoding's to report
        known = _field_names(expected)
        for name, value in document.items():
            if name not in known:
                return "unknown-field", where + str(name), "not in the document"
            if value is None and f"{expected.__name__}.{name}" not in NULLABLE_FIELDS:
                return "null", where + str(name), "null"
        return None
    if get_origin(expected) is list and isinstance(document, list):
        (item_type,) = get_args(expected)
        for index, item in enumerate(document):
            found = _first_departure(item_type, item, f"{where}{index}.")
            if found is not None:
                return found
    return None


@functools.cache
def _field_names(model: type[BaseModel]) -> frozenset[str]:
    # The wire names: each field's alias. test/test_contract.py holds the
    # models to the document's fields, so these are the document's names.
    return frozenset(field.alias or name for name, field in model.model_fields.items())


def decode(operation: Operation[T], response: urllib3.BaseHTTPResponse, raw: bytes) -> T:
    """Decode a success body into ``operation.response_type`` (``Operation.decode``).

    Raises:
        ApiDecodeError: the body is not JSON of that type. The problem is
            described by field and kind only: the offending input may be a
            secret, so it is never quoted (nor chained from pydantic's error).
    """
    try:
        return operation.decode(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{_field_path(problem['loc'])}: {problem['msg']}"
            for problem in error.errors(include_url=False, include_input=False)[:5]
        )
    detail = f"{operation.name}() expected {operation.response_type.__name__}: {problems}"
    raise _answered(ApiDecodeError, response, raw, detail=detail)


def _field_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "body"


def error_for(response: urllib3.BaseHTTPResponse, raw: bytes) -> ApiException:
    """The exception an error status raises, with its body parsed by the model of ``ERROR_MODELS``.

    ``data`` is None when the body is not that model's JSON.
    """
    model = ERROR_MODELS.get(response.status, models.Error)
    try:
        data: models.ErrorModel | None = model.model_validate_json(raw, strict=True)
    except ValidationError:
        data = None
    return _answered(exception_class_for(response.status), response, raw, data)


def _answered(
    kind: Callable[..., Answered],
    response: urllib3.BaseHTTPResponse,
    raw: bytes,
    data: models.ErrorModel | None = None,
    **details: str,
) -> Answered:
    text = raw.decode("utf-8", "replace")
    return kind(response.status, response.reason, text, data, response.headers, **details)
