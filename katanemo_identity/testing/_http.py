"""HTTP for the reference server: reading requests, injecting faults, writing answers.

``Handler`` reads one request (keeping the connection usable for the next),
records it, applies an injected fault if one matches, hands the rest to the
API half (``_api.Api.answer``: token, rate limit, routing, validation, store),
and writes the JSON answer with an exact ``Content-Length``. Every error body
is the one the API document gives for its status.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from katanemo_identity.testing._api import Api, HttpError, Reply, Request, bad_request, error_body
from katanemo_identity.testing._faults import Fault, FaultRules, RecordedRequest

logger = logging.getLogger("katanemo_identity.testing")

#: Largest request body accepted; a larger one is refused unread.
MAX_BODY_BYTES = 1024 * 1024

#: Seconds an idle keep-alive connection is kept open.
IDLE_TIMEOUT = 60.0


@dataclass
class ServerState:
    """Everything a request handler needs, shared by all connections of one server."""

    api: Api
    faults: FaultRules = field(default_factory=FaultRules)
    log: list[RecordedRequest] = field(default_factory=list)
    log_lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)


class HttpServer(ThreadingHTTPServer):
    """A threaded HTTP server whose ``close_connections`` ends and joins every connection.

    ``ThreadingHTTPServer`` does not join daemon handler threads on close, and
    a keep-alive connection's thread waits for the client's next request; so
    the server tracks each connection with its thread, and on stop shuts the
    sockets (ending those waits) and joins the threads.
    """

    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: ServerState) -> None:
        self.state = state
        self._open: dict[socket.socket, threading.Thread] = {}
        self._open_lock = threading.Lock()
        super().__init__(address, Handler)

    def process_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:  # type: ignore[override]
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"IdentityServer connection {client_address}",
            daemon=True,
        )
        with self._open_lock:
            self._open[request] = thread
        thread.start()

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._open_lock:
            self._open.pop(request, None)
        super().shutdown_request(request)

    def close_connections(self, timeout: float = 5.0) -> None:
        """Shut every open connection and wait (up to ``timeout`` each) for its thread."""
        with self._open_lock:
            open_connections = list(self._open.items())
        for connection, _ in open_connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
        for _, thread in open_connections:
            if thread is not threading.current_thread():
                thread.join(timeout)

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that goes away mid-answer is normal for a test server
        # (timeouts, dropped-connection faults, stop()); not worth a traceback.
        logger.debug("error while serving %s", client_address, exc_info=True)


class Handler(BaseHTTPRequestHandler):
    """Serves one connection: a sequence of keep-alive requests."""

    server: HttpServer
    protocol_version = "HTTP/1.1"
    server_version = "katanemo-identity-testing"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    # Headers and body go out in two writes; without TCP_NODELAY the second
    # waits for the client's delayed ACK, adding 40 ms to every answer.
    disable_nagle_algorithm = True

    # -- connection and request plumbing -----------------------------------

    def log_message(self, format: str, *args: object) -> None:
        logger.info("%s %s", self.address_string(), format % args)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Used by http.server for requests it cannot parse; answer in the
        # API's JSON shape rather than HTML, and close: the stream is unusable.
        self.close_connection = True
        self._send(
            Reply(code, error_body(code, message or explain or "malformed request")), close=True
        )

    def __getattr__(self, name: str) -> Callable[[], None]:
        # http.server dispatches a request to ``do_<METHOD>`` and answers 501
        # when there is none. Every method, QUERY and TRACE included, goes
        # through routing instead, so an unsupported one gets 405 (or 404).
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        state = self.server.state
        try:
            body = self._read_body()
        except HttpError as error:
            self._send(error.reply, close=True)
            return
        fault = state.faults.take(self.command, self.path)
        record = RecordedRequest(self.command, self.path, dict(self.headers.items()), body, fault)
        with state.log_lock:
            state.log.append(record)

        if fault is not None and not fault.processed:
            if state.stopping.wait(fault.delay):
                return self._drop()  # the server is stopping
            if fault.replaces_response:
                return self._send_fault(fault)
        reply = state.api.answer(
            Request(self.command, self.path, self.headers, body, self.client_address[0])
        )
        if fault is not None and fault.processed:
            if state.stopping.wait(fault.delay):
                return self._drop()
            if fault.replaces_response:
                return self._send_fault(fault)
        return self._send(reply)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        if not length_header.strip().isdigit():
            raise bad_request("Content-Length is not a number", "INVALID_REQUEST")
        length = int(length_header)
        if length > MAX_BODY_BYTES:
            raise HttpError(413, f"the body exceeds {MAX_BODY_BYTES} bytes")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise bad_request("malformed chunked body", "INVALID_REQUEST") from None
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise HttpError(413, f"the body exceeds {MAX_BODY_BYTES} bytes")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _send_fault(self, fault: Fault) -> None:
        if fault.drop_connection:
            return self._drop()
        status = fault.status if fault.status is not None else 200
        body = (
            fault.body
            if fault.body is not None
            else error_body(status, f"injected fault: status {status}", "INJECTED_FAULT")
        )
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        self._send(Reply(status, body, headers))

    def _drop(self) -> None:
        # No status line, no headers: the client sees the connection end.
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, reply: Reply, close: bool = False) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(reply.body)
