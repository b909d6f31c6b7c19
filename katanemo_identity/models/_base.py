"""The base every Identity API model derives from.

Models are plain pydantic 2 models: attributes are snake_case and the JSON on
the wire is camelCase. The camelCase names come from ``alias_generator``, not
from ``Field(alias=...)``: type checkers read a field's ``alias`` as its
constructor keyword, so a field with no ``alias`` is built, for pydantic and
for mypy and pyright alike, with its snake_case name. ``from_dict`` and
``from_json`` take the API's camelCase JSON (snake_case keys work too), and so
do camelCase keywords at run time, which checkers reject. A wire name that
``to_camel`` cannot derive would be declared with ``validation_alias`` and
``serialization_alias``, which keep the keyword snake_case.

Fields named in ``SECRET_FIELDS`` are readable
as attributes and present in ``to_dict`` / ``to_json`` (callers need them), but
are masked in ``repr``, ``str`` and ``to_str`` so they never reach a log by
accident.
"""

from __future__ import annotations

import pprint
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from katanemo_identity._redact import MASK as MASK

if TYPE_CHECKING:
    from typing_extensions import Self


class IdentityModel(BaseModel):
    """Behaviour shared by every request, response and error-body model."""

    model_config = ConfigDict(
        # The wire name of ``account_id`` is ``accountId``, and so on.
        alias_generator=to_camel,
        # Build from attribute names as well as from the JSON aliases. Both
        # spellings of the setting: pydantic before 2.11 knows only the first,
        # and the pydantic mypy plugin reads only the second (without it, the
        # plugin makes every constructor argument optional).
        populate_by_name=True,
        validate_by_name=True,
        # The API will grow: a field this version does not know is ignored.
        extra="ignore",
        validate_assignment=True,
        # A validation error names the field and the problem, never the
        # value: the value may be a secret.
        hide_input_in_errors=True,
        # Validators are built on first use, not at import: a tool that
        # imports the package and touches one model pays for that one.
        defer_build=True,
    )

    #: Attribute names whose values are credentials.
    SECRET_FIELDS: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, object]:
        """Return the model as the API's JSON object, with camelCase keys.

        Fields that are unset (None) are left out, so a request carries only
        what the caller chose to send.
        """
        return self.model_dump(by_alias=True, exclude_none=True)

    def to_json(self) -> str:
        """Return the model as a JSON string, with camelCase keys and no unset fields."""
        return self.model_dump_json(by_alias=True, exclude_none=True)

    def to_str(self) -> str:
        """Return a readable, pretty-printed form with secret fields masked."""
        shown = self.to_dict()
        for name in self.SECRET_FIELDS:
            alias = type(self).model_fields[name].alias or name
            if alias in shown:
                shown[alias] = MASK
        return pprint.pformat(shown)

    @classmethod
    def from_dict(cls, obj: Mapping[str, object]) -> Self:
        """Build the model from a JSON object (camelCase or snake_case keys).

        Raises:
            pydantic.ValidationError: a required field is missing or a value
                has the wrong type; the error names the field.
        """
        return cls.model_validate(obj)

    @classmethod
    def from_json(cls, json_str: str | bytes) -> Self:
        """Build the model from a JSON document.

        Raises:
            pydantic.ValidationError: the text is not JSON, or a field is
                missing or of the wrong type; the error names the field.
        """
        return cls.model_validate_json(json_str)


class RequestModel(IdentityModel):
    """A request body: a field it does not have is refused, never silently dropped.

    Unknown fields of an answer are news from a newer server and are
    ignored; an unknown field in a request is a mistake in the caller's code
    (``UserRequest(is_admin=True)``: the API has no such request field), so
    it raises ``pydantic.ValidationError`` naming the field.
    """

    model_config = ConfigDict(extra="forbid")
