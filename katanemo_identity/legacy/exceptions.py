"""``katanemo_sdk.exceptions``: the old names, over this SDK's hierarchy.

``OpenApiException``, ``ApiTypeError``, ``ApiValueError``, ``ApiKeyError`` and
``ApiAttributeError`` are this SDK's own (``katanemo_identity.exceptions``),
so a transport failure (``ApiConnectionError``, ``ApiTimeoutError``) is an
``OpenApiException`` here too. ``ApiException`` is the old one: built from
``(status, reason, api_response)``, with the modern typed exception
(``katanemo_identity.ConflictException``, ...) as its ``__cause__`` when a
call raised it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from katanemo_identity._redact import redact_body, redact_headers
from katanemo_identity.exceptions import (
    BODY_PREVIEW_CHARS,
    ApiAttributeError,
    ApiKeyError,
    ApiTypeError,
    ApiValueError,
    OpenApiException,
)

if TYPE_CHECKING:
    from katanemo_identity.legacy.api_client import ApiResponse


class ApiException(OpenApiException):
    """The server answered with an error status, as ``katanemo_sdk`` raised it.

    Args:
        status: The HTTP status, when ``api_response`` is not given.
        reason: The reason phrase, when ``api_response`` is not given.
        api_response: The answer, an ``ApiResponseFor<status>``: ``.response``
            the raw urllib3 response, ``.body`` the decoded error body (a
            ``katanemo_identity.legacy.model`` mapping, or ``unset`` when it did
            not parse or ``skip_deserialization`` was set).

    Attributes:
        status: The HTTP status.
        reason: The reason phrase.
        body: The body bytes (``api_response.response.data``), or None.
        headers: The response headers, or None.
        api_response: As given.
        outcome_unknown: True when a write may have been applied although the
            call failed (see docs/errors.md), as on the modern exception.
    """

    def __init__(
        self,
        status: int | None = None,
        reason: str | None = None,
        api_response: ApiResponse[object] | None = None,
    ) -> None:
        self.body: bytes | None = None
        self.headers: Mapping[str, str] | None = None
        if api_response is not None:
            response = api_response.response
            status, reason = response.status, response.reason
            self.body, self.headers = response.data, response.headers
        self.status = status
        self.reason = reason
        self.api_response = api_response
        super().__init__(status, reason)

    def __str__(self) -> str:
        lines = [f"({self.status})", f"Reason: {self.reason}"]
        if self.headers:
            lines.append(f"HTTP response headers: {redact_headers(dict(self.headers))}")
        if self.body:
            text = self.body.decode("utf-8", "replace")
            lines.append(f"HTTP response body: {redact_body(text, BODY_PREVIEW_CHARS)}")
        return "\n".join(lines)


__all__ = [
    "ApiAttributeError",
    "ApiException",
    "ApiKeyError",
    "ApiTypeError",
    "ApiValueError",
    "OpenApiException",
]
