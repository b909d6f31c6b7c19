"""An operation of the API as data, and the encoding of what a call puts into its request.

``Operation`` names an endpoint (method, path template, body and result
types) and decodes its answers; ``encode_path_value`` keeps each path value
one path segment; ``serialize_body`` turns a body model into the JSON sent.
``ApiClient.call`` builds each request from these.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, TypeAdapter
from pydantic_core import PydanticSerializationError

from katanemo_identity.exceptions import ApiValueError

T = TypeVar("T")

#: Longest percent-encoded path value sent; a longer one is refused before
#: sending, where servers would answer 414 or cut the URL.
MAX_PATH_VALUE_LENGTH = 2048


@dataclass(frozen=True)
class Operation(Generic[T]):
    """One endpoint of the API, as data.

    Attributes:
        name: The Python method name, used in messages.
        method: The HTTP method.
        path: The path template, e.g. ``/org/{accountId}/user/{userId}``.
        path_params: Placeholder names in the order the method takes them.
        response_type: What a 2xx body decodes into.
        body_type: The request body model, or None for no body.
        advise: Given an error's status, the path values and the body, the
            advice to give instead of the exception's own, or None.
        empty_result: What a 2xx answer with no body (``204 No Content``, an
            empty ``200``) returns; None when such an answer is an error,
            because the result carries data the caller needs.
    """

    name: str
    method: str
    path: str
    path_params: tuple[str, ...]
    response_type: type[T]
    body_type: type[BaseModel] | None = None
    advise: Callable[[int, tuple[object, ...], object], str | None] | None = None
    empty_result: T | None = None

    @functools.cached_property
    def _adapter(self) -> TypeAdapter[T]:
        # Built on first use, once per operation: importing the package stays
        # cheap, and every later call reuses the validator.
        return TypeAdapter(self.response_type)

    def decode(self, raw: bytes) -> T:
        """Validate response bytes straight into ``response_type``, strictly.

        A value of the wrong JSON type (``"yes"`` or ``1`` for a boolean) is
        refused rather than coerced: it breaks the document. Unknown fields
        are ignored, since the API will grow.

        Raises:
            pydantic.ValidationError: the bytes are not JSON of that type.
        """
        if self.empty_result is not None and not raw.strip():
            return self.empty_result
        return self._adapter.validate_json(raw, strict=True)


# Public in api_client, where users import it.
Operation.__module__ = "katanemo_identity.api_client"


def encode_path_value(operation: str, placeholder: str, value: object) -> str:
    """Percent-encode one path value so it stays exactly one path segment.

    Every character but letters, digits and ``-._~`` is encoded, so ``/``,
    ``?``, ``#`` and ``%`` cannot change the route; a value of ``.`` or
    ``..`` is encoded too, since URL normalization would otherwise remove it.

    Raises:
        ApiValueError: the value is not a string, is empty, cannot be encoded
            as UTF-8, or is longer than ``MAX_PATH_VALUE_LENGTH`` encoded.
    """
    if not isinstance(value, str) or not value:
        kind = "empty" if isinstance(value, str) else type(value).__name__
        raise ApiValueError(
            f"{operation}(): {_snake_case(placeholder)} must be a non-empty string, not {kind}"
        )
    try:
        # Ids repeat from call to call: short ones are encoded once.
        encoded = _encode_short(value) if len(value) <= 256 else _encode(value)
    except UnicodeEncodeError:
        raise ApiValueError(
            f"{operation}(): {_snake_case(placeholder)} contains a character that cannot be "
            "encoded as UTF-8"
        ) from None
    if len(encoded) > MAX_PATH_VALUE_LENGTH:
        raise ApiValueError(
            f"{operation}(): {_snake_case(placeholder)} is {len(encoded)} characters once "
            f"encoded; the most that can be sent is {MAX_PATH_VALUE_LENGTH}"
        )
    return encoded


def _encode(value: str) -> str:
    encoded = quote(value, safe="")
    if encoded in (".", ".."):
        return encoded.replace(".", "%2E")
    return encoded


_encode_short = functools.lru_cache(maxsize=4096)(_encode)


def _snake_case(placeholder: str) -> str:
    return "".join("_" + char.lower() if char.isupper() else char for char in placeholder)


def serialize_body(operation: str, body: BaseModel) -> bytes:
    """Return ``body`` as the JSON sent.

    A model built with ``model_construct()`` is sent as built, unvalidated:
    that is how a body the API must refuse is sent on purpose (a missing
    required field, in the conformance checks). One holding a value JSON
    cannot carry is refused.

    Raises:
        ApiValueError: the body cannot be serialized to JSON.
    """
    try:
        return body.__pydantic_serializer__.to_json(body, by_alias=True, exclude_none=True)
    except PydanticSerializationError:
        pass
    # Raised outside the handler, so that no context carries pydantic's
    # message, which quotes the value (it may be a secret).
    model = type(body).__name__
    raise ApiValueError(
        f"{operation}(): the {model} body holds a value that cannot be sent as JSON; "
        f"build it with {model}(...), which checks every field"
    )
