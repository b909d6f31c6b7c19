"""What a call tells the hooks: the one ``CallObservation`` that makes every event.

``ApiClient`` enters a ``CallObservation`` around a call that has hooks
(``Configuration.hooks``); the attempt loop (``retry.exchange``) sends each
request through ``sender`` and reports each attempt's end. The events and
the rules they follow (order, failures, what they never hold) are
``hooks.py``'s.
"""

from __future__ import annotations

import copy
import functools
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import urllib3

from katanemo_identity._redact import redact_body
from katanemo_identity._validation import validate_header
from katanemo_identity.exceptions import ApiException, ApiValueError, OpenApiException
from katanemo_identity.hooks import (
    AttemptEnded,
    CallEnded,
    CallStarted,
    Hook,
    RequestEnded,
    RequestSending,
)

#: Headers a hook adds that go along on a redirect to another origin: the
#: W3C trace context, meant to cross services. Any other (``baggage``, your
#: own) stays with the origin the call was made to, like the caller's headers.
CROSS_ORIGIN_HOOK_HEADERS = frozenset({"traceparent", "tracestate"})

#: ``urllib3`` response versions as OpenTelemetry's ``network.protocol.version`` spells them.
_HTTP_VERSIONS = {9: "0.9", 10: "1.0", 11: "1.1", 20: "2", 30: "3"}

#: What sends one request: ``RESTClientObject.send``.
Send = Callable[..., urllib3.BaseHTTPResponse]


class CallObservation:
    """The hooks of one call, told what the request path reports; a context manager.

    Entering tells ``call_started``; the attempt loop (``retry.exchange``)
    sends each request through ``sender`` and reports each attempt's end;
    leaving tells ``call_ended``, with the last attempt's status and the
    exception the call raises, if any. Made only when ``Configuration.hooks``
    is not empty, so a call without hooks pays for none of this.

    Whatever a hook raises, every hook told that a call or a request started
    is told that it ended; a ``BaseException`` is raised after that.

    Args:
        hooks: The hooks to tell, in order.
        logger: Where a hook's exception is logged.
        started: What ``call_started`` is told.
    """

    __slots__ = (
        "_attempts",
        "_began",
        "_hooks",
        "_logger",
        "_request_hooks",
        "_sent",
        "_started",
        "_status",
    )

    def __init__(self, hooks: Sequence[Hook], logger: logging.Logger, started: CallStarted) -> None:
        self._hooks = tuple(hooks)
        self._logger = logger
        self._started = started
        self._attempts = 0
        self._sent = 0
        self._status: int | None = None
        self._began = 0.0
        # Only hooks that want requests are told of them; with none, a
        # request is sent as if there were no hooks.
        self._request_hooks = tuple(
            hook
            for hook in self._hooks
            if type(hook).request_sending is not Hook.request_sending
            or type(hook).request_ended is not Hook.request_ended
        )

    def __enter__(self) -> CallObservation:
        self._began = time.perf_counter()
        for index, hook in enumerate(self._hooks):
            try:
                hook.call_started(self._started)
            except Exception:
                self._log_failure(hook, "call_started")
            except BaseException as stop:
                # The call stops here; the hooks told it started (this one
                # too: it may have opened something first) are told it ended.
                self._hooks = self._hooks[: index + 1]
                self.__exit__(type(stop), stop, stop.__traceback__)
                raise
        return self

    def sender(self, send: Send) -> Send:
        """Return what sends each request of the call: ``send``, with the hooks told of it."""
        if not self._request_hooks:
            return send
        return functools.partial(self._send, send)

    def _send(
        self, send: Send, method: str, url: str, *, headers: Mapping[str, str], **rest: Any
    ) -> urllib3.BaseHTTPResponse:
        call = self._started
        added: dict[str, str] = {}
        sending = RequestSending(call.operation, method, call.url_template, url, self._sent, added)
        self._sent += 1
        told: list[Hook] = []
        began = time.perf_counter()
        try:
            for hook in self._request_hooks:
                told.append(hook)
                try:
                    hook.request_sending(sending)
                except Exception:
                    self._log_failure(hook, "request_sending")
            if added:
                headers = self._with_added(headers, added, url)
            began = time.perf_counter()
            response = send(method, url, headers=headers, **rest)
        except BaseException as error:
            self._request_ended(told, sending, None, error, began)
            raise
        self._request_ended(told, sending, response, None, began)
        return response

    def _with_added(
        self, headers: Mapping[str, str], added: dict[str, str], url: str
    ) -> dict[str, str]:
        # After the loop's cross-origin filter: a hook's header may not
        # carry to another origin what the caller's may not.
        foreign = origin(url) != origin(self._started.url)
        merged = dict(headers)
        for name, value in added.items():
            if foreign and name.lower() not in CROSS_ORIGIN_HOOK_HEADERS:
                continue
            try:
                validate_header(name, value)
            except ApiValueError as refused:
                self._logger.warning(
                    "a hook added an invalid header during %s(); it is left out: %s",
                    self._started.operation,
                    refused,
                )
                continue
            # Replaces a header of the same name in any case: never sent twice.
            for existing in [key for key in merged if key.lower() == name.lower()]:
                del merged[existing]
            merged[name] = value
        return merged

    def _request_ended(
        self,
        told: list[Hook],
        sending: RequestSending,
        response: urllib3.BaseHTTPResponse | None,
        error: BaseException | None,
        began: float,
    ) -> None:
        ended = RequestEnded(
            sending.operation,
            sending.method,
            sending.url_template,
            sending.resend_count,
            None if response is None else response.status,
            error,
            None if response is None else _HTTP_VERSIONS.get(response.version),
            time.perf_counter() - began,
        )
        self._tell_ended(reversed(told), "request_ended", ended)

    def attempt_ended(
        self,
        attempt: int,
        began: float,
        *,
        status: int | None = None,
        error: Exception | None = None,
        wait: float | None = None,
    ) -> None:
        """Tell the hooks that attempt ``attempt`` (from 1), begun at ``began``, is over.

        Args:
            attempt: The attempt's number: 1 for the first send.
            began: ``time.perf_counter()`` when it began.
            status: Its response status, if one arrived.
            error: Its exception, if it raised one.
            wait: Seconds until the next attempt, or None when none follows.
        """
        self._attempts, self._status = attempt, status
        call = self._started
        event = AttemptEnded(
            call.operation,
            call.method,
            call.url_template,
            attempt,
            status,
            error,
            time.perf_counter() - began,
            wait,
        )
        for hook in self._hooks:
            try:
                hook.attempt_ended(event)
            except Exception:
                self._log_failure(hook, "attempt_ended")

    def __exit__(
        self,
        error_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        call = self._started
        event = CallEnded(
            call.operation,
            call.method,
            call.url_template,
            self._status,
            _masked(error),
            time.perf_counter() - self._began,
            max(self._attempts - 1, 0),
            isinstance(error, OpenApiException) and error.outcome_unknown,
        )
        # The reverse order of call_started: a hook that opened something
        # (a span made current) closes it after those opened inside it.
        self._tell_ended(reversed(self._hooks), "call_ended", event)

    def _tell_ended(
        self, hooks: Iterable[Hook], method: str, event: RequestEnded | CallEnded
    ) -> None:
        # Every hook is told, whatever the others raise; a BaseException
        # (KeyboardInterrupt, SystemExit) is raised once all have been.
        stop: BaseException | None = None
        for hook in hooks:
            try:
                getattr(hook, method)(event)
            except Exception:
                self._log_failure(hook, method)
            except BaseException as raised:
                stop = stop or raised
        if stop is not None:
            raise stop

    def _log_failure(self, hook: Hook, method: str) -> None:
        self._logger.warning(
            "%s.%s raised during %s(); the call goes on",
            type(hook).__name__,
            method,
            self._started.operation,
            exc_info=True,
        )


def _masked(error: BaseException | None) -> BaseException | None:
    """``error``, or a copy of it whose body has its secret fields masked."""
    if not isinstance(error, ApiException) or not error.body:
        return error
    masked = redact_body(error.body)
    if masked == error.body:
        return error
    view = copy.copy(error)
    view.body = masked
    view.__traceback__, view.__cause__, view.__context__ = (
        error.__traceback__,
        error.__cause__,
        error.__context__,
    )
    view.__suppress_context__ = error.__suppress_context__
    return view


def origin(url: str) -> tuple[str, str | None, int | None]:
    """The scheme, host and port of ``url``: whether a redirect stays with the origin."""
    parts = urlsplit(url)
    default_port = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname, parts.port or default_port
