"""Every attempt of one call: when a request is sent again, how long to wait, and when to stop.

``exchange`` is the one loop that owns a call from its first attempt to its
last. Reading it top to bottom gives every rule:

* **The whole-call limit.** A ``Deadline`` is set when the call starts
  (``total_timeout``); every attempt, read and pause is capped at what is
  left of it, and a pause that would cross it is not taken: the last error
  is raised at once (``deadline.py`` ends an attempt that outlives it).
* **The POST rule.** A create is resent only when it provably was not
  processed: on 429, which the API sends before doing any work, or when no
  connection could be made. Never after a 5xx, a lost connection or a read
  timeout, any of which may follow a create that was applied.
* **What is retried.** GET, PUT and DELETE after a lost connection, a body
  cut short, a read or connect timeout, or a status in ``RETRY_STATUSES``;
  never after a TLS failure or a proxy's refusal, which trying again does not mend.
* **A pooled connection found closed.** A GET, PUT or DELETE whose pooled
  connection the server had closed (closed or reset before any answer) is
  sent again at once on a new connection, spending no retry; a POST is not.
* **How long to wait.** ``Retry-After`` on a 429 or 503, when it is no longer
  than ``retry_after_max``; a longer one ends the call at once (retrying
  early only earns another 429). Otherwise exponential backoff with jitter:
  the first retry at once, the n-th after ``factor * 2**(n-1)`` plus up to
  ``factor`` at random, at most ``backoff_max``.
* **Redirects.** A GET follows up to ``MAX_REDIRECTS``; following one never
  spends a retry. Across origins only harmless headers go along; the
  Authorization header, cookies and every header the caller added stay
  with the origin they were meant for. A write follows none.
* **Bodies not wanted.** The answer to a retried status or a redirect is let
  go without reading more than ``_body.DISCARD_MAX_BYTES`` of it.

Each retry is logged at DEBUG on the configuration's logger, with the
operation, attempt, reason and wait, never a path value or a secret. The
same moment, and the end of the last attempt, are told to the call's hooks
(``_observation.CallObservation``), when it has any.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urljoin, urlsplit

from urllib3.util import parse_url

from katanemo_identity._observation import CallObservation, origin
from katanemo_identity.deadline import WATCHDOG, Deadline
from katanemo_identity.exceptions import (
    ApiConnectionError,
    ApiException,
    OpenApiException,
    parse_retry_after,
)

if TYPE_CHECKING:
    import urllib3

    from katanemo_identity.rest import RESTClientObject

#: Methods resent after a lost connection or a retryable status: the API
#: documents them as idempotent.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

#: Statuses that mean "try again": timeout, rate limit, and transient server faults.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

#: The only status on which a POST is resent: the API rejects before acting.
POST_RETRY_STATUSES = frozenset({429})

#: Statuses whose ``Retry-After`` is honoured.
RETRY_AFTER_STATUSES = frozenset({429, 503})

#: Redirect statuses a GET follows, up to ``MAX_REDIRECTS`` of them.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5

#: Headers sent along when a redirect leaves the origin; every other one
#: (Authorization, Cookie, and what the caller added) stays behind.
CROSS_ORIGIN_HEADERS = frozenset({"accept", "accept-encoding", "user-agent"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently one call is retried.

    Attributes:
        retries: Retries after the first attempt; 0 disables them.
        backoff_factor: Base of the exponential backoff, in seconds.
        backoff_max: Longest backoff between two attempts, in seconds.
        retry_after_max: Longest ``Retry-After`` honoured, in seconds.
    """

    retries: int
    backoff_factor: float
    backoff_max: float
    retry_after_max: float

    def retries_status(self, method: str, status: int) -> bool:
        """Whether an answer with ``status`` is worth sending ``method`` again for."""
        if method == "POST":
            return status in POST_RETRY_STATUSES
        return status in RETRY_STATUSES and method in IDEMPOTENT_METHODS

    def retries_error(self, method: str, error: ApiConnectionError) -> bool:
        """Whether a request that failed with ``error`` is worth sending again."""
        if not error.transient:
            return False
        # Not received: safe for any method. Maybe received: only for a
        # method whose repetition changes nothing.
        return not error.outcome_unknown or method in IDEMPOTENT_METHODS

    def wait(self, retry: int, status: int | None, retry_after: str | None) -> float | None:
        """Seconds to wait before retry number ``retry`` (1, 2, ...), or None to stop now.

        Args:
            retry: Which retry this wait comes before.
            status: The status that failed, or None for a transport error.
            retry_after: That answer's ``Retry-After`` header, if any.
        """
        if retry_after is not None and status in RETRY_AFTER_STATUSES:
            seconds = parse_retry_after(retry_after)
            if seconds:
                return seconds if seconds <= self.retry_after_max else None
        return self.backoff(retry)

    def backoff(self, retry: int) -> float:
        """The exponential backoff with jitter before retry number ``retry``."""
        if retry <= 1:
            return 0.0
        factor = self.backoff_factor
        jitter = random.random() * factor  # noqa: S311 (jitter, not cryptography)
        return min(self.backoff_max, factor * 2.0 ** (retry - 1) + jitter)


class Attempted(NamedTuple):
    """What ``exchange`` ends with: the final response, and how it was reached.

    Attributes:
        response: The final response; its body is already read into ``body``
            unless the call asked for it unread.
        body: The whole body, or None when left unread.
        url: The URL that gave the final response (after redirects).
        retries_taken: How many times the request was sent again.
        maybe_received: Whether an earlier attempt may have reached the
            server and been acted on (it was lost, or answered 5xx).
    """

    response: urllib3.BaseHTTPResponse
    body: bytes | None
    url: str
    retries_taken: int
    maybe_received: bool = False


class Request(NamedTuple):
    """What ``exchange`` needs to send: built once by ``ApiClient``, sent per attempt."""

    operation: str
    path: str
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    timeout: tuple[float, float]
    total_timeout: float
    policy: RetryPolicy
    max_response_size: int
    logger: logging.Logger


def exchange(
    rest: RESTClientObject,
    request: Request,
    *,
    read_body: bool = True,
    observation: CallObservation | None = None,
) -> Attempted:
    """Send ``request`` until it succeeds, fails for good, or the whole-call limit runs out.

    Every attempt's end is told to ``observation``: a retried one where its
    retry is logged, the last one where the loop ends. A redirect followed
    is part of its attempt.

    Returns:
        The final response: a success, or an error status that is not
        retried (any more); the caller turns it into a result or exception.

    Raises:
        ApiConnectionError: the last attempt got no complete response
            (``ApiTimeoutError`` when a limit ran out).
        ApiResponseTooLargeError: the final body is larger than the limit.
        ApiClientClosedError, ApiValueError: nothing could be sent.
    """
    policy = request.policy
    method = request.method
    url, headers = request.url, request.headers
    payload, timeout = request.body, request.timeout  # the same for every attempt
    retries_taken = redirects = 0
    maybe_received = False  # whether an earlier attempt may have reached the server
    status: int | None  # the current attempt's; None when it got no answer
    deadline = Deadline(request.total_timeout)
    WATCHDOG.watch(deadline)
    began = time.perf_counter()  # when the current attempt began
    # Every request goes out here: with hooks, through them (trace context added).
    send = rest.send if observation is None else observation.sender(rest.send)

    def read(response: urllib3.BaseHTTPResponse) -> bytes | None:
        # The final answer's body, unless the call asked for it unread.
        if not read_body:
            return None
        return rest.read_body(method, url, response, request.max_response_size, deadline)

    try:
        while True:
            try:
                response = send(
                    method, url, headers=headers, body=payload, timeout=timeout, deadline=deadline
                )
                status = response.status
                if method == "GET" and status in REDIRECT_STATUSES:
                    target = _redirect_target(url, response)
                    if target is not None and redirects < MAX_REDIRECTS:
                        rest.discard(response)
                        headers = _headers_for(target, url, headers)
                        url = target
                        redirects += 1
                        continue
                if retries_taken == policy.retries or not policy.retries_status(method, status):
                    # Read inside the try: a body cut short is retried like a lost connection.
                    body = read(response)
                    break
                failure: ApiConnectionError | None = None
                wait = policy.wait(retries_taken + 1, status, response.headers.get("Retry-After"))
                reason = f"{status} {response.reason or ''}".rstrip()
                maybe_received = maybe_received or status >= 500
            except ApiConnectionError as error:
                maybe_received = maybe_received or error.outcome_unknown
                if error._found_closed and method in IDEMPOTENT_METHODS:
                    # The server closed a pooled connection while it was idle,
                    # and the request found out: urllib3 replaces such a
                    # connection when it notices before sending. The same is
                    # done here: sent again at once, on a new connection,
                    # without spending a retry. Each time retires one pooled
                    # connection, so this ends. Never for a POST: the server
                    # may have read it and acted before closing.
                    _log(request, "sent again on a new connection (%s)", error.args[0])
                    continue
                if retries_taken == policy.retries or not policy.retries_error(method, error):
                    raise
                failure, status = error, None
                wait = policy.backoff(retries_taken + 1)
                reason = f"{type(error).__name__}: {error.args[0]}"
            if wait is None or wait >= deadline.remaining():
                # Retrying early only earns the same answer, and no wait may
                # cross the deadline: the last failure stands, at once.
                if failure is not None:
                    raise failure
                body = read(response)
                break
            if failure is None:
                rest.discard(response)
            retries_taken += 1
            _log(
                request,
                "retry %d of %d after %s, in %.2f s",
                retries_taken,
                policy.retries,
                reason,
                wait,
            )
            if observation is not None:
                observation.attempt_ended(
                    retries_taken, began, status=status, error=failure, wait=wait
                )
            time.sleep(wait)
            began = time.perf_counter()
        if observation is not None:
            observation.attempt_ended(retries_taken + 1, began, status=status)
        return Attempted(response, body, url, retries_taken, maybe_received)
    except OpenApiException as error:
        error.retries_taken = retries_taken
        if maybe_received:
            # Whether the call may have changed anything counts every attempt.
            error.outcome_unknown = True
        if observation is not None:
            answered = error.status if isinstance(error, ApiException) else None
            observation.attempt_ended(retries_taken + 1, began, status=answered, error=error)
        raise
    finally:
        WATCHDOG.unwatch(deadline)


def _log(request: Request, message: str, *arguments: object) -> None:
    # At DEBUG, each line naming the operation and its path template: never a
    # path value, which may be an email.
    request.logger.debug("%s %s: " + message, request.operation, request.path, *arguments)


def _redirect_target(url: str, response: urllib3.BaseHTTPResponse) -> str | None:
    location = response.headers.get("Location")
    if not location:
        return None
    try:
        # urljoin parses too: "http://[::1" raises here, not only in urlsplit.
        target = urljoin(url, location)
        parts = urlsplit(target)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
        # What urllib3 will connect to: a host it cannot use ("a b", or the
        # "http://, http://" of two Location headers) would otherwise fail
        # as if the call had been refused before sending.
        parse_url(target)
    except ValueError:  # LocationParseError included
        return None
    # Not followed with credentials in it (a password comes only after "user@").
    return target if usable and parts.username is None else None


def _headers_for(target: str, previous: str, headers: dict[str, str]) -> dict[str, str]:
    if origin(target) == origin(previous):
        return headers
    return {name: value for name, value in headers.items() if name.lower() in CROSS_ORIGIN_HEADERS}
