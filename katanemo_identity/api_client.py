"""The one request path: an operation and its arguments in, a typed result or exception out.

An ``Operation`` describes an endpoint as data (method, path template, body
and return types). ``ApiClient.call`` turns one into a request (path values
percent-encoded, headers checked, body serialized), sends it through the
``RESTClientObject``, and decodes the response bytes straight into the
operation's return type, or raises the exception the status maps to.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

import urllib3

from katanemo_identity._contract import check_response, decode, error_for
from katanemo_identity._debug_log import log_exchange, log_failure
from katanemo_identity._observation import CallObservation
from katanemo_identity._operation import Operation, encode_path_value, serialize_body
from katanemo_identity._proxy import credentials_advice
from katanemo_identity._validation import (
    TimeoutSetting,
    validate_header,
    validate_headers,
    validate_timeout,
)
from katanemo_identity.api_response import ApiResponse
from katanemo_identity.configuration import Configuration, validate_retries, validate_total_timeout
from katanemo_identity.exceptions import ApiException, ApiTypeError, OpenApiException
from katanemo_identity.hooks import CallStarted
from katanemo_identity.rest import RESTClientObject
from katanemo_identity.retry import Attempted, Request, RetryPolicy, exchange

if TYPE_CHECKING:
    from typing_extensions import Self


T = TypeVar("T")

#: What a call without hooks enters instead of a ``CallObservation``.
_UNOBSERVED: AbstractContextManager[None] = nullcontext()


class RequestOptions(TypedDict, total=False):
    """Keyword-only options every operation takes for one call.

    Attributes:
        _request_timeout: Seconds for connect and each read, or a
            ``(connect, read)`` pair; overrides ``Configuration.timeout``.
        _total_timeout: Seconds the whole call may take, retries and waits
            included; overrides ``Configuration.total_timeout``.
        _headers: Extra request headers for this call (e.g. ``Accept``).
        _retries: Retries for this call; ``0`` disables them.
    """

    _request_timeout: TimeoutSetting
    _total_timeout: float
    _headers: Mapping[str, str]
    _retries: int


_OPTION_NAMES = frozenset(RequestOptions.__annotations__)


class ApiClient:
    """Turns operations into HTTP requests and responses into typed results.

    One client holds one connection pool and is safe to share between
    threads. Use it as a context manager, or call ``close()``, to release the
    connections.

    Args:
        configuration: Settings; ``Configuration.get_default()`` when None.
        header_name: Name of a header to send with every request.
        header_value: Value of that header.
        cookie: A Cookie header to send with every request.
    """

    _default_client: ApiClient | None = None
    _default_lock = threading.Lock()

    def __init__(
        self,
        configuration: Configuration | None = None,
        header_name: str | None = None,
        header_value: str | None = None,
        cookie: str | None = None,
    ) -> None:
        self.configuration = (
            configuration if configuration is not None else Configuration.get_default()
        )
        self.rest_client = RESTClientObject(self.configuration)
        self.default_headers: dict[str, str] = {"Accept": "application/json"}
        self.set_default_header("User-Agent", self.configuration.user_agent)
        if header_name is not None and header_value is not None:
            self.set_default_header(header_name, header_value)
        if cookie is not None:
            self.set_default_header("Cookie", cookie)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections; the client may not be used afterwards."""
        self.rest_client.close()

    @property
    def user_agent(self) -> str:
        """The User-Agent header sent with every request."""
        return self.default_headers["User-Agent"]

    @user_agent.setter
    def user_agent(self, value: str) -> None:
        self.set_default_header("User-Agent", value)

    def set_default_header(self, header_name: str, header_value: str) -> None:
        """Send a header with every request of this client.

        Raises:
            ApiValueError: the name or value could split the request (CR, LF
                or another control character).
        """
        validate_header(header_name, header_value)
        self.default_headers[header_name] = header_value

    @classmethod
    def get_default(cls) -> ApiClient:
        """Return a shared client built from ``Configuration.get_default()``.

        A new one replaces a shared client that was closed.
        """
        with cls._default_lock:
            if cls._default_client is None or cls._default_client.rest_client.closed:
                cls._default_client = cls()
            return cls._default_client

    @classmethod
    def set_default(cls, client: ApiClient | None) -> None:
        """Set (or with None, reset) the client ``get_default`` returns."""
        with cls._default_lock:
            cls._default_client = client

    def call(
        self,
        operation: Operation[T],
        path_values: tuple[object, ...],
        body: object,
        options: RequestOptions,
    ) -> ApiResponse[T]:
        """Run ``operation`` and decode its response.

        Raises:
            ApiTypeError, ApiValueError: an argument was refused; nothing was sent.
            ApiException: the server answered with an error status, or with a
                body that does not decode (``ApiDecodeError``).
            ApiConnectionError: no complete response was received.
        """
        request = self._build(operation, path_values, body, options)
        with self._observe(request) as observation:
            started = time.perf_counter()
            try:
                attempted = exchange(self.rest_client, request, observation=observation)
            except OpenApiException as error:
                if self.configuration.debug:
                    log_failure(request, error, started)
                raise
            response, raw = attempted.response, attempted.body or b""
            if self.configuration.debug:
                log_exchange(request, attempted.url, response, raw, started)
            status = response.status
            try:
                if self.configuration.strict_contract:
                    check_response(operation, response, raw)
                if not 200 <= status <= 299:
                    failure = error_for(response, raw)
                    advice = (
                        operation.advise(status, path_values, body) if operation.advise else None
                    )
                    if advice is None and status in (401, 407) and failure.data is None:
                        proxy = self.rest_client.proxy_for(attempted.url)
                        advice = None if proxy is None else credentials_advice(proxy, status)
                    if advice is not None:
                        failure.advice = advice
                    raise failure
                data = decode(operation, response, raw)
            except ApiException as error:
                # Every error the answer earns: an error status, a broken contract, a bad body.
                raise _from_attempt(error, request, attempted) from None
            return ApiResponse(
                status, response.headers, data, raw, attempted.retries_taken, response.reason
            )

    def call_without_preload(
        self,
        operation: Operation[T],
        path_values: tuple[object, ...],
        body: object,
        options: RequestOptions,
    ) -> urllib3.BaseHTTPResponse:
        """Run ``operation`` and return the urllib3 response with its body unread.

        The status is not checked and nothing is decoded; read the body (or
        ``release_conn()``) to return the connection to the pool. Retries and
        the whole-call limit apply until the response headers arrive; reading
        the body is up to the caller.

        Raises:
            ApiTypeError, ApiValueError: an argument was refused; nothing was sent.
            ApiConnectionError: no response was received.
        """
        request = self._build(operation, path_values, body, options)
        with self._observe(request) as observation:
            return exchange(
                self.rest_client, request, read_body=False, observation=observation
            ).response

    def _observe(self, request: Request) -> AbstractContextManager[CallObservation | None]:
        # The one check a call without hooks pays for.
        hooks = self.configuration.hooks
        if not hooks:
            return _UNOBSERVED
        return CallObservation(
            hooks,
            self.configuration.logger,
            CallStarted(
                request.operation,
                request.method,
                request.path,
                self.configuration.host,
                request.url,
            ),
        )

    def _build(
        self,
        operation: Operation[Any],
        path_values: tuple[object, ...],
        body: object,
        options: RequestOptions,
    ) -> Request:
        configuration = self.configuration
        values = zip(operation.path_params, path_values, strict=True)
        encoded = {name: encode_path_value(operation.name, name, value) for name, value in values}
        url = configuration.host + operation.path.format_map(encoded)
        headers = self.default_headers.copy()
        authorization = configuration.authorization()
        if authorization is not None:
            headers["Authorization"] = authorization

        payload: bytes | None = None
        if operation.body_type is not None:
            if not isinstance(body, operation.body_type):
                raise ApiTypeError(
                    f"{operation.name}() takes a {operation.body_type.__name__} body, "
                    f"not {type(body).__name__}"
                )
            payload = serialize_body(operation.name, body)
            headers["Content-Type"] = "application/json"

        timeout = configuration.timeout
        total_timeout = configuration.total_timeout
        retries = configuration.retries
        if options:
            unknown = options.keys() - _OPTION_NAMES
            if unknown:
                raise ApiTypeError(
                    f"{operation.name}() got unexpected keyword argument(s) "
                    f"{', '.join(sorted(unknown))}; per-call options are "
                    f"{', '.join(sorted(_OPTION_NAMES))}"
                )
            extra = options.get("_headers")
            if extra is not None:
                headers.update(
                    validate_headers(extra, f"{operation.name}(): _headers", ApiTypeError)
                )
            if "_request_timeout" in options:
                timeout = validate_timeout(options["_request_timeout"])
            if "_total_timeout" in options:
                total_timeout = validate_total_timeout(options["_total_timeout"])
            if "_retries" in options:
                retries = validate_retries(options["_retries"])
        return Request(
            operation.name,
            operation.path,
            operation.method,
            url,
            headers,
            payload,
            timeout if isinstance(timeout, tuple) else (timeout, timeout),
            total_timeout,
            _retry_policy(
                retries,
                configuration.retry_backoff_factor,
                configuration.retry_backoff_max,
                configuration.retry_after_max,
            ),
            configuration.max_response_size,
            configuration.logger,
        )


#: Policies are immutable, so one per set of settings serves every client,
#: request and thread; a changed setting in a configuration picks another
#: one on the next call.
_retry_policy = functools.lru_cache(maxsize=64)(RetryPolicy)


def _from_attempt(error: ApiException, request: Request, attempted: Attempted) -> ApiException:
    error.method = request.method
    error.url = attempted.url
    error.retries_taken = attempted.retries_taken
    if attempted.maybe_received:
        # A retried write that now fails may have been applied by an earlier attempt.
        error.outcome_unknown = True
    return error


def _after_fork_in_child() -> None:
    # A thread of the parent may have held the lock when it forked.
    ApiClient._default_lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # absent where processes do not fork (Windows)
    os.register_at_fork(after_in_child=_after_fork_in_child)


__all__ = ["ApiClient", "Operation", "RequestOptions", "encode_path_value"]
