"""``IdentityServer``: a stateful, local Katanemo Identity API over real HTTP.

::

    from katanemo_identity.testing import IdentityServer

    with IdentityServer() as server:
        configuration = katanemo_identity.Configuration(host=server.url)
        ...
        server.inject(status=503, times=2, match="GET /org/acme/user")
        assert len(server.requests) == 3

The server implements the eight operations with the semantics of the real
service (fresh ids and secrets, 409 on duplicates, 404 on unknown ids, 400 on
bad bodies, accounts isolated from each other), optionally requires a bearer
token and enforces a rate limit, lets tests inject faults, and records every
request it receives. Where the service's rules are stricter than the API
document (``SERVICE_RULES``), ``rules="document"`` drops them. See
``docs/testing.md``.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from katanemo_identity.testing._api import SERVICE_RULES, Api, Rules
from katanemo_identity.testing._faults import Fault, FaultRules, RecordedRequest
from katanemo_identity.testing._http import HttpServer, ServerState
from katanemo_identity.testing._ratelimit import RateLimiter
from katanemo_identity.testing._store import Store

if TYPE_CHECKING:
    from typing_extensions import Self

#: Seconds between checks for stop(): the most stop() waits for the serving loop.
POLL_INTERVAL = 0.05


class IdentityServer:
    """A local Katanemo Identity API for tests and development.

    Nothing is bound until ``start()`` (or ``serve_forever()``, or entering
    the ``with`` block). A stopped server can be started again: with ``db``
    its state is back, without it the state starts empty.

    Args:
        host: Address to listen on.
        port: Port to listen on; 0 picks a free one (read it from ``url``).
        access_token: When set, every request must carry
            ``Authorization: Bearer <access_token>`` or gets 401.
        rate_limit: When set, each client (its bearer token, else its
            address) may make this many requests per second; more get 429
            with ``Retry-After``.
        db: Path of an SQLite file to keep the state in, so it survives a
            restart; None keeps it in memory.
        rules: ``"service"`` (the default) refuses with 400 what the real
            service refuses although the document allows it (every rule of
            ``SERVICE_RULES``, tabled in ``docs/testing.md``); ``"document"``
            accepts every request the API document allows.

    Raises:
        ValueError: ``rate_limit`` is not a whole number >= 1, ``access_token``
            is empty, or ``rules`` is neither ``"service"`` nor ``"document"``.
    """

    #: The rules ``rules="document"`` drops, by name, with what each requires.
    SERVICE_RULES = SERVICE_RULES

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        access_token: str | None = None,
        rate_limit: int | None = None,
        db: str | os.PathLike[str] | None = None,
        rules: Rules = "service",
    ) -> None:
        if rate_limit is not None and (
            isinstance(rate_limit, bool) or not isinstance(rate_limit, int) or rate_limit < 1
        ):
            raise ValueError(f"rate_limit must be a whole number >= 1, not {rate_limit!r}")
        if access_token is not None and not access_token:
            raise ValueError("access_token must be a non-empty string or None")
        if rules not in ("service", "document"):
            raise ValueError(f"rules must be 'service' or 'document', not {rules!r}")
        self.host = host
        self.port = port
        self.access_token = access_token
        self.rate_limit = rate_limit
        self.db = db
        self.rules: Rules = rules
        # What outlives a restart: the fault rules, the request log, the limiter.
        self._faults = FaultRules()
        self._log: list[RecordedRequest] = []
        self._log_lock = threading.Lock()
        self._limiter = None if rate_limit is None else RateLimiter(rate_limit)
        self._state: ServerState | None = None
        self._httpd: HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()

    # -- lifecycle -------------------------------------------------------------

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _bind(self) -> HttpServer:
        with self._lifecycle:
            if self._httpd is not None:
                raise RuntimeError("the server is already running")
            state = ServerState(
                api=Api(Store(self.db), self.access_token, self._limiter, self.rules),
                faults=self._faults,
                log=self._log,
                log_lock=self._log_lock,
            )
            try:
                self._httpd = HttpServer((self.host, self.port), state)
            except BaseException:
                state.api.store.close()
                raise
            self._state = state
            return self._httpd

    def start(self) -> Self:
        """Start serving in a background thread and return at once.

        Returns:
            The server itself, so ``server = IdentityServer().start()`` works.

        Raises:
            RuntimeError: the server is already running.
            OSError: the address cannot be bound (e.g. the port is taken).
        """
        httpd = self._bind()
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"IdentityServer {self.url}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop()`` is called or Ctrl-C is pressed.

        Raises:
            RuntimeError: the server is already running.
            OSError: the address cannot be bound (e.g. the port is taken).
        """
        httpd = self._bind()
        try:
            httpd.serve_forever(poll_interval=POLL_INTERVAL)
        except KeyboardInterrupt:
            pass
        finally:
            self._close(httpd)

    def stop(self) -> None:
        """Stop serving, end open connections and wait for their threads; safe to repeat."""
        httpd = self._httpd
        if httpd is None:
            return
        httpd.state.stopping.set()  # wakes handlers sleeping on an injected delay
        httpd.shutdown()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._close(httpd)

    def _close(self, httpd: HttpServer) -> None:
        with self._lifecycle:
            if self._httpd is not httpd:
                return  # closed already, by the other of stop() and serve_forever()
            httpd.state.stopping.set()
            httpd.close_connections()
            httpd.server_close()  # also joins the handler threads
            httpd.state.api.store.close()
            self._httpd = None
            self._state = None

    @property
    def url(self) -> str:
        """Base URL of the running server, e.g. ``http://127.0.0.1:54321``.

        Raises:
            RuntimeError: the server is not running.
        """
        httpd = self._httpd
        if httpd is None:
            raise RuntimeError("the server is not running: call start() first")
        host, port = httpd.server_address[:2]
        shown = host if isinstance(host, str) else host.decode()
        if ":" in shown:
            shown = f"[{shown}]"
        return f"http://{shown}:{port}"

    # -- what tests arrange and inspect ----------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the log of requests received, oldest first."""
        with self._log_lock:
            return list(self._log)

    def inject(
        self,
        status: int | None = None,
        *,
        times: int | None = 1,
        match: str | None = None,
        retry_after: int | str | None = None,
        delay: float = 0.0,
        drop_connection: bool = False,
        body: bytes | str | None = None,
        processed: bool = False,
    ) -> Fault:
        """Make the next matching requests fail, slow down, or lose their answer.

        Rules apply in the order they were added; each request gets at most
        one (the first that matches and has uses left).

        Args:
            status: Answer with this status and the spec's error body for it.
            times: How many requests the rule applies to; None means every one.
            match: Apply only to requests whose ``"METHOD /raw/path"`` starts
                with this, e.g. ``"POST /org/acme/keys"``; None matches all.
            retry_after: Send this ``Retry-After`` value with ``status``.
            delay: Seconds to wait before answering.
            drop_connection: Close the connection without any response.
            body: Send these raw bytes (or UTF-8 text) as the body instead;
                with no ``status``, the status is 200.
            processed: Apply the operation to the state first, then replace
                its response (the write happened, the answer was lost); by
                default the request is rejected untouched.

        Returns:
            The rule; its ``hits`` counts the requests it was applied to.

        Raises:
            ValueError: the rule would do nothing, or a number is out of range.
        """
        if times is not None and (isinstance(times, bool) or times < 1):
            raise ValueError(f"times must be a whole number >= 1 or None, not {times!r}")
        if delay < 0:
            raise ValueError(f"delay must be >= 0 seconds, not {delay!r}")
        if status is not None and not 100 <= status <= 599:
            raise ValueError(f"status must be an HTTP status code, not {status!r}")
        if status is None and body is None and not drop_connection and not delay:
            raise ValueError("give at least one of status, body, delay or drop_connection")
        fault = Fault(
            status=status,
            times=times,
            match=match,
            retry_after=retry_after,
            delay=delay,
            drop_connection=drop_connection,
            body=body.encode() if isinstance(body, str) else body,
            processed=processed,
        )
        return self._faults.add(fault)

    def clear_faults(self) -> None:
        """Remove every injected fault rule."""
        self._faults.clear()

    def reset(self) -> None:
        """Empty the state (every account's keys and users), the request log and the rate limit."""
        state = self._state
        if state is not None:
            state.api.store.reset()
        elif self.db is not None:
            store = Store(self.db)
            try:
                store.reset()
            finally:
                store.close()
        with self._log_lock:
            self._log.clear()
        if self._limiter is not None:
            self._limiter.reset()

    def verify_client_secret(self, account_id: str, client_key_id: str, secret: str) -> bool:
        """Tell whether ``secret`` is the one ``create_client_key`` returned for that key.

        Raises:
            RuntimeError: the server is not running.
        """
        return self._running_state().api.store.verify_key_secret(account_id, client_key_id, secret)

    def verify_user_token(self, account_id: str, user_id: str, token: str) -> bool:
        """Tell whether ``token`` is the one ``create_user_for_account`` returned for that user.

        Raises:
            RuntimeError: the server is not running.
        """
        return self._running_state().api.store.verify_user_token(account_id, user_id, token)

    def _running_state(self) -> ServerState:
        state = self._state
        if state is None:
            raise RuntimeError("the server is not running: call start() first")
        return state
