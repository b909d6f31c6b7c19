"""HTTP for the reference server: reading requests, routing them, writing spec-shaped answers.

``Handler`` reads one request (keeping the connection usable for the next),
records it, applies an injected fault if one matches, checks the token and the
rate limit, routes by path segment, validates the body, calls the ``Store``,
and writes the JSON answer with an exact ``Content-Length``. Every error body
is the one the API document gives for its status.
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import importlib.resources
import json
import logging
import re
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_to_bytes

from pydantic import BaseModel

from katanemo_identity.models._base import IdentityModel
from katanemo_identity.models.bad_request_exception import BadRequestException
from katanemo_identity.models.conflict_exception import ConflictException
from katanemo_identity.models.error import Error
from katanemo_identity.models.internal_server_error_exception import (
    InternalServerErrorException,
)
from katanemo_identity.models.too_many_requests_exception import TooManyRequestsException
from katanemo_identity.models.unauthorized_exception import UnauthorizedException
from katanemo_identity.testing._faults import Fault, FaultRules, RecordedRequest
from katanemo_identity.testing._ratelimit import RateLimiter
from katanemo_identity.testing._store import ConflictError, NotFoundError, Store

logger = logging.getLogger("katanemo_identity.testing")

#: Largest request body accepted; a larger one is refused unread.
MAX_BODY_BYTES = 1024 * 1024

#: Seconds an idle keep-alive connection is kept open.
IDLE_TIMEOUT = 60.0

#: Error-body model per status, as the API document gives them; any other
#: status carries an ``Error`` (the document's ``default`` response).
_ERROR_MODELS: dict[int, type[IdentityModel]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    409: ConflictException,
    429: TooManyRequestsException,
    500: InternalServerErrorException,
}

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


@functools.cache
def openapi_document() -> bytes:
    """Return the package's OpenAPI document, as served at ``/openapi.json``."""
    return importlib.resources.files("katanemo_identity").joinpath("openapi.json").read_bytes()


def error_body(status: int, message: str, error_code: str | None = None) -> bytes:
    """Return the JSON error body the API document gives for ``status``."""
    model = _ERROR_MODELS.get(status)
    if model is None:
        return Error(code=status, message=message).to_json().encode()
    return model.model_validate({"message": message, "errorCode": error_code}).to_json().encode()


@dataclass
class Reply:
    """An answer to send: status, JSON body, extra headers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class HttpError(Exception):
    """Ends handling of a request with an error reply."""

    def __init__(
        self,
        status: int,
        message: str,
        error_code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.reply = Reply(status, error_body(status, message, error_code), headers or {})


def _bad_request(message: str, error_code: str = "INVALID_FIELD") -> HttpError:
    return HttpError(400, message, error_code)


@dataclass
class ServerState:
    """Everything a request handler needs, shared by all connections of one server."""

    store: Store
    access_token: str | None
    limiter: RateLimiter | None
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


Route = Callable[["Handler", list[str], bytes], Reply]


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
        reply = self._answer(body)
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
            raise _bad_request("Content-Length is not a number", "INVALID_REQUEST")
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
                raise _bad_request("malformed chunked body", "INVALID_REQUEST") from None
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

    # -- the API -------------------------------------------------------------

    def _answer(self, body: bytes) -> Reply:
        try:
            return self._route(body)
        except HttpError as error:
            return error.reply
        # The store's two refusals mean the same status for every operation.
        except NotFoundError as error:
            return HttpError(404, str(error)).reply
        except ConflictError as error:
            return HttpError(409, str(error), "CONFLICT").reply
        except Exception:
            logger.exception("internal error answering %s %s", self.command, self.path)
            return Reply(500, error_body(500, "internal error", "INTERNAL_ERROR"))

    def _route(self, body: bytes) -> Reply:
        state = self.server.state
        path = self.path.split("?", 1)[0]
        if path == "/openapi.json":
            # The document is public: no token or rate limit, like any API's docs.
            if self.command not in ("GET", "HEAD"):
                raise HttpError(405, "/openapi.json allows GET", headers={"Allow": "GET"})
            return Reply(200, openapi_document())

        token = self._bearer_token()
        if state.access_token is not None and (
            token is None or not hmac.compare_digest(token.encode(), state.access_token.encode())
        ):
            raise HttpError(
                401,
                "missing or invalid access token: send Authorization: Bearer <token>",
                "UNAUTHORIZED",
                {"WWW-Authenticate": "Bearer"},
            )
        if state.limiter is not None:
            wait = state.limiter.admit(token or self.client_address[0])
            if wait is not None:
                raise HttpError(
                    429,
                    f"rate limit of {state.limiter.per_second} requests per second exceeded",
                    "TOO_MANY_REQUESTS",
                    {"Retry-After": str(wait)},
                )

        raw_segments = path.split("/")
        shape = _shape(raw_segments)
        methods = _ROUTES.get(shape) if shape is not None else None
        if shape is None or methods is None:
            raise HttpError(404, f"no such resource: {path}")
        route = methods.get(self.command)
        if route is None:
            allowed = ", ".join(sorted(methods))
            raise HttpError(
                405,
                f"{self.command} is not allowed here; use {allowed}",
                headers={"Allow": allowed},
            )
        names = _PARAMETERS[shape]
        values = [_decode_segment(name, raw_segments[2 * i + 2]) for i, name in enumerate(names)]
        return route(self, values, body)

    def _bearer_token(self) -> str | None:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()

    def _json_object(self, body: bytes) -> dict[str, object]:
        content_type = self.headers.get("Content-Type", "")
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            raise _bad_request(
                f"Content-Type must be application/json, not {content_type or 'missing'}",
                "UNSUPPORTED_MEDIA_TYPE",
            )
        try:
            value = json.loads(body, parse_constant=_refuse_constant)
        except ValueError as error:
            raise _bad_request(f"the body is not valid JSON: {error}", "INVALID_JSON") from None
        if not isinstance(value, dict):
            raise _bad_request("the body must be a JSON object", "INVALID_BODY")
        return value

    def create_client_key(self, values: list[str], body: bytes) -> Reply:
        """POST /org/{accountId}/keys."""
        (account_id,) = values
        request = self._json_object(body)
        client_name = _required_string(request, "clientName")
        default_role_id = _required_string(request, "defaultRoleId")
        created = self.server.state.store.create_key(account_id, client_name, default_role_id)
        return Reply(200, created.to_json().encode())

    def get_client_key_list(self, values: list[str], body: bytes) -> Reply:
        """GET /org/{accountId}/keys."""
        return Reply(200, _json_list(self.server.state.store.list_keys(values[0])))

    def get_client_key(self, values: list[str], body: bytes) -> Reply:
        """GET /org/{accountId}/key/{keyId}."""
        account_id, key_id = values
        key = self.server.state.store.get_key(account_id, key_id)
        return Reply(200, key.to_json().encode())

    def delete_client_key(self, values: list[str], body: bytes) -> Reply:
        """DELETE /org/{accountId}/key/{keyId}."""
        account_id, key_id = values
        self.server.state.store.delete_key(account_id, key_id)
        return Reply(200, json.dumps(f"client key {key_id} deleted").encode())

    def create_user_for_account(self, values: list[str], body: bytes) -> Reply:
        """POST /org/{accountId}/user."""
        (account_id,) = values
        request = self._json_object(body)
        _check_account(request, account_id)
        user_id = _required_string(request, "userId")
        if len(user_id) > 254 or not _EMAIL.fullmatch(user_id):
            raise _bad_request("userId must be an email address")
        tags = _tags(request)
        roles = _string_list(request, "roles")
        user = self.server.state.store.invite_user(account_id, user_id, tags or {}, roles or [])
        return Reply(200, user.to_json().encode())

    def get_users_for_account(self, values: list[str], body: bytes) -> Reply:
        """GET /org/{accountId}/user."""
        return Reply(200, _json_list(self.server.state.store.list_users(values[0])))

    def get_user(self, values: list[str], body: bytes) -> Reply:
        """GET /org/{accountId}/user/{userId}."""
        account_id, user_id = values
        user = self.server.state.store.get_user(account_id, user_id)
        return Reply(200, user.to_json().encode())

    def update_user(self, values: list[str], body: bytes) -> Reply:
        """PUT /org/{accountId}/user/{userId}."""
        account_id, user_id = values
        request = self._json_object(body)
        _check_account(request, account_id)
        sent_user_id = _optional_string(request, "userId")
        if sent_user_id is not None and sent_user_id != user_id:
            raise _bad_request("userId in the body differs from the userId in the path")
        tags = _tags(request)
        roles = _string_list(request, "roles")
        user = self.server.state.store.update_user(account_id, user_id, tags, roles)
        return Reply(200, user.to_json().encode())


#: Routes by path shape (the literal segments, ``*`` for a parameter), then method.
_ROUTES: dict[str, dict[str, Route]] = {
    "/org/*/keys": {"GET": Handler.get_client_key_list, "POST": Handler.create_client_key},
    "/org/*/key/*": {"GET": Handler.get_client_key, "DELETE": Handler.delete_client_key},
    "/org/*/user": {"GET": Handler.get_users_for_account, "POST": Handler.create_user_for_account},
    "/org/*/user/*": {"GET": Handler.get_user, "PUT": Handler.update_user},
}

#: The path parameters of each shape, in path order.
_PARAMETERS: dict[str, tuple[str, ...]] = {
    "/org/*/keys": ("accountId",),
    "/org/*/key/*": ("accountId", "keyId"),
    "/org/*/user": ("accountId",),
    "/org/*/user/*": ("accountId", "userId"),
}


def _shape(segments: list[str]) -> str | None:
    # ["", "org", account, collection] or ["", "org", account, collection, id]
    if len(segments) not in (4, 5) or segments[0] != "" or segments[1] != "org":
        return None
    literal = segments[3]
    return "/org/*/" + literal + ("/*" if len(segments) == 5 else "")


def _decode_segment(name: str, raw: str) -> str:
    # Split first, decode second: an encoded "/", "?" or "%" is part of the value.
    # http.server hands over the request line as Latin-1; recover the bytes.
    try:
        value = unquote_to_bytes(raw.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        raise _bad_request(f"{name} is not valid percent-encoded UTF-8") from None
    if not value:
        raise _bad_request(f"{name} must not be empty")
    return value


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _required_string(request: dict[str, object], name: str) -> str:
    if name not in request:
        raise _bad_request(f"{name} is required", "MISSING_FIELD")
    value = _optional_string(request, name)
    assert value is not None
    return value


def _optional_string(request: dict[str, object], name: str) -> str | None:
    if name not in request:
        return None
    value = request[name]
    if not isinstance(value, str):
        raise _bad_request(f"{name} must be a string")
    return value


def _string_list(request: dict[str, object], name: str) -> list[str] | None:
    if name not in request:
        return None
    value = request[name]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _bad_request(f"{name} must be a list of strings")
    return value


def _tags(request: dict[str, object]) -> dict[str, list[str]] | None:
    if "tags" not in request:
        return None
    value = request["tags"]
    if not isinstance(value, dict) or not all(
        isinstance(items, list) and all(isinstance(item, str) for item in items)
        for items in value.values()
    ):
        raise _bad_request("tags must be an object whose values are lists of strings")
    return value


def _check_account(request: dict[str, object], account_id: str) -> None:
    if _required_string(request, "accountId") != account_id:
        raise _bad_request("accountId in the body differs from the accountId in the path")


def _json_list(models: Sequence[BaseModel]) -> bytes:
    return (
        b"["
        + b",".join(
            model.model_dump_json(by_alias=True, exclude_none=True).encode() for model in models
        )
        + b"]"
    )
