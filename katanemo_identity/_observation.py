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
from collections.abc import Callable, Mapping, Sequence
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

    def __init__(self, hooks: Sequence[Hook], logger: logging.Logger, started: CallStarted) -> None:
        self._hooks = tuple(hooks)
        self._logger = logger
        self._started = started
        # What every event begins with: the operation, its method and its URL template.
        self._names = (started.operation, started.method, started.url_template)
        self._attempts = 0
        self._sent = 0
        self._status: int | None = None
        self._began = time.perf_counter()
        # Only hooks that want requests are told of them; with none, a
        # request is sent as if there were no hooks.
        self._request_hooks = tuple(
            hook
            for hook in self._hooks
            if type(hook).request_sending is not Hook.request_sending
            or type(hook).request_ended is not Hook.request_ended
        )

    def __enter__(self) -> CallObservation:
        for index, hook in enumerate(self._hooks):
            try:
                self._tell(hook, "call_started", self._started)
            except BaseException as stop:
                # The call stops here; the hooks told it started (this one
                # too: it may have opened something first) are told it ended.
                self._hooks = self._hooks[: index + 1]
                self.__exit__(type(stop), stop, stop.__traceback__)
                raise
        return self

    def sender(self, send: Send) -> Send:
        """Return what sends each request of the call: ``send``, with the hooks told of it."""
        return functools.partial(self._send, send) if self._request_hooks else send

    def _send(
        self, send: Send, method: str, url: str, *, headers: Mapping[str, str], **rest: Any
    ) -> urllib3.BaseHTTPResponse:
        sent = RequestSending(*self._names, url, self._sent, {})
        self._sent += 1
        told: list[Hook] = []
        response: urllib3.BaseHTTPResponse | None = None
        error: BaseException | None = None
        began = time.perf_counter()
        try:
            for hook in self._request_hooks:
                told.append(hook)
                self._tell(hook, "request_sending", sent)
            if sent.extra_headers:
                headers = self._with_added(headers, sent)
            began = time.perf_counter()
            response = send(method, url, headers=headers, **rest)
            return response
        except BaseException as raised:
            error = raised
            raise
        finally:
            version = None if response is None else _HTTP_VERSIONS.get(response.version)
            status = None if response is None else response.status
            elapsed = time.perf_counter() - began
            ended = RequestEnded(*self._names, sent.resend_count, status, error, version, elapsed)
            self._tell_ended(told, "request_ended", ended)

    def _with_added(self, headers: Mapping[str, str], sent: RequestSending) -> dict[str, str]:
        # After the loop's cross-origin filter: a hook's header may not
        # carry to another origin what the caller's may not.
        foreign = origin(sent.url) != origin(self._started.url)
        merged = dict(headers)
        for name, value in sent.extra_headers.items():
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
        elapsed = time.perf_counter() - began
        event = AttemptEnded(*self._names, attempt, status, error, elapsed, wait)
        for hook in self._hooks:
            self._tell(hook, "attempt_ended", event)

    def __exit__(self, error_type: object, error: BaseException | None, traceback: object) -> None:
        elapsed = time.perf_counter() - self._began
        retries = max(self._attempts - 1, 0)
        unknown = isinstance(error, OpenApiException) and error.outcome_unknown
        ended = CallEnded(*self._names, self._status, _masked(error), elapsed, retries, unknown)
        self._tell_ended(self._hooks, "call_ended", ended)

    def _tell_ended(self, hooks: Sequence[Hook], method: str, event: object) -> None:
        # In the reverse order of the starts: a hook that opened something (a
        # span made current) closes it after those opened inside it. Every
        # hook is told, whatever the others raise; a BaseException
        # (KeyboardInterrupt, SystemExit) is raised once all have been.
        stop: BaseException | None = None
        for hook in reversed(hooks):
            try:
                self._tell(hook, method, event)
            except BaseException as raised:
                stop = stop or raised
        if stop is not None:
            raise stop

    def _tell(self, hook: Hook, method: str, event: object) -> None:
        # A hook's Exception is logged and the call goes on; a BaseException
        # is the caller's to handle.
        try:
            getattr(hook, method)(event)
        except Exception:
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
    # What copy leaves behind: where it was raised, and what it was raised from.
    for name in ("__traceback__", "__cause__", "__context__", "__suppress_context__"):
        setattr(view, name, getattr(error, name))
    return view


def origin(url: str) -> tuple[str, str | None, int]:
    """The scheme, host and port of ``url``: whether a redirect stays with the origin."""
    parts = urlsplit(url)
    default_port = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname, parts.port or default_port
