"""The value types of ``katanemo_sdk.schemas``: ``unset``, and the read-only mappings its models were.

A ``katanemo_sdk`` model was an immutable dict keyed by the API's camelCase
JSON names. ``DictSchema`` keeps that shape over this SDK's pydantic models:
building one validates through the model, so the rules of each schema live in
one place (``katanemo_identity.models``), and reading one reads the model's
JSON, lists as tuples.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Generic, TypeVar

from pydantic import ValidationError

from katanemo_identity.exceptions import ApiTypeError, ApiValueError
from katanemo_identity.models._base import MASK, IdentityModel

if TYPE_CHECKING:
    from typing_extensions import Self

M = TypeVar("M", bound=IdentityModel)


class Unset:
    """The type of ``unset``: a value the response does not define (``ApiResponse.headers``)."""

    def __repr__(self) -> str:
        return "unset"


#: What an ``ApiResponse`` holds where ``katanemo_sdk`` held nothing.
unset = Unset()


class DictSchema(Mapping[str, object], Generic[M]):
    """A model as ``katanemo_sdk`` had it: an immutable mapping keyed by the API's JSON names.

    Build one with the JSON names as keywords (``ClientKeyRequest(clientName="ci",
    defaultRoleId="deployer")``), or from a dict of them; snake_case names work
    too. Read it like a dict: ``key["clientName"]``, ``key.get("roles")``,
    ``"isActive" in key``, iteration. Lists read as tuples, objects as
    read-only mappings. Secret fields (``clientSecret``, ``token``) read as
    they are and are masked in ``repr``.

    Args:
        *values: At most one dict of fields. ``Model(None)``, the placeholder
            of the old generated examples, is refused.
        **fields: The fields, by JSON name.

    Raises:
        ApiTypeError: a positional argument other than one dict, or a field
            the model does not have (``katanemo_sdk`` sent those on; this
            layer names them instead).
        ApiValueError: a required field is missing or a value has the wrong type.
    """

    #: The ``katanemo_identity.models`` class this one stands for.
    model_class: type[M]

    def __init__(self, *values: Mapping[str, object], **fields: object) -> None:
        name = type(self).__name__
        example = f"{name}({', '.join(f'{key}=...' for key in _json_names(self.model_class))})"
        if len(values) > 1 or (values and not isinstance(values[0], Mapping)):
            shown = ", ".join("None" if v is None else type(v).__name__ for v in values)
            raise ApiTypeError(
                f"{name}({shown}): a model takes its fields by name, e.g. {example}; "
                f"{name}(None) in the katanemo_sdk docs is a placeholder, not a value"
            )
        given = {**values[0], **fields} if values else fields
        unknown = sorted(set(given) - _accepted_names(self.model_class))
        if unknown:
            raise ApiTypeError(
                f"{name}() has no field(s) {', '.join(map(repr, unknown))}; "
                f"its fields are {', '.join(_json_names(self.model_class))}"
            )
        try:
            model = self.model_class.model_validate(given)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in problem['loc']) or 'body'}: {problem['msg']}"
                for problem in error.errors(include_url=False, include_input=False)
            )
            raise ApiValueError(f"{name}(): {problems}") from None
        self._use(model)

    @classmethod
    def from_model(cls, model: M) -> Self:
        """Wrap a ``katanemo_identity.models`` instance (already validated) without copying its rules."""
        schema = cls.__new__(cls)
        schema._use(model)
        return schema

    def to_model(self) -> M:
        """Return the ``katanemo_identity.models`` instance this mapping reads."""
        return self._model

    def _use(self, model: M) -> None:
        self._model = model
        # The JSON the fields came from: keys the server (or caller) gave, none invented.
        dumped = model.model_dump(by_alias=True, exclude_unset=True)
        self._fields: dict[str, object] = {key: _frozen(value) for key, value in dumped.items()}

    def __getitem__(self, key: str) -> object:
        return self._fields[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        secrets = {
            self.model_class.model_fields[field].alias or field
            for field in self.model_class.SECRET_FIELDS
        }
        shown = {key: MASK if key in secrets else value for key, value in self._fields.items()}
        return f"{type(self).__name__}({shown!r})"


def _frozen(value: object) -> object:
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    return value


@functools.cache
def _json_names(model: type[IdentityModel]) -> tuple[str, ...]:
    return tuple(field.alias or name for name, field in model.model_fields.items())


@functools.cache
def _accepted_names(model: type[IdentityModel]) -> frozenset[str]:
    return frozenset(_json_names(model)) | frozenset(model.model_fields)


__all__ = ["DictSchema", "Unset", "unset"]
