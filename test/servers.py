"""Loopback HTTP servers for the tests: one well-behaved, one that misbehaves on purpose.

``ScriptedServer`` is a real HTTP/1.1 server (stdlib ``http.server``, one
thread per connection, keep-alive) that answers from a script of canned
``Reply`` objects, or from a function, and records every request it receives::

    with ScriptedServer(Reply.json(200, [{"accountId": "acme"}])) as server:
        api = IdentityApi(ApiClient(Configuration(host=server.url)))
        api.get_users_for_account("acme")
        assert server.requests[0].path == "/org/acme/user"

``RawServer`` is a socket server for what a well-behaved server cannot do:
reset a connection, send fewer bytes than it promised, never answer, trickle.
Each request is handed to a function ``handler(conn, request)``; ready-made
ones are the ``RawServer.reset_before_response()`` family below::

    with RawServer(RawServer.reset_mid_body()) as server:
        ...  # a GET to server.url sees the connection drop mid-body

``closed_port_url()`` gives a URL on which every connection is refused.

Both bind ``127.0.0.1`` port 0, run daemon threads, and close every socket
on exit; no handler blocks longer than its own short, stated wait.
"""

from __future__ import annotations

import contextlib
import email.message
import http.server
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Self

#: Longest any handler thread is waited for when a server stops.
_JOIN_SECONDS = 2.0

#: Longest a server connection waits for the client's next request.
_IDLE_SECONDS = 5.0


@dataclass(frozen=True)
class Reply:
    """One canned HTTP response.

    Attributes:
        status: The status code.
        headers: Header (name, value) pairs; Content-Length is added unless given.
        body: The body bytes.
        delay: Seconds to wait before answering.
        reason: The reason phrase; the standard one when empty.
    """

    status: int = 200
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""
    delay: float = 0.0
    reason: str = ""

    @classmethod
    def json(
        cls,
        status: int,
        document: object,
        headers: Sequence[tuple[str, str]] = (),
        delay: float = 0.0,
    ) -> Reply:
        """Return a reply whose body is ``document`` as JSON.

        Args:
            status: The status code.
            document: Anything ``json.dumps`` takes.
            headers: More headers besides ``Content-Type: application/json``.
            delay: Seconds to wait before answering.
        """
        return cls(
            status,
            (("Content-Type", "application/json"), *headers),
            json.dumps(document).encode(),
            delay,
        )

    @classmethod
    def text(
        cls,
        status: int,
        text: str,
        content_type: str = "text/plain; charset=utf-8",
        headers: Sequence[tuple[str, str]] = (),
    ) -> Reply:
        """Return a reply with a text body (HTML, plain text, broken JSON...)."""
        return cls(status, (("Content-Type", content_type), *headers), text.encode())


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it.

    Attributes:
        method: The HTTP method.
        path: The request target exactly as sent, percent-encoding intact.
        headers: The request headers; ``get`` and ``in`` ignore case.
        body: The body bytes (empty when there was none).
        connection: Which connection (0, 1, ...) the request arrived on.
    """

    method: str
    path: str
    headers: email.message.Message
    body: bytes
    connection: int

    def json(self) -> object:
        """Return the body parsed as JSON."""
        return json.loads(self.body)


#: Picks the reply for a request, instead of a script.
Responder = Callable[[RecordedRequest], Reply]


class _LoopbackServer:
    """What both servers share: a background thread, and the connections to close on stop.

    A subclass sets ``url``, implements ``_run`` (serve until told to stop)
    and ``_halt`` (tell ``_run`` to return, then release the listening
    socket), and calls ``_track`` for each connection it accepts.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.connections = 0
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._background: threading.Thread | None = None

    def start(self) -> Self:
        """Start serving in a background thread; returns the server."""
        self._background = threading.Thread(target=self._run, daemon=True)
        self._background.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and wait briefly for the threads."""
        self._halt()
        if self._background is not None:
            self._background.join(_JOIN_SECONDS)
            self._background = None
        with self._lock:
            sockets = list(self._sockets)
            threads = list(self._threads)
        for sock in sockets:
            _close_hard(sock)
        for thread in threads:
            thread.join(_JOIN_SECONDS)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _track(self, sock: socket.socket, thread: threading.Thread) -> int:
        """Remember a connection and the thread serving it; return its number from 0."""
        with self._lock:
            self._sockets.append(sock)
            self._threads.append(thread)
            self.connections += 1
            return self.connections - 1

    def _run(self) -> None:
        raise NotImplementedError

    def _halt(self) -> None:
        raise NotImplementedError


class ScriptedServer(_LoopbackServer):
    """A loopback HTTP/1.1 server that answers from a script and records what it got.

    Args:
        *replies: Replies given in order, one per request.
        responder: Called for each request once the script is used up (or
            for every request when there is no script).
        default: The reply once the script is used up and there is no
            responder; without one, such a request gets a 599.

    Attributes:
        url: ``http://127.0.0.1:<port>``, no trailing slash.
        requests: Every request received, in order.
        connections: How many TCP connections were accepted.
    """

    def __init__(
        self,
        *replies: Reply,
        responder: Responder | None = None,
        default: Reply | None = None,
    ) -> None:
        super().__init__()
        self._script: list[Reply] = list(replies)
        self._responder = responder
        self._default = default
        self.requests: list[RecordedRequest] = []
        self._httpd = _HTTPServer(self)
        host, port = self._httpd.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    def add(self, *replies: Reply) -> None:
        """Append replies to the script."""
        with self._lock:
            self._script.extend(replies)

    @property
    def methods(self) -> list[str]:
        """The method of every request received, in order."""
        with self._lock:
            return [request.method for request in self.requests]

    def _run(self) -> None:
        self._httpd.serve_forever(poll_interval=0.05)

    def _halt(self) -> None:
        if self._background is not None:
            self._httpd.shutdown()
        self._httpd.server_close()

    # Called from the handler threads.

    def _connected(self, sock: socket.socket) -> int:
        return self._track(sock, threading.current_thread())

    def _reply_for(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._script:
                return self._script.pop(0)
        if self._responder is not None:
            return self._responder(request)
        if self._default is not None:
            return self._default
        return Reply.text(599, "ScriptedServer: no scripted reply left for this request")


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, owner: ScriptedServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    # A socket timeout so an idle keep-alive connection cannot hold its thread.
    timeout = _IDLE_SECONDS
    # Headers and body go out in separate writes; without TCP_NODELAY each
    # kept-alive request waits out the client's delayed ACK.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.connection_number = self.server.owner._connected(self.connection)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:
            self.close_connection = True

    def __getattr__(self, name: str) -> Callable[[], None]:
        # Any method at all (do_GET, do_PATCH, ...) is answered from the script.
        if name.startswith("do_"):
            return self._answer
        raise AttributeError(name)

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = RecordedRequest(
            self.command, self.path, self.headers, body, self.connection_number
        )
        reply = self.server.owner._reply_for(request)
        if reply.delay:
            time.sleep(reply.delay)
        self.send_response(reply.status, reply.reason or None)
        names = {name.lower() for name, _ in reply.headers}
        for name, value in reply.headers:
            self.send_header(name, value)
        if "content-length" not in names and "transfer-encoding" not in names:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the test output clean


#: Handles one request on a raw connection; may write anything, close or reset.
RawHandler = Callable[[socket.socket, bytes], None]


class RawServer(_LoopbackServer):
    """A loopback socket server whose responses are written by hand, byte by byte.

    Each connection is read one request at a time (headers, plus a body of
    its Content-Length) and each request is passed to a handler. The
    connection stays open for the next request until the handler closes it
    (every ready-made handler but ``send_raw(keep_open=True)`` does) or the
    client does.

    Args:
        handlers: One handler for every request, or a sequence used in order,
            one per request, the last repeating (e.g. reset once, then answer).

    Attributes:
        url: ``http://127.0.0.1:<port>``, no trailing slash.
        connections: How many TCP connections were accepted.
        requests: Every request's raw bytes (head and body), in order.
    """

    def __init__(self, handlers: RawHandler | Sequence[RawHandler]) -> None:
        self._handlers: list[RawHandler] = [handlers] if callable(handlers) else list(handlers)
        if not self._handlers:
            raise ValueError("RawServer needs at least one handler")
        super().__init__()
        self._stopping = threading.Event()
        self.requests: list[bytes] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _halt(self) -> None:
        self._stopping.set()
        if self._background is not None:
            self._background.join(_JOIN_SECONDS)
        self._listener.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(_IDLE_SECONDS)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._track(conn, thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            while not self._stopping.is_set():
                request = read_request(conn)
                if not request:
                    return
                with self._lock:
                    self.requests.append(request)
                    index = min(len(self.requests), len(self._handlers)) - 1
                    handler = self._handlers[index]
                handler(conn, request)
                if conn.fileno() == -1:
                    return
        except OSError:
            return
        finally:
            conn.close()

    # Ready-made handlers.

    @staticmethod
    def reset_before_response() -> RawHandler:
        """Reset the connection (TCP RST) after reading the request, sending nothing."""

        def handler(conn: socket.socket, request: bytes) -> None:
            _reset(conn)

        return handler

    @staticmethod
    def reset_mid_body(declared: int = 1000, sent: int = 100) -> RawHandler:
        """Send a 200 promising ``declared`` bytes, send ``sent`` of them, then reset."""

        def handler(conn: socket.socket, request: bytes) -> None:
            conn.sendall(_head(200, declared) + b"[" + b" " * (sent - 1))
            time.sleep(0.05)  # let the head arrive before the reset
            _reset(conn)

        return handler

    @staticmethod
    def short_body(declared: int = 1000, sent: int = 100) -> RawHandler:
        """Send a 200 promising ``declared`` bytes, send ``sent`` of them, then close cleanly."""

        def handler(conn: socket.socket, request: bytes) -> None:
            conn.sendall(_head(200, declared) + b"[" + b" " * (sent - 1))
            conn.shutdown(socket.SHUT_WR)
            conn.close()

        return handler

    @staticmethod
    def never_answer(hold: float = 5.0) -> RawHandler:
        """Read the request and send nothing, for at most ``hold`` seconds, then close.

        Ends early when the client gives up and closes, or the server stops.
        """

        def handler(conn: socket.socket, request: bytes) -> None:
            conn.settimeout(hold)
            try:
                while conn.recv(65536):
                    pass
            except OSError:
                pass
            conn.close()

        return handler

    @staticmethod
    def trickle(response: bytes, interval: float = 0.05) -> RawHandler:
        """Send ``response`` one byte every ``interval`` seconds, then close.

        Stops as soon as the client goes away or the server stops.
        """

        def handler(conn: socket.socket, request: bytes) -> None:
            for index in range(len(response)):
                conn.sendall(response[index : index + 1])
                time.sleep(interval)
            conn.close()

        return handler

    @staticmethod
    def send_raw(data: bytes, *, keep_open: bool = False) -> RawHandler:
        """Send ``data`` as is; then close, unless ``keep_open`` (for the next request)."""

        def handler(conn: socket.socket, request: bytes) -> None:
            conn.sendall(data)
            if not keep_open:
                conn.shutdown(socket.SHUT_WR)
                conn.close()

        return handler


def http_response(
    status: int = 200,
    body: bytes = b"",
    headers: Iterable[tuple[str, str]] = (),
    reason: str = "OK",
) -> bytes:
    """Return the bytes of a complete HTTP/1.1 response, with Content-Length, for ``send_raw``."""
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def read_request(conn: socket.socket) -> bytes:
    """Read one request (head, then a body of its Content-Length); b"" when the peer closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def closed_port_url() -> str:
    """Return ``http://127.0.0.1:<port>`` for a port nothing listens on: connections are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _head(status: int, content_length: int) -> bytes:
    return (
        f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
        f"Content-Length: {content_length}\r\n\r\n"
    ).encode()


def _reset(conn: socket.socket) -> None:
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _close_hard(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


__all__ = [
    "RawHandler",
    "RawServer",
    "RecordedRequest",
    "Reply",
    "Responder",
    "ScriptedServer",
    "closed_port_url",
    "http_response",
    "read_request",
]
