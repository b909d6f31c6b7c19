"""Response bodies: how long they say they are, read within a size limit, the connection given back.

What ``RESTClientObject.read_body`` and ``RESTClientObject.discard`` use.
"""

from __future__ import annotations

import urllib3

from katanemo_identity.exceptions import ApiResponseTooLargeError

#: Size of each read when the body's length is not known in advance.
_CHUNK = 64 * 1024

#: The largest unwanted body (of a retried status or a redirect) read to
#: keep its connection; a larger or unknown one closes the connection instead.
DISCARD_MAX_BYTES = 64 * 1024


def read_limited(response: urllib3.BaseHTTPResponse, limit: int) -> bytes:
    """Read a body of unknown length, chunk by chunk, refusing it past ``limit`` bytes."""
    chunks: list[bytes] = []
    held = 0
    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        held += len(chunk)
        if held > limit:
            raise too_large(response, limit)
        chunks.append(chunk)


def too_large(response: urllib3.BaseHTTPResponse, limit: int) -> ApiResponseTooLargeError:
    """Close ``response`` unread and return the error its size earns."""
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


def release(response: urllib3.BaseHTTPResponse) -> None:
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


def content_length(response: urllib3.BaseHTTPResponse) -> int | None:
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


def success_ending_at_close(response: urllib3.BaseHTTPResponse) -> bool:
    """Whether ``response`` is a success whose body, of no declared length, ends at close."""
    if not 200 <= response.status <= 299 or response.status == 204:
        return False
    return "chunked" not in response.headers.get("transfer-encoding", "").lower()
