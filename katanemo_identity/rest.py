"""Bytes over HTTP: one attempt of one request, bounded in time and size, with typed errors.

``RESTClientObject`` knows nothing of operations, models or retries
(``retry.py`` decides those). It sends one attempt through a urllib3 pool,
within what is left of the call's ``Deadline``; reads a body within the size
limit, or lets go of an unwanted one without reading more than a little; and
turns every urllib3 or socket failure into an ``ApiConnectionError`` or
``ApiTimeoutError`` that says whether the request may have reached the server.
``ProxyRoutingPoolManager`` decides, once per scheme, host and port, whether
a request goes directly or through a proxy (``configuration.ProxySettings``).

The pools are this module's own small subclasses of urllib3's, for four
things urllib3 does not do: a connection records the deadline it serves, so
the watchdog can end an attempt that outlives it (``deadline.py``); a new
connection looks its host name up, and connects to each of its addresses,
within what is left of that deadline (``_resolver.py``); interim
``1xx`` answers before the final one are skipped; and after ``os.fork()``
a client in the child gets new pools, so parent and child never share a
socket (and so never read each other's answers). ``ApiException`` is
importable from here, where generated clients keep it.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import ipaddress
import os
import queue
import socket
import ssl
import sys
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ClosedPoolError,
    ConnectTimeoutError,
    EmptyPoolError,
    HTTPError,
    LocationValueError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util.connection import allowed_gai_family
from urllib3.util.retry import Retry

from katanemo_identity._resolver import LookUpTimeout, resolve
from katanemo_identity.configuration import Configuration, ProxySettings, mask_proxy
from katanemo_identity.deadline import Deadline
from katanemo_identity.exceptions import (
    ApiClientClosedError,
    ApiConnectionError,
    ApiException,
    ApiResponseTooLargeError,
    ApiTimeoutError,
    ApiValueError,
)

if TYPE_CHECKING:
    from urllib3._base_connection import BaseHTTPConnection

__all__ = ["ApiException", "RESTClientObject"]

#: Size of each read when the body's length is not known in advance.
_CHUNK = 64 * 1024

#: The largest unwanted body (of a retried status or a redirect) read to
#: keep its connection; a larger or unknown one closes the connection instead.
DISCARD_MAX_BYTES = 64 * 1024

#: Origins (scheme, host, port) whose pools are kept: the API's, and a few
#: that redirects lead to.
_MAX_ORIGINS = 8

#: Interim (1xx) answers skipped before the final one; more is a broken peer.
_MAX_INTERIM = 8

#: Limits on an interim answer's headers, as ``http.client`` sets for the final one.
_MAX_HEADER_LINES = 101
_MAX_LINE = 65537

#: urllib3 does one attempt and follows no redirect: ``retry.py`` owns both.
_ONE_ATTEMPT = Retry(total=False, redirect=False)

# The call whose attempt this thread is sending, for the connection to record.
_sending = threading.local()


class _Response(http.client.HTTPResponse):
    """``http.client``'s response, skipping every interim 1xx answer, not only ``100``."""

    def _read_status(self) -> tuple[str, int, str]:
        version, status, reason = super()._read_status()  # type: ignore[misc]
        if 100 < status < 200 and status != 101:
            return self._after_interim()
        return version, status, reason

    def _after_interim(self) -> tuple[str, int, str]:
        # An interim answer (102 Processing, 103 Early Hints, ...) has headers
        # but no body, and the final answer follows it.
        for _ in range(_MAX_INTERIM):
            for _ in range(_MAX_HEADER_LINES):
                if self.fp.readline(_MAX_LINE) in (b"\r\n", b"\n", b""):
                    break
            else:
                raise http.client.HTTPException("an interim answer has too many headers")
            version, status, reason = super()._read_status()  # type: ignore[misc]
            if not 100 <= status < 200 or status == 101:
                return version, status, reason
        raise http.client.HTTPException(f"more than {_MAX_INTERIM} interim (1xx) answers")


class _WatchedConnection:
    """Mixed into urllib3's connections: records the deadline each request serves."""

    response_class: type[http.client.HTTPResponse] = _Response
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
        deadline: Deadline | None = getattr(_sending, "deadline", None)
        if deadline is not None and not deadline.attach(self):  # type: ignore[arg-type]
            raise TimeoutError("the whole-call limit ran out before sending")
        # A pooled connection: its socket already carried an earlier request.
        _sending.reused = self.sock is not None and self.sock is self.sent_on  # type: ignore[attr-defined]
        super().request(*args, **kwargs)  # type: ignore[misc]
        self.sent_on = self.sock  # type: ignore[attr-defined]

    def _new_conn(self) -> socket.socket:
        # A new connection within what is left of the call: the name look-up
        # (``_resolver.py``) and each address's connect are capped at it.
        opened: Callable[[], socket.socket] = super()._new_conn  # type: ignore[misc]
        deadline: Deadline | None = getattr(_sending, "deadline", None)
        if deadline is None:
            return opened()
        connection = cast("HTTPConnection", self)
        left = deadline.remaining()
        try:
            if left <= 0:
                raise TimeoutError("the whole-call limit ran out before connecting")
            host = connection._dns_host  # the name as given: a trailing dot matters to DNS
            if _is_ip_literal(host):
                connection.timeout = min(cast("float", connection.timeout), left)
                return opened()
            return _connect_to_name(connection, host, deadline)
        except (HTTPError, OSError) as error:
            if deadline.remaining() <= 0:
                raise _NotConnected(f"for a connection to {connection.host}") from error
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
            break  # the caller raises ``_NotConnected``
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


class _NotConnected(Exception):
    """The whole-call limit ran out before a connection was made: nothing was sent.

    Not an ``OSError``, so urllib3 lets it through unchanged to ``send``.
    """


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class _HTTPConnection(_WatchedConnection, HTTPConnection):
    pass


class _HTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _DetachingPool:
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
        idle: list[BaseHTTPConnection | None] = []
        slots = self.pool
        if slots is None:
            return
        with contextlib.suppress(queue.Empty):
            while True:
                idle.append(slots.get(block=False))
        for conn in idle:
            if conn is not None:
                conn.close()
            # The slot goes back, so a call waiting for a connection still gets one.
            slots.put(conn, block=False)


class _HTTPPool(_DetachingPool, HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(_DetachingPool, HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


#: Every live client, so that a forked child can give each new pools.
_CLIENTS: weakref.WeakSet[RESTClientObject] = weakref.WeakSet()


class RESTClientObject:
    """Sends requests through one thread-safe urllib3 pool manager.

    At most ``connection_pool_maxsize`` connections per host are open at
    once; a call that finds them all busy waits for one, within its
    whole-call limit.

    Args:
        configuration: TLS, proxy and pool settings are read from it once, here.
    """

    def __init__(self, configuration: Configuration) -> None:
        self.configuration = configuration
        self.closed = False
        self._last_timeout: tuple[tuple[float, float], urllib3.Timeout] | None = None
        self._pools: dict[str, HTTPConnectionPool] = {}
        # The proxy environment is read once, here, like the other transport settings.
        self._proxies = configuration.proxy_settings()
        self.pool_manager = self._new_pool_manager()
        _CLIENTS.add(self)

    def _new_pool_manager(self) -> ProxyRoutingPoolManager:
        manager = ProxyRoutingPoolManager(
            self._proxies, self.configuration.proxy_headers, **_pool_arguments(self.configuration)
        )
        manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        return manager

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout: tuple[float, float],
        deadline: Deadline,
    ) -> urllib3.BaseHTTPResponse:
        """Send one attempt and return the response with its body unread.

        ``timeout`` is the ``(connect, read)`` pair; every wait, those
        included, is capped at what is left of ``deadline``.

        Raises:
            ApiClientClosedError: the client was closed.
            ApiTimeoutError: the connect, read or whole-call limit ran out.
            ApiConnectionError: no response could be had.
            ApiValueError: the URL cannot be used.
        """
        if self.closed:
            raise ApiClientClosedError(
                "this ApiClient was closed; create a new one to make more calls"
            )
        remaining = deadline.remaining()
        if remaining <= 0:
            raise _total_timeout(method, url, deadline, sent=False)
        connect, read = timeout
        if remaining < connect or remaining < read:
            attempt_timeout = urllib3.Timeout(
                connect=min(connect, remaining), read=min(read, remaining)
            )
        else:
            attempt_timeout = self._timeout(timeout)
        deadline.sent = False
        _sending.deadline = deadline
        _sending.reused = False
        try:
            pool, target = self._route(url)
            return pool.urlopen(
                method,
                target,
                body=body,
                headers=headers,
                timeout=attempt_timeout,
                retries=_ONE_ATTEMPT,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                pool_timeout=remaining,  # type: ignore[arg-type]  # a queue timeout: float is fine
            )
        except ClosedPoolError as error:
            if self.closed:
                raise ApiClientClosedError("this ApiClient was closed during the call") from error
            self._pools.clear()
            made = ApiConnectionError("the connection pool was replaced", outcome_unknown=False)
            made.method, made.url = method, url
            raise made from error
        except EmptyPoolError as error:
            raise _total_timeout(
                method, url, deadline, sent=False, waiting="for a free connection"
            ) from error
        except _NotConnected as error:
            raise _total_timeout(method, url, deadline, sent=False, waiting=str(error)) from error
        except LookUpTimeout as error:
            if not error.busy:
                raise _total_timeout(
                    method,
                    url,
                    deadline,
                    sent=False,
                    waiting=f"for the name {error.host!r} to resolve",
                ) from error
            made = ApiTimeoutError(
                f"the name {error.host!r} could not be looked up: every resolver thread is "
                "still held by a look-up that outlived its call",
                outcome_unknown=False,
                expired="connect",
            )
            made.method, made.url = method, url
            raise made from error
        except LocationValueError as error:
            raise ApiValueError(f"cannot send to {url!r}: {error}") from error
        except (HTTPError, OSError) as error:
            if deadline.expired or deadline.remaining() <= 0:
                raise _total_timeout(method, url, deadline, sent=deadline.sent) from error
            made = transport_error(
                method, url, error, sent=deadline.sent, proxy=self.proxy_for(url)
            )
            made._found_closed = _sending.reused and _closed_unanswered(error)
            raise made from error
        finally:
            _sending.deadline = None

    def proxy_for(self, url: str) -> str | None:
        """The proxy a request to ``url`` goes through, its credentials masked; None for direct."""
        proxy = self._proxies.proxy_for(url) if self._proxies.any else None
        return None if proxy is None else mask_proxy(proxy)

    def _route(self, url: str) -> tuple[HTTPConnectionPool, str]:
        """Return the pool for ``url`` and the target to ask it for.

        Each origin's pool is looked up once and kept, which spares every
        call urllib3's parsing of the URL and its pool-key computation.
        Through a proxy, the proxy manager's pool is used: with the absolute
        URL for a forwarding proxy (http), with the path inside a CONNECT
        tunnel (https).
        """
        slash = url.find("/", url.find("://") + 3)
        origin, target = (url, "/") if slash < 0 else (url[:slash], url[slash:])
        proxy = self.pool_manager.proxy_manager_for(url)
        if proxy is not None:
            return proxy.connection_from_url(url), url if url.startswith("http:") else target
        pool = self._pools.get(origin)
        if pool is None or pool.pool is None:  # new, or closed when the manager let it go
            if len(self._pools) >= _MAX_ORIGINS:
                self._pools.clear()
            pool = self._pools[origin] = self.pool_manager.connection_from_url(origin)
        return pool, target

    def _timeout(self, setting: tuple[float, float]) -> urllib3.Timeout:
        # Calls of a client nearly always use the same timeouts: the last
        # pair converted is kept, so no cache can grow without bound.
        cached = self._last_timeout
        if cached is None or cached[0] != setting:
            cached = self._last_timeout = (
                setting,
                urllib3.Timeout(connect=setting[0], read=setting[1]),
            )
        return cached[1]

    def read_body(
        self,
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
                    raise self._too_large(response, limit)
                body = response.read()
            else:
                body = self._read_limited(response, limit)
                if not body and declared is None and _success_ending_at_close(response):
                    # A success with no length and nothing before the
                    # connection closed: the head may have been cut short, so
                    # this is not a reliable empty answer. (An error status
                    # arrived whole enough to be raised as itself.)
                    raise http.client.IncompleteRead(b"")
        except (HTTPError, OSError, http.client.HTTPException) as error:
            response.close()
            if deadline.expired:
                raise _total_timeout(method, url, deadline, sent=True) from error
            raise transport_error(method, url, error, sent=True) from error
        finally:
            _release(response)
        if deadline.expired:
            # The watchdog ended the read: what arrived may be cut short.
            raise _total_timeout(method, url, deadline, sent=True)
        return body

    def discard(self, response: urllib3.BaseHTTPResponse) -> None:
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

    def _read_limited(self, response: urllib3.BaseHTTPResponse, limit: int) -> bytes:
        chunks: list[bytes] = []
        held = 0
        while True:
            chunk = response.read(_CHUNK)
            if not chunk:
                return b"".join(chunks)
            held += len(chunk)
            if held > limit:
                raise self._too_large(response, limit)
            chunks.append(chunk)

    @staticmethod
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

    def close(self) -> None:
        """Close every pooled connection; later calls raise ``ApiClientClosedError``."""
        self.closed = True
        self.pool_manager.clear()
        for pool in self._pools.values():  # those the manager has already let go of
            if isinstance(pool, _DetachingPool):
                pool.retire()
        self._pools.clear()

    def _renew_after_fork(self) -> None:
        # The child must not touch the parent's sockets, not even to close
        # them politely: it drops them (the parent's stay open) and starts
        # afresh.
        self._pools = {}
        self.pool_manager = self._new_pool_manager()


def _pool_arguments(configuration: Configuration) -> dict[str, Any]:
    """The pool and TLS arguments every pool manager of a client shares."""
    arguments: dict[str, Any] = {
        "num_pools": _MAX_ORIGINS,
        "maxsize": configuration.connection_pool_maxsize,
        # Wait for a free connection rather than open one the pool would
        # then discard: the pool size is a real bound.
        "block": True,
    }
    if configuration.ssl_context is not None:
        # The context decides verification and client certificates on its own.
        arguments["ssl_context"] = configuration.ssl_context
    else:
        arguments["cert_reqs"] = ssl.CERT_REQUIRED if configuration.verify_ssl else ssl.CERT_NONE
        arguments["ca_certs"] = configuration.ssl_ca_cert
        arguments["cert_file"] = configuration.cert_file
        arguments["key_file"] = configuration.key_file
    return arguments


class ProxyRoutingPoolManager(urllib3.PoolManager):
    """A pool manager for direct connections that knows, per host, which proxy to use instead.

    ``proxy_manager_for`` decides once per scheme, host and port and keeps
    the answer, so a ``Configuration`` whose ``host`` changes after the
    client was created is still routed by its proxy settings. Each proxy
    gets one ``urllib3.ProxyManager``, with this manager's pool classes.

    Args:
        proxies: The rules that pick a request's proxy.
        proxy_headers: Headers sent to every proxy (``Proxy-Authorization``).
        pool_arguments: Passed to every pool manager (sizes, TLS).
    """

    #: Routes kept before the table starts again; hosts are few in practice.
    MAX_ROUTES = 256

    def __init__(
        self,
        proxies: ProxySettings,
        proxy_headers: Mapping[str, str] | None,
        **pool_arguments: Any,
    ) -> None:
        super().__init__(**pool_arguments)
        self.proxies = proxies
        self._proxy_headers = dict(proxy_headers or {})
        self._pool_arguments = pool_arguments
        self._routes: dict[tuple[str, str], urllib3.ProxyManager | None] = {}
        self._proxy_managers: dict[str, urllib3.ProxyManager] = {}
        self._routes_lock = threading.Lock()

    def proxy_manager_for(self, url: str) -> urllib3.ProxyManager | None:
        """Return the ``ProxyManager`` a request to ``url`` goes through, or None for direct."""
        if not self.proxies.any:
            return None
        scheme, _, rest = url.partition("://")
        key = (scheme.lower(), rest.partition("/")[0].rpartition("@")[2].lower())
        try:
            return self._routes[key]
        except KeyError:
            pass
        proxy = self.proxies.proxy_for(url)
        with self._routes_lock:
            if len(self._routes) >= self.MAX_ROUTES:
                self._routes.clear()
            manager = None if proxy is None else self._proxy_manager(proxy)
            self._routes[key] = manager
        return manager

    def _proxy_manager(self, proxy: str) -> urllib3.ProxyManager:
        manager = self._proxy_managers.get(proxy)
        if manager is None:
            url, headers = split_proxy_credentials(proxy, self._proxy_headers)
            arguments = dict(self._pool_arguments)
            if "ssl_context" in arguments and url.startswith("https:"):
                # Inside a tunnel urllib3 verifies an https:// proxy with its
                # own context: the caller's must verify the proxy too, as
                # ssl_ca_cert does.
                arguments["proxy_ssl_context"] = arguments["ssl_context"]
            manager = urllib3.ProxyManager(url, proxy_headers=headers, **arguments)
            manager.pool_classes_by_scheme = self.pool_classes_by_scheme
            self._proxy_managers[proxy] = manager
        return manager

    def clear(self) -> None:
        """Close every pooled connection, direct and through proxies; calls in flight finish."""
        with self._routes_lock:
            managers = [self, *self._proxy_managers.values()]
        for manager in managers:
            for key in manager.pools.keys():  # noqa: SIM118 (the container is not iterable)
                pool = manager.pools.get(key)
                if isinstance(pool, _DetachingPool):
                    pool.retire()
            urllib3.PoolManager.clear(manager)


def split_proxy_credentials(proxy: str, headers: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """Move the credentials of ``http://user:pass@proxy`` into a ``Proxy-Authorization`` header.

    The URL returned carries no credentials, so none can appear in a
    connection error; a ``Proxy-Authorization`` in ``headers`` wins.

    Returns:
        The proxy URL without credentials, and the headers for the proxy.
    """
    parts = urlsplit(proxy)
    headers = dict(headers)
    if parts.username is None and parts.password is None:
        return proxy, headers
    credentials = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
    if not any(name.lower() == "proxy-authorization" for name in headers):
        encoded = base64.b64encode(credentials.encode("utf-8")).decode("ascii")
        headers["Proxy-Authorization"] = "Basic " + encoded
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl(), headers


def _after_fork_in_child() -> None:
    for client in list(_CLIENTS):
        client._renew_after_fork()


if hasattr(os, "register_at_fork"):  # absent where processes do not fork (Windows)
    os.register_at_fork(after_in_child=_after_fork_in_child)


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


def _closed_unanswered(error: BaseException) -> bool:
    """Whether ``error`` is the peer closing or resetting the connection before any answer."""
    if isinstance(error, ProtocolError) and len(error.args) > 1:
        error = error.args[1]  # urllib3's wrapper of what the socket or http.client raised
    # RemoteDisconnected ("closed without response") is a ConnectionResetError.
    return isinstance(error, (ConnectionResetError, BrokenPipeError))


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


def _total_timeout(
    method: str, url: str, deadline: Deadline, *, sent: bool, waiting: str = ""
) -> ApiTimeoutError:
    what = f"the whole-call limit (total_timeout={deadline.limit:g} s) ran out"
    if waiting:
        what += f" waiting {waiting}"
    error = ApiTimeoutError(what, outcome_unknown=sent, expired="total")
    error.method, error.url = method, url
    return error


def transport_error(
    method: str, url: str, error: BaseException, *, sent: bool, proxy: str | None = None
) -> ApiConnectionError:
    """Translate a urllib3 or socket failure into this SDK's typed error.

    Whether the request may have reached the server follows from ``sent``
    alone, never from urllib3's label: through a forwarding proxy urllib3
    calls a connection lost after the request went out "Unable to connect
    to proxy" (the connection forgets it had reached the proxy when it closes).

    Args:
        method: The request's method, for the error.
        url: The request's URL, for the error.
        error: What urllib3 or the socket raised.
        sent: Whether the request began to go out on an established
            connection (past the proxy's tunnel, when there is one).
        proxy: The proxy the request was routed through, credentials masked.
    """
    labelled_proxy = isinstance(error, ProxyError)
    if isinstance(error, (ProxyError, ProtocolError)) and isinstance(error.args[-1], BaseException):
        error = error.args[-1]  # urllib3's wrapper around what happened
    # Before the request was sent, through a proxy, every failure happened
    # at the proxy, except TLS with the server inside the tunnel (which
    # urllib3 does not label a proxy error). After, the proxy only relays.
    blamed = proxy if not sent and (labelled_proxy or not _is_tls(error)) else None
    to = f" to the proxy {proxy}" if blamed else ""
    made: ApiConnectionError
    if sent:
        if isinstance(error, ReadTimeoutError):
            made = ApiTimeoutError(
                "timed out waiting for the response", outcome_unknown=True, expired="read"
            )
        else:
            through = f" (through the proxy {proxy})" if proxy else ""
            made = ApiConnectionError(
                f"connection lost{through}: {_reason(error)}", outcome_unknown=True
            )
    elif isinstance(error, NewConnectionError):
        # Includes name resolution failures: the request never left.
        made = ApiConnectionError(f"could not connect{to}: {_reason(error)}", outcome_unknown=False)
    elif isinstance(error, (ConnectTimeoutError, ReadTimeoutError, TimeoutError)):
        # A read timeout before sending is a TLS handshake or a CONNECT that
        # got no answer: part of connecting.
        made = ApiTimeoutError(
            f"timed out connecting{to}", outcome_unknown=False, expired="connect"
        )
    elif _is_tls(error):
        settings = "ssl_ca_cert or ssl_context" if blamed else "verify_ssl and ssl_ca_cert"
        made = ApiConnectionError(
            f"TLS{' with the proxy ' + blamed if blamed else ''} failed ({_reason(error)}); "
            f"check {settings}",
            outcome_unknown=False,
        )
        made.transient = False
        if blamed:
            made.advice = (
                "Check that the proxy's certificate is trusted: ssl_ca_cert and ssl_context "
                "verify an https:// proxy as they verify the server."
            )
    elif str(error).startswith("Tunnel connection failed: "):
        answer = str(error).partition(": ")[2]
        made = ApiConnectionError(
            f"the proxy {proxy} refused to open a tunnel to the server: {answer}",
            outcome_unknown=False,
        )
        made.transient = answer[:1] == "5"  # it could not reach the server, this time
        made.advice = _refusal_advice(answer)
    else:
        made = ApiConnectionError(
            f"connection{to} lost before the request was sent: {_reason(error)}",
            outcome_unknown=False,
        )
    if blamed:
        made.proxy = blamed
        if made.advice is ApiConnectionError.advice:
            made.advice = _PROXY_ADVICE
    made.method, made.url = method, url
    return made


#: What to do when the proxy could not be reached or dropped the connection.
_PROXY_ADVICE = (
    "Check that the proxy is running and that its URL (Configuration.proxy, or "
    "$HTTPS_PROXY, $HTTP_PROXY, $ALL_PROXY) is right, then retry."
)


def _refusal_advice(answer: str) -> str:
    if answer[:3] in ("401", "407"):
        return (
            "The proxy refused its credentials: check the user and password in the proxy URL "
            "(or Proxy-Authorization in proxy_headers)."
        )
    return "Check that the proxy lets clients reach the server's host and port."


def _is_tls(error: BaseException) -> bool:
    return isinstance(error, (SSLError, ssl.SSLError, ssl.CertificateError))


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    # urllib3 prefixes the connection object's repr; keep the human part.
    head, separator, rest = text.partition(": ")
    if separator and (head.startswith("<") or head.endswith(")")):
        return rest
    return text
