"""Connections and pools: urllib3's, taught four things for the whole-call limit and for forks.

A connection records the deadline its request serves, so the watchdog can
end an attempt that outlives it (``deadline.py``); a new connection looks its
host name up, and connects to each of its addresses, within what is left of
that deadline (``_resolver.py``); interim ``1xx`` answers before the final
one are skipped; and a pool can ``retire``: a closed client lets go of its
connections without stranding the calls that wait for one.
"""

from __future__ import annotations

import http.client
import queue
import socket
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
)
from urllib3.util.connection import allowed_gai_family
from urllib3.util.ssl_ import is_ipaddress

from katanemo_identity._resolver import resolve
from katanemo_identity.deadline import Deadline

if TYPE_CHECKING:
    from urllib3._base_connection import BaseHTTPConnection

#: Interim (1xx) answers skipped before the final one; more is a broken peer.
_MAX_INTERIM = 8

# The call whose attempt this thread is sending, for the connection to record.
sending = threading.local()


class InterimSkippingResponse(http.client.HTTPResponse):
    """``http.client``'s response, skipping every interim 1xx answer, not only ``100``."""

    def _read_status(self) -> tuple[str, int, str]:
        version, status, reason = super()._read_status()  # type: ignore[misc]
        if not 100 < status < 200 or status == 101:
            return version, status, reason  # a final answer, or 100 that http.client skips
        # An interim answer (102 Processing, 103 Early Hints, ...) has headers
        # but no body, and the final answer follows it.
        for _ in range(_MAX_INTERIM):
            http.client.parse_headers(self.fp)  # read within the limits of a final answer's
            version, status, reason = super()._read_status()  # type: ignore[misc]
            if not 100 <= status < 200 or status == 101:
                return version, status, reason
        raise http.client.HTTPException(f"more than {_MAX_INTERIM} interim (1xx) answers")


class _WatchedConnection:
    """Mixed into urllib3's connections: records the deadline each request serves."""

    response_class: type[http.client.HTTPResponse] = InterimSkippingResponse
    watched_by: Deadline | None = None
    #: The socket the last request went out on. ``http.client`` lets go of
    #: it (``sock = None``) as soon as an answer that ends at close arrives
    #: (no length, ``Connection: close``, HTTP/1.0), while that answer is
    #: still read from it: the watchdog must still be able to shut it down.
    sent_on: object | None = None

    def request(self, *args: Any, **kwargs: Any) -> None:
        if self.sock is None:  # type: ignore[attr-defined]
            # Connect first, as http.client would on the first write, so that
            # the deadline's ``sent`` means the request itself began to go
            # out: a failure before it (to a proxy too) provably sent nothing.
            self.connect()  # type: ignore[attr-defined]
        deadline: Deadline | None = getattr(sending, "deadline", None)
        if deadline is not None and not deadline.attach(self):  # type: ignore[arg-type]
            raise TimeoutError("the whole-call limit ran out before sending")
        # A pooled connection: its socket already carried an earlier request.
        sending.reused = self.sock is not None and self.sock is self.sent_on  # type: ignore[attr-defined]
        super().request(*args, **kwargs)  # type: ignore[misc]
        self.sent_on = self.sock  # type: ignore[attr-defined]

    def _new_conn(self) -> socket.socket:
        # A new connection within what is left of the call: the name look-up
        # (``_resolver.py``) and each address's connect are capped at it.
        opened: Callable[[], socket.socket] = super()._new_conn  # type: ignore[misc]
        deadline: Deadline | None = getattr(sending, "deadline", None)
        if deadline is None:
            return opened()
        connection = cast("HTTPConnection", self)
        left = deadline.remaining()
        try:
            if left <= 0:
                raise TimeoutError("the whole-call limit ran out before connecting")
            host = connection._dns_host  # the name as given: a trailing dot matters to DNS
            if is_ipaddress(host):
                connection.timeout = min(cast("float", connection.timeout), left)
                return opened()
            return _connect_to_name(connection, host, deadline)
        except (HTTPError, OSError) as error:
            if deadline.remaining() <= 0:
                raise NotConnected(f"for a connection to {connection.host}") from error
            raise


def _connect_to_name(connection: HTTPConnection, host: str, deadline: Deadline) -> socket.socket:
    """Look ``host`` up and connect to its first address that answers, within ``deadline``.

    What urllib3's ``create_connection`` does, but the look-up is bounded and
    each address is tried within what is left of the call, not for a full
    connect timeout each.
    """
    port = connection.port
    try:
        answers = resolve(host, port, allowed_gai_family(), deadline.remaining())
    except socket.gaierror as error:
        raise NameResolutionError(connection.host, connection, error) from error
    timeout = cast("float", connection.timeout)
    failure: OSError | None = None
    for family, kind, protocol, _, address in answers:
        left = min(timeout, deadline.remaining())
        if left <= 0:
            break  # the caller raises ``NotConnected``
        sock = socket.socket(family, kind, protocol)
        try:
            for option in connection.socket_options or ():
                sock.setsockopt(*option)
            sock.settimeout(left)
            if connection.source_address:
                sock.bind(connection.source_address)
            sock.connect(address)
        except OSError as error:
            sock.close()
            failure = error
            continue
        sys.audit("http.client.connect", connection, connection.host, port)
        return sock
    if isinstance(failure, TimeoutError):
        raise ConnectTimeoutError(connection, f"Connection to {connection.host} timed out")
    raise NewConnectionError(
        connection, f"Failed to establish a new connection: {failure or 'no address'}"
    ) from failure


class NotConnected(Exception):
    """The whole-call limit ran out before a connection was made: nothing was sent.

    Not an ``OSError``, so urllib3 lets it through unchanged to ``send``.
    """


class _HTTPConnection(_WatchedConnection, HTTPConnection):
    pass


class _HTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class DetachingPool:
    """Mixed into urllib3's pools: a connection put back serves no call's deadline any more.

    ``retire`` is how a closed client lets go of its connections: urllib3's
    own ``close`` would strand the calls waiting for a free connection.
    """

    pool: queue.LifoQueue[Any] | None
    retiring = False

    def _put_conn(self, conn: BaseHTTPConnection | None) -> None:
        if conn is not None:
            Deadline.detach(conn)  # type: ignore[arg-type]
            if self.retiring:
                conn.close()
        super()._put_conn(conn)  # type: ignore[misc]

    def retire(self) -> None:
        """Close the idle connections now, and each busy one when it comes back."""
        self.retiring = True
        slots = self.pool
        if slots is None:
            return
        # Closed where they lie: every slot stays, so a call waiting for a
        # connection still gets one (and connects anew).
        with slots.mutex:
            for conn in slots.queue:
                if conn is not None:
                    conn.close()


class HTTPPool(DetachingPool, HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class HTTPSPool(DetachingPool, HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection
