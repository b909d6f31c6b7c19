"""Bytes over HTTP: one attempt of one request, bounded in time and size, with typed errors.

``RESTClientObject`` knows nothing of operations, models or retries
(``retry.py`` decides those). It sends one attempt through a urllib3 pool,
within what is left of the call's ``Deadline``, and hands the response back
with its body unread; ``read_body`` and ``discard`` (``_body.py``) finish it.
Each origin (scheme, host, port) is routed once, directly or through the
proxy its ``ProxySettings`` pick (``_proxy.py``), and its pool kept.

The pools are ``_connection.py``'s: they keep each attempt within the
whole-call limit. After ``os.fork()`` a client in the child gets new pools,
so parent and child never share a socket (and so never read each other's
answers). Failures become typed errors in ``_transport_errors.py``.
``ApiException`` is importable from here, where generated clients keep it.
"""

from __future__ import annotations

import functools
import http.client
import os
import ssl
import weakref
from collections.abc import Mapping
from typing import Any

import urllib3
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import EmptyPoolError, HTTPError, LocationValueError
from urllib3.util.retry import Retry

from katanemo_identity import _body
from katanemo_identity._connection import (
    DetachingPool,
    HTTPPool,
    HTTPSPool,
    NotConnected,
    sending,
)
from katanemo_identity._proxy import mask_proxy, proxy_manager
from katanemo_identity._resolver import LookUpTimeout
from katanemo_identity._transport_errors import (
    closed_unanswered,
    look_up_timeout_error,
    total_timeout_error,
    transport_error,
)
from katanemo_identity.configuration import Configuration
from katanemo_identity.deadline import Deadline
from katanemo_identity.exceptions import (
    ApiClientClosedError,
    ApiException,
    ApiValueError,
)

__all__ = ["ApiException", "RESTClientObject"]

#: Origins (scheme, host, port) whose pools are kept: the API's, and a few
#: that redirects lead to.
_MAX_ORIGINS = 8

#: Every pool's retry policy: urllib3 makes one attempt and follows no
#: redirect (each request also says ``redirect=False``); ``retry.py`` owns both.
_ONE_ATTEMPT = Retry(total=False, redirect=False)

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
        # The proxy environment is read once, here, like the other transport settings.
        self._proxies = configuration.proxy_settings()
        self._pool_arguments = _pool_arguments(configuration)
        self._renew_after_fork()
        _CLIENTS.add(self)

    def _renew_after_fork(self) -> None:
        # Also how the pools start. After a fork the child must not touch the
        # parent's sockets, not even to close them politely: it drops them
        # (the parent's stay open) and starts afresh.
        self._routes: dict[str, tuple[HTTPConnectionPool, bool]] = {}
        self._proxy_managers: dict[str, urllib3.ProxyManager] = {}
        self.pool_manager = urllib3.PoolManager(**self._pool_arguments)
        self.pool_manager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}

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
            raise total_timeout_error(method, url, deadline, sent=False)
        connect, read = timeout
        if remaining < connect or remaining < read:
            attempt_timeout = urllib3.Timeout(
                connect=min(connect, remaining), read=min(read, remaining)
            )
        else:
            attempt_timeout = _timeout(connect, read)
        deadline.sent = False
        sending.deadline = deadline
        sending.reused = False
        try:
            pool, target = self._route(url)
            return pool.urlopen(
                method,
                target,
                body,
                headers,
                timeout=attempt_timeout,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                pool_timeout=remaining,  # type: ignore[arg-type]  # a queue timeout: float is fine
            )
        except (EmptyPoolError, NotConnected) as error:
            waiting = str(error) if isinstance(error, NotConnected) else "for a free connection"
            raise total_timeout_error(method, url, deadline, sent=False, waiting=waiting) from error
        except LookUpTimeout as error:
            raise look_up_timeout_error(method, url, deadline, error) from error
        except LocationValueError as error:
            raise ApiValueError(f"cannot send to {url!r}: {error}") from error
        except (HTTPError, OSError) as error:
            if deadline.expired or deadline.remaining() <= 0:
                raise total_timeout_error(method, url, deadline, sent=deadline.sent) from error
            made = transport_error(
                method, url, error, sent=deadline.sent, proxy=self.proxy_for(url)
            )
            made._found_closed = sending.reused and closed_unanswered(error)
            raise made from error
        finally:
            sending.deadline = None

    def proxy_for(self, url: str) -> str | None:
        """The proxy a request to ``url`` goes through, its credentials masked; None for direct."""
        proxy = self._proxies.proxy_for(url) if self._proxies.any else None
        return None if proxy is None else mask_proxy(proxy)

    def _route(self, url: str) -> tuple[HTTPConnectionPool, str]:
        """Return the pool for ``url`` and the target to ask it for.

        Each origin is routed once and its pool kept, which spares every
        call urllib3's parsing of the URL and its pool-key computation, and
        routes a ``Configuration.host`` changed later by the same proxy
        settings. Through a proxy, the proxy manager's pool is used: with the
        absolute URL for a forwarding proxy (http), with the path inside a
        CONNECT tunnel (https).
        """
        slash = url.find("/", url.find("://") + 3)
        origin, target = (url, "/") if slash < 0 else (url[:slash], url[slash:])
        route = self._routes.get(origin)
        if route is None:
            if len(self._routes) >= _MAX_ORIGINS:
                self._routes.clear()
            route = self._routes[origin] = self._new_route(origin)
        pool, forwarded = route
        return pool, url if forwarded else target

    def _new_route(self, origin: str) -> tuple[HTTPConnectionPool, bool]:
        proxy = self._proxies.proxy_for(origin) if self._proxies.any else None
        if proxy is None:
            return self.pool_manager.connection_from_url(origin), False
        manager = self._proxy_managers.get(proxy)
        if manager is None:
            made = proxy_manager(proxy, self.configuration.proxy_headers, self._pool_arguments)
            made.pool_classes_by_scheme = self.pool_manager.pool_classes_by_scheme
            manager = self._proxy_managers.setdefault(proxy, made)
        return manager.connection_from_url(origin), origin.startswith("http:")

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
            declared = _body.content_length(response)
            if declared is not None and "content-encoding" not in response.headers:
                if declared > limit:
                    raise _body.too_large(response, limit)
                body = response.read()
            else:
                body = _body.read_limited(response, limit)
                if not body and declared is None and _body.success_ending_at_close(response):
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
            _body.release(response)
        if deadline.expired:
            # The watchdog ended the read: what arrived may be cut short.
            raise total_timeout_error(method, url, deadline, sent=True)
        return body

    def discard(self, response: urllib3.BaseHTTPResponse) -> None:
        """Let go of a response whose body is not wanted (a status to retry, a redirect).

        A small body of known length is read, to keep the connection; any
        other closes the connection, so an endless or huge body costs nothing.
        """
        declared = _body.content_length(response)
        try:
            if (
                declared is not None
                and declared <= _body.DISCARD_MAX_BYTES
                and "content-encoding" not in response.headers
            ):
                response.read()
            else:
                response.close()
        except (HTTPError, OSError, http.client.HTTPException):
            response.close()
        finally:
            _body.release(response)

    def close(self) -> None:
        """Close every pooled connection; later calls raise ``ApiClientClosedError``."""
        self.closed = True
        for manager in (self.pool_manager, *self._proxy_managers.values()):
            for key in manager.pools.keys():  # noqa: SIM118 (the container is not iterable)
                pool = manager.pools.get(key)
                if isinstance(pool, DetachingPool):
                    pool.retire()
            manager.clear()
        for pool, _ in self._routes.values():  # those the managers had already let go of
            if isinstance(pool, DetachingPool):
                pool.retire()
        self._routes.clear()


@functools.lru_cache(maxsize=16)
def _timeout(connect: float, read: float) -> urllib3.Timeout:
    # Calls nearly always use the same few timeouts: each pair is converted
    # once (urllib3 copies the object per request, so it can be shared).
    return urllib3.Timeout(connect=connect, read=read)


def _pool_arguments(configuration: Configuration) -> dict[str, Any]:
    """The pool and TLS arguments every pool manager of a client shares."""
    arguments: dict[str, Any] = {
        "num_pools": _MAX_ORIGINS,
        "maxsize": configuration.connection_pool_maxsize,
        # Wait for a free connection rather than open one the pool would
        # then discard: the pool size is a real bound.
        "block": True,
        # Each request is one attempt: retry.py decides what is sent again.
        "retries": _ONE_ATTEMPT,
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


def _after_fork_in_child() -> None:
    for client in list(_CLIENTS):
        client._renew_after_fork()


if hasattr(os, "register_at_fork"):  # absent where processes do not fork (Windows)
    os.register_at_fork(after_in_child=_after_fork_in_child)
