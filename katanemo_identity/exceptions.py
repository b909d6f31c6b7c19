"""Every error a call of this SDK can raise, in one hierarchy.

::

    OpenApiException                     base of everything below
    ├── ApiTypeError                     an argument has the wrong type (also TypeError)
    ├── ApiValueError                    an argument has a bad value (also ValueError)
    ├── ApiKeyError                      a key is missing (also KeyError)
    ├── ApiAttributeError                an attribute is missing (also AttributeError)
    ├── ApiClientClosedError             the ApiClient was closed (also RuntimeError)
    ├── ApiConnectionError               no complete HTTP response: refused, reset, TLS, proxy
    │   └── ApiTimeoutError              a limit ran out: connect, read, or the whole call
    └── ApiException                     the server answered, and the answer is an error
        ├── BadRequestException          400: a field is missing or invalid
        ├── UnauthorizedException        401: the access token is missing or invalid
        ├── ForbiddenException           403: the token may not do this
        ├── NotFoundException            404: no such account, key or user
        ├── ConflictException            409: it exists already
        ├── UnprocessableEntityException 422: well-formed but not acceptable
        ├── TooManyRequestsException     429: rate limited; see ``retry_after``
        ├── ServiceException             5xx: the service failed
        │   └── InternalServerErrorException  500
        ├── ApiDecodeError               a success response whose body is not the documented JSON
        ├── ApiContractError             strict contract mode: a response the document does not allow
        └── ApiResponseTooLargeError     a body larger than ``Configuration.max_response_size``

Errors raised before anything is sent (``ApiTypeError``, ``ApiValueError``,
``ApiClientClosedError``) mean the server saw nothing. Every error raised by a
call carries ``method`` and ``url`` (as sent, after redirects) once a request
was built, and ``retries_taken``; an ``ApiException`` also has the server's
``request_id``. ``outcome_unknown`` is True on an error after
which a write may or may not have been applied (a connection lost after the
request was sent, a timeout waiting for the answer, a 5xx): reconcile a create
by listing before trying it again.

The error-body models the API documents (``katanemo_identity.models.BadRequestException``
and its kin) share names with the exceptions above; the exceptions own the
names at the package top level, and carry the parsed body model as ``.data``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from katanemo_identity import models
    from katanemo_identity.models import ErrorModel

#: How much of a response body ``str(exception)`` shows.
BODY_PREVIEW_CHARS = 500


class OpenApiException(Exception):
    """Base class of every exception this SDK raises."""

    #: True when a write may have been applied although the call failed.
    outcome_unknown: bool = False
    #: The HTTP method of the call, once a request was built.
    method: str | None = None
    #: The URL of the last attempt, as sent (path values percent-encoded).
    url: str | None = None
    #: How many times the request was sent again before this error.
    retries_taken: int = 0


class _ArgumentError(OpenApiException):
    """An argument (or a key or attribute of one) the SDK refused; nothing was sent.

    Attributes:
        path_to_item: Where in the argument the problem is, when it is nested.
    """

    def __init__(self, message: str, path_to_item: list[str | int] | None = None) -> None:
        self.path_to_item = path_to_item
        if path_to_item:
            message += " at " + "".join(f"[{item!r}]" for item in path_to_item)
        super().__init__(message)


class ApiTypeError(_ArgumentError, TypeError):
    """An argument has the wrong type; nothing was sent."""


class ApiValueError(_ArgumentError, ValueError):
    """An argument has a value the API cannot take; nothing was sent."""


class ApiKeyError(_ArgumentError, KeyError):
    """A required key is missing."""


class ApiAttributeError(_ArgumentError, AttributeError):
    """A required attribute is missing."""


class ApiConnectionError(OpenApiException):
    """The request did not get a complete HTTP response.

    The connection was refused, reset or closed early, the TLS handshake
    failed, or the proxy refused. Retries (where the method allows them) were
    already spent when this is raised.

    Attributes:
        outcome_unknown: False when the request provably never reached the
            server (it was not sent: the connection could not be established);
            True when it may have been received and acted on. Through a
            proxy the same holds: a request the proxy forwarded and lost is
            True, like a direct one.
        proxy: The proxy at fault, its credentials masked, when the failure
            happened before the proxy took the request (it could not be
            reached, its TLS failed, it refused the tunnel); else None.
    """

    #: What a caller can do about this error.
    advice = "Check that the server is running and that the host is right, then retry."

    proxy: str | None = None

    #: Whether trying again may succeed (False for a TLS or proxy failure,
    #: or a whole-call limit that ran out).
    transient: bool = True

    #: Set by the transport when the request went out on a pooled connection
    #: and the peer closed or reset it before any answer: most likely the
    #: server had closed it while it sat idle in the pool.
    _found_closed: bool = False

    def __init__(self, message: str, *, outcome_unknown: bool) -> None:
        super().__init__(message)
        self.outcome_unknown = outcome_unknown

    def __str__(self) -> str:
        if self.method is None:
            return super().__str__()
        return f"{self.method} {self.url}: {super().__str__()}"


class ApiTimeoutError(ApiConnectionError):
    """A time limit ran out: which one is ``expired``.

    Attributes:
        expired: ``"connect"`` or ``"read"`` for ``Configuration.timeout`` (or
            ``_request_timeout``), ``"total"`` for the whole-call limit
            ``Configuration.total_timeout`` (or ``_total_timeout``).
    """

    def __init__(
        self, message: str, *, outcome_unknown: bool, expired: Literal["connect", "read", "total"]
    ) -> None:
        super().__init__(message, outcome_unknown=outcome_unknown)
        self.expired: Literal["connect", "read", "total"] = expired
        if expired == "total":
            self.transient = False

    @property
    def advice(self) -> str:  # type: ignore[override]
        if self.expired == "total":
            return "The call took longer than total_timeout allows: retry later, or allow more."
        if self.proxy is not None:
            return "The proxy did not answer in time: check that it is running and reachable."
        return "The server did not answer in time: retry, or allow a longer timeout."


class ApiClientClosedError(OpenApiException, RuntimeError):
    """The ``ApiClient`` was closed (``close()``, or its ``with`` block ended); nothing was sent."""


class ApiException(OpenApiException):
    """The server answered with an error status, or with a body that cannot be used.

    Attributes:
        status: The HTTP status code.
        reason: The HTTP reason phrase.
        body: The raw response body as text (UTF-8, undecodable bytes replaced).
        data: The parsed error-body model (the documented one for 400, 401,
            409, 429 and 500; ``Error`` for any other status), or None when
            the body did not parse. Each subclass declares the model its
            status carries, so a type checker knows ``ConflictException.data``
            is a ``models.ConflictException | None``.
        headers: The response headers.
        detail: What the SDK found wrong, when it was not the status.
    """

    #: What a caller can do about this error; shown by ``str()``.
    advice = "See the response body for details."

    def __init__(
        self,
        status: int | None = None,
        reason: str | None = None,
        body: str | None = None,
        data: ErrorModel | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        detail: str | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.body = body
        self.data: ErrorModel | None = data
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.detail = detail
        super().__init__(status, reason)

    @property
    def request_id(self) -> str | None:
        """The server's id for this request (``X-Request-Id``), to quote when asking for help."""
        return self.headers.get("X-Request-Id")

    @property
    def message(self) -> str | None:
        """The server's own message, when the error body carried one."""
        text = getattr(self.data, "message", None)
        return text if isinstance(text, str) else None

    def __str__(self) -> str:
        headline = f"({self.status}) {self.reason or 'HTTP error'}"
        if self.message:
            headline += f": {self.message}"
        code = getattr(self.data, "error_code", None) or getattr(self.data, "code", None)
        if code is not None:
            headline += f" [{code}]"
        lines = [headline]
        if self.detail:
            lines.append(self.detail)
        lines.append(self.advice)
        if self.body:
            # Loaded when first needed, like the date parser below: the package imports this module.
            from katanemo_identity._redact import redact_body

            lines.append("Response body: " + redact_body(self.body, BODY_PREVIEW_CHARS))
        return "\n".join(lines)


class BadRequestException(ApiException):
    """400: the request is malformed or a field is missing or invalid."""

    data: models.BadRequestException | None
    advice = "Fix the request: the message names the field that was rejected."


class UnauthorizedException(ApiException):
    """401: the access token is missing, expired or not valid."""

    data: models.UnauthorizedException | None
    advice = (
        "Check the access token (Configuration.access_token or the "
        "KATANEMO_IDENTITY_TOKEN environment variable)."
    )


class ForbiddenException(ApiException):
    """403: the token is valid but may not do this."""

    data: models.Error | None
    advice = "The access token lacks the permission for this call; ask an admin of the account."


class NotFoundException(ApiException):
    """404: no such account, key or user."""

    data: models.Error | None
    advice = "Check the account, key or user id; list them to see which exist."


class ConflictException(ApiException):
    """409: the resource exists already."""

    data: models.ConflictException | None
    advice = "It already exists: fetch or list it instead, or choose another name."


class UnprocessableEntityException(ApiException):
    """422: the request is well-formed but cannot be processed."""

    data: models.Error | None
    advice = "Fix the request values named in the message."


class TooManyRequestsException(ApiException):
    """429: the caller is rate limited and retries are spent."""

    data: models.TooManyRequestsException | None

    @property
    def advice(self) -> str:  # type: ignore[override]
        wait = self.retry_after
        if wait is None:
            return "Rate limited: slow down and retry later."
        return f"Rate limited: retry after {wait:g} seconds."

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait (from ``Retry-After``), or None."""
        return parse_retry_after(self.headers.get("Retry-After"))


class ServiceException(ApiException):
    """5xx: the service failed to answer the request.

    A create that ends here may or may not have been applied: list to check
    before sending it again.
    """

    data: models.InternalServerErrorException | models.Error | None
    outcome_unknown = True
    advice = "The service failed; retry later. A create may have been applied: list to check."


class InternalServerErrorException(ServiceException):
    """500: the service hit an internal error."""

    data: models.InternalServerErrorException | None


class ApiDecodeError(ApiException):
    """A success response whose body is not JSON or does not fit the documented schema.

    ``body`` holds the raw text; the call's effect on the server, if any,
    has happened.
    """

    data: None
    advice = (
        "The server's answer does not match the API this SDK was built for; "
        "check Configuration.host points at the Katanemo Identity API."
    )


class ApiContractError(ApiException):
    """A response the API document does not allow, found in strict contract mode.

    Raised only with ``Configuration.strict_contract`` on (as in the pytest
    plugin's client): an undocumented status, a Content-Type other than
    ``application/json``, a field the document does not name, or an error
    body that is not the documented model.

    Attributes:
        rule: The rule broken, a key of ``katanemo_identity._contract.RULES``:
            ``status``, ``content-type``, ``unknown-field`` or ``error-body``.
        field: Where: a field path such as ``0.clientSecret`` (list index,
            then field), or ``status`` / ``Content-Type``. Never a value.
    """

    data: None
    advice = (
        "The server departs from the API document; if it is yours, fix it there. "
        "Configuration.strict_contract=False tolerates this."
    )

    def __init__(
        self,
        status: int | None = None,
        reason: str | None = None,
        body: str | None = None,
        data: None = None,
        headers: Mapping[str, str] | None = None,
        *,
        rule: str = "",
        field: str = "",
        detail: str | None = None,
    ) -> None:
        # rule and field have defaults only so that the exception survives
        # pickling (which rebuilds it from (status, reason)); the SDK always sets them.
        super().__init__(status, reason, body, data, headers, detail=detail)
        self.rule = rule
        self.field = field


class ApiResponseTooLargeError(ApiException):
    """The response body is larger than ``Configuration.max_response_size``; it was not read.

    Attributes:
        limit: The size limit in bytes that the body exceeded.
    """

    data: None
    limit: int = 0

    advice = "Raise Configuration.max_response_size if a body this large is expected."


def parse_retry_after(value: str | None) -> float | None:
    """Read a ``Retry-After`` value, in seconds or as an HTTP date, as seconds from now."""
    if value is None:
        return None
    value = value.strip()
    # isascii: "²" and other Unicode digits pass isdigit() but not float().
    if value.isascii() and value.isdigit():
        return float(value)
    from datetime import timezone
    from email.utils import parsedate_to_datetime  # costly to load, and the date form is rare

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # the asctime form carries no zone; HTTP dates are UTC
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - time.time())


_BY_STATUS: dict[int, type[ApiException]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    409: ConflictException,
    422: UnprocessableEntityException,
    429: TooManyRequestsException,
    500: InternalServerErrorException,
}


def exception_class_for(status: int) -> type[ApiException]:
    """Return the exception class raised for an HTTP error status."""
    other = ServiceException if 500 <= status <= 599 else ApiException
    return _BY_STATUS.get(status, other)
