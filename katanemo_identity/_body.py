"""Response bodies: read whole within a size limit, or let go of cheaply; the connection goes back.

``RESTClientObject.read_body`` and ``RESTClientObject.discard`` are the two
functions of the same names here.
"""

from __future__ import annotations

import http.client

import urllib3
from urllib3.exceptions import HTTPError

from katanemo_identity._transport_errors import total_timeout_error, transport_error
from katanemo_identity.deadline import Deadline
from katanemo_identity.exceptions import ApiResponseTooLargeError

#: Size of each read when the body's length is not known in advance.
_CHUNK = 64 * 1024

#: The largest unwanted body (of a retried status or a redirect) read to
#: keep its connection; a larger or unknown one closes the connection instead.
DISCARD_MAX_BYTES = 64 * 1024


def read_body(
    method: str,
    url: str,
    response: urllib3.BaseHTTPResponse,
    limit: int,
    deadline: Deadline,
) -> bytes:
    """Read the whole body of ``response``, holding at most ``limit`` bytes, then release it.

    Raises:
        ApiResponseTooLargeError: the body is larger than ``limit``.
        ApiTimeoutError: the read timeout or the whole-call limit ran out mid-body.
        ApiConnectionError: the connection broke before the response was
            complete, or the body is shorter than its Content-Length.
    """
    try:
        declared = _content_length(response)
        if declared is not None and "content-encoding" not in response.headers:
            if declared > limit:
                raise _too_large(response, limit)
            body = response.read()
        else:
            body = _read_limited(response, limit)
            if not body and declared is None and _success_ending_at_close(response):
                # A success with no length and nothing before the
                # connection closed: the head may have been cut short, so
                # this is not a reliable empty answer. (An error status
                # arrived whole enough to be raised as itself.)
                raise http.client.IncompleteRead(b"")
    except (HTTPError, OSError, http.client.HTTPException) as error:
        response.close()
        if deadline.expired:
            raise total_timeout_error(method, url, deadline, sent=True) from error
        raise transport_error(method, url, error, sent=True) from error
    finally:
        _release(response)
    if deadline.expired:
        # The watchdog ended the read: what arrived may be cut short.
        raise total_timeout_error(method, url, deadline, sent=True)
    return body


def discard(response: urllib3.BaseHTTPResponse) -> None:
    """Let go of a response whose body is not wanted (a status to retry, a redirect).

    A small body of known length is read, to keep the connection; any
    other closes the connection, so an endless or huge body costs nothing.
    """
    declared = _content_length(response)
    try:
        if (
            declared is not None
            and declared <= DISCARD_MAX_BYTES
            and "content-encoding" not in response.headers
        ):
            response.read()
        else:
            response.close()
    except (HTTPError, OSError, http.client.HTTPException):
        response.close()
    finally:
        _release(response)


def _read_limited(response: urllib3.BaseHTTPResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    held = 0
    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        held += len(chunk)
        if held > limit:
            raise _too_large(response, limit)
        chunks.append(chunk)


def _too_large(response: urllib3.BaseHTTPResponse, limit: int) -> ApiResponseTooLargeError:
    # The rest of the body is never read: closing the connection is cheaper.
    response.close()
    error = ApiResponseTooLargeError(
        response.status,
        response.reason,
        None,
        None,
        response.headers,
        detail=f"The body exceeds {limit} bytes.",
    )
    error.limit = limit
    # As for the same status with a small body: after a 5xx a write may
    # have been applied.
    error.outcome_unknown = 500 <= response.status <= 599
    return error


def _release(response: urllib3.BaseHTTPResponse) -> None:
    """Give the connection ``response`` was read from back to its pool.

    urllib3's responses do it with ``release_conn()``. Stand-ins for them may
    lack it (vcrpy before 9 replays a cassette with such a response), although
    urllib3 lent them a connection all the same; it goes back as
    ``release_conn()`` would send it, so that no pool runs dry.
    """
    release_conn = getattr(response, "release_conn", None)
    if release_conn is not None:
        release_conn()
        return
    pool = getattr(response, "_pool", None)
    connection = getattr(response, "_connection", None)
    if pool is not None and connection is not None:
        response._connection = None  # type: ignore[attr-defined]
        pool._put_conn(connection)


def _content_length(response: urllib3.BaseHTTPResponse) -> int | None:
    """The body length that reading will keep to, or None when the body's end is not known.

    A negative or unreadable Content-Length declares nothing, and neither does
    one beside ``Transfer-Encoding: chunked``, which decides where the body
    ends: trusting either would read a body of any size whole.
    """
    value = response.headers.get("content-length")
    if value is None or "chunked" in response.headers.get("transfer-encoding", "").lower():
        return None
    try:
        length = int(value)
    except ValueError:
        return None
    return length if length >= 0 else None


def _success_ending_at_close(response: urllib3.BaseHTTPResponse) -> bool:
    if not 200 <= response.status <= 299 or response.status == 204:
        return False
    return "chunked" not in response.headers.get("transfer-encoding", "").lower()
