"""Wrong servers for the conformance kit: the reference server behind a proxy with one bug.

``BuggyServer(backend, bug)`` is a real loopback HTTP server that forwards
every request to ``backend`` (an ``IdentityServer``) and lets ``bug`` change
the request on its way in or the answer on its way out. Each ``Bug``
subclass departs from the API document in one realistic way::

    with IdentityServer(access_token=TOKEN) as backend, BuggyServer(backend, AnyToken()) as wrong:
        report = conformance.run(Configuration(host=wrong.url, access_token=TOKEN), "acme")
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from typing_extensions import Self

    from katanemo_identity.testing import IdentityServer


@dataclass(frozen=True)
class Call:
    """One request as the proxy received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def segments(self) -> list[str]:
        """The decoded path segments after ``/org/``: account, kind, id."""
        return [unquote(part) for part in self.path.split("?")[0].split("/")[2:]]

    def is_(self, method: str, kind: str, *, with_id: bool) -> bool:
        """Whether this is ``method`` on ``/org/<account>/<kind>[/<id>]``."""
        parts = self.segments
        return self.method == method and len(parts) == (3 if with_id else 2) and parts[1] == kind

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class Answer:
    """One response to send."""

    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @classmethod
    def of(cls, status: int, document: object) -> Answer:
        return cls(status, json.dumps(document).encode())


def error(status: int, message: str = "refused") -> Answer:
    if status in (400, 401, 409, 429, 500):
        return Answer.of(status, {"message": message, "errorCode": "E"})
    return Answer.of(status, {"code": status, "message": message})


class Bug:
    """One departure from the document; this base changes nothing.

    ``request`` may rewrite a request or answer it at once; ``answer``
    may rewrite the backend's answer (it gets the request as received).
    """

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        return call

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        return answer


class BuggyServer:
    """A proxy to ``backend`` whose answers ``bug`` changes."""

    def __init__(self, backend: IdentityServer, bug: Bug) -> None:
        self.backend = backend
        self.bug = bug
        self.token = backend.access_token
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes: without this, each
                # answer waits out the peer's delayed ACK.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def __getattr__(self, name: str) -> object:
                if name.startswith("do_"):
                    return lambda: owner.serve(self)
                raise AttributeError(name)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,))

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    def send(self, call: Call) -> Answer:
        """Send ``call`` to the backend and return its answer."""
        backend = urlsplit(self.backend.url)
        connection = http.client.HTTPConnection(backend.hostname or "", backend.port, timeout=10)
        try:
            connection.request(call.method, call.path, call.body or None, call.headers)
            response = connection.getresponse()
            return Answer(response.status, response.read())
        finally:
            connection.close()

    def as_owner(self, method: str, path: str, document: object = None) -> Answer:
        """Send a request of the server's own making, with the backend's token."""
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = b"" if document is None else json.dumps(document).encode()
        return self.send(Call(method, path, headers, body))

    def serve(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        headers = {
            name: value
            for name, value in handler.headers.items()
            if name.lower() in ("authorization", "content-type")
        }
        call = Call(handler.command, handler.path, headers, body)
        sent = self.bug.request(self, call)
        answer = sent if isinstance(sent, Answer) else self.bug.answer(self, call, self.send(sent))
        handler.send_response(answer.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(answer.body)))
        handler.end_headers()
        handler.wfile.write(answer.body)


# -- the bugs ------------------------------------------------------------------------


class CreateWithoutSecret(Bug):
    """create_client_key answers without the clientSecret."""

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if call.is_("POST", "keys", with_id=False) and answer.status == 200:
            return Answer.of(200, {"clientId": answer.json()["clientId"]})
        return answer


class KeyWithoutRole(Bug):
    """A key request without defaultRoleId is accepted (a default role is given)."""

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        if call.is_("POST", "keys", with_id=False) and "defaultRoleId" not in call.json():
            return replace(call, body=json.dumps({**call.json(), "defaultRoleId": "r"}).encode())
        return call


class ConflictAs(Bug):
    """A duplicate create (key or user, by ``kind``) is a 400 instead of a 409."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if call.is_("POST", self.kind, with_id=False) and answer.status == 409:
            return error(400, "exists")
        return answer


class Drop(Bug):
    """A field is left out of the 200 answers of one operation."""

    def __init__(self, method: str, kind: str, with_id: bool, field: str) -> None:
        self.where = (method, kind, with_id)
        self.field = field

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        method, kind, with_id = self.where
        if not call.is_(method, kind, with_id=with_id) or answer.status != 200:
            return answer
        document = answer.json()
        items = document if isinstance(document, list) else [document]
        for item in items:
            item.pop(self.field, None)
        return Answer.of(200, document)


class NullIn(Bug):
    """One operation's 200 answers carry null in an optional field."""

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if call.is_("GET", "key", with_id=True) and answer.status == 200:
            return Answer.of(200, {**answer.json(), "serviceId": None})
        return answer


class UnknownKeyIs401(Bug):
    """A key id the server never issued is answered 401, as if the token were wrong."""

    def __init__(self) -> None:
        self.issued: set[str] = set()

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        if call.is_("GET", "key", with_id=True) and call.segments[2] not in self.issued:
            return error(401, "not yours")
        return call

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if call.is_("POST", "keys", with_id=False) and answer.status == 200:
            self.issued.add(answer.json()["clientId"])
        return answer


class AccountFromPath(Bug):
    """An invite or update without accountId is accepted (the path's account is used)."""

    def __init__(self, method: str, with_id: bool) -> None:
        self.method, self.with_id = method, with_id

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        if call.is_(self.method, "user", with_id=self.with_id) and "accountId" not in call.json():
            document = {**call.json(), "accountId": call.segments[0]}
            return replace(call, body=json.dumps(document).encode())
        return call


class ListedTwice(Bug):
    """The user listing has every user twice."""

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if call.is_("GET", "user", with_id=False) and answer.status == 200:
            return Answer.of(200, answer.json() * 2)
        return answer


class UpdateNotKept(Bug):
    """update_user answers with the roles and tags sent but does not store them."""

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        if call.is_("PUT", "user", with_id=True) and "accountId" in (call.json() or {}):
            return replace(call, method="GET", body=b"")
        return call

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if call.is_("PUT", "user", with_id=True) and answer.status == 200:
            sent = {name: value for name, value in call.json().items() if name in ("roles", "tags")}
            return Answer.of(200, {**answer.json(), **sent})
        return answer


class UnknownUserBody(Bug):
    """An unknown user of ``account`` is a 404 whose body is not the document's Error."""

    def __init__(self, account: str) -> None:
        self.account = account

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if (
            call.is_("GET", "user", with_id=True)
            and call.segments[0] == self.account
            and answer.status == 404
        ):
            return Answer.of(404, {"error": "not found"})
        return answer


class UpdateCreates(Bug):
    """update_user of an unknown user creates it (an upsert)."""

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if call.is_("PUT", "user", with_id=True) and answer.status == 404:
            account, _, user_id = call.segments
            server.as_owner(
                "POST", f"/org/{account}/user", {"accountId": account, "userId": user_id}
            )
            return server.send(call)
        return answer


class ReadsFlip(Bug):
    """Every other read of a key answers a different isActive."""

    def __init__(self) -> None:
        self.reads = 0

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if call.is_("GET", "key", with_id=True) and answer.status == 200:
            self.reads += 1
            key = answer.json()
            return Answer.of(200, {**key, "isActive": bool(self.reads % 2)})
        return answer


class KeyUnderAnyAccount(Bug):
    """A key is served under any account's path."""

    def __init__(self, account: str) -> None:
        self.account = account

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        if call.is_("GET", "key", with_id=True):
            _, kind, key_id = call.path.split("/")[2:]
            return replace(call, path=f"/org/{self.account}/{kind}/{key_id}")
        return call


class AnyToken(Bug):
    """Any bearer token is accepted (only its presence is checked)."""

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        if "Authorization" in call.headers and server.token:
            return replace(
                call, headers={**call.headers, "Authorization": f"Bearer {server.token}"}
            )
        return call


class NoTokenNeeded(Bug):
    """A request without Authorization is served (a wrong token is still refused)."""

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        if "Authorization" not in call.headers and server.token:
            return replace(
                call, headers={**call.headers, "Authorization": f"Bearer {server.token}"}
            )
        return call


class EmptyDeleteAnswer(Bug):
    """delete_client_key answers 200 with an empty body."""

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if call.method == "DELETE" and answer.status == 200:
            return Answer(200, b"")
        return answer


class DeleteUnknownIs200(Bug):
    """Deleting a key that does not exist answers 200."""

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if call.method == "DELETE" and answer.status == 404:
            return Answer.of(200, "deleted")
        return answer


class DeleteDoesNothing(Bug):
    """delete_client_key answers 200 and deletes nothing."""

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        if call.method == "DELETE" and "Authorization" in call.headers:
            found = server.send(replace(call, method="GET"))
            return Answer.of(200, "deleted") if found.status == 200 else found
        return call


class BrokenTwin(Bug):
    """A refused duplicate key leaves a half-made twin behind, whose delete fails with 500."""

    def __init__(self) -> None:
        self.twins: set[str] = set()

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        if call.method == "DELETE" and call.segments[2] in self.twins:
            return error(500, "internal error")
        return call

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if call.is_("POST", "keys", with_id=False) and answer.status == 409:
            request = call.json()
            twin = {**request, "clientName": request["clientName"] + "-1"}
            made = server.as_owner("POST", call.path, twin)
            self.twins.add(made.json()["clientId"])
        return answer


class CreateAnswersAnExistingKey(Bug):
    """create_client_key stores the key but answers with the id of a key that already existed."""

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if call.is_("POST", "keys", with_id=False) and answer.status == 200:
            listed = server.as_owner("GET", call.path).json()
            first = min(key["clientKeyId"] for key in listed)
            return Answer.of(200, {**answer.json(), "clientId": first})
        return answer


class Forgets(Bug):
    """Nothing written is remembered: the state is emptied after every answer."""

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        server.backend.reset()
        return answer


class EchoesTheToken(Bug):
    """Every error answer quotes the Authorization header it was sent; an invite is a 403."""

    def answer(self, server: BuggyServer, call: Call, answer: Answer) -> Answer:
        if call.is_("POST", "user", with_id=False) and answer.status == 200:
            answer = error(403)
        if answer.status >= 400:
            document = answer.json()
            document["message"] = f"refused {call.headers.get('Authorization')}"
            return Answer.of(answer.status, document)
        return answer


class Slow(Bug):
    """Each request matching ``method kind`` (or every one) waits ``seconds`` first."""

    def __init__(self, seconds: float, method: str = "", kind: str = "") -> None:
        self.seconds, self.method, self.kind = seconds, method, kind

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        if not self.method or call.is_(self.method, self.kind, with_id=True):
            time.sleep(self.seconds)
        return call


class CtrlC(Bug):
    """Press Ctrl-C (SIGINT to this process) on the first GET of a key, and on each DELETE."""

    def __init__(self, on_delete: bool) -> None:
        self.on_delete = on_delete
        self.pressed = 0

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        first_read = call.is_("GET", "key", with_id=True) and self.pressed == 0
        if first_read or (self.on_delete and self.pressed and call.method == "DELETE"):
            self.pressed += 1
            os.kill(os.getpid(), signal.SIGINT)
        return call


class ExamplesOnly(Bug):
    """A mock that answers every request with the same example, as Prism's does; stores nothing."""

    KEY: ClassVar[dict[str, object]] = {
        "accountId": "acme",
        "clientName": "ci",
        "clientKeyId": "key-1",
        "roles": ["r"],
    }
    USER: ClassVar[dict[str, object]] = {
        "accountId": "acme",
        "userId": "ann@example.com",
        "roles": [],
    }

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        if call.headers.get("Authorization") != f"Bearer {server.token}":
            return error(401)
        if call.is_("POST", "keys", with_id=False):
            return Answer.of(200, {"clientId": "key-1", "clientSecret": "s"})
        if call.is_("GET", "keys", with_id=False):
            return Answer.of(200, [self.KEY])
        if call.is_("GET", "key", with_id=True):
            return Answer.of(200, self.KEY)
        if call.method == "DELETE":
            return Answer.of(200, "deleted")
        if call.is_("GET", "user", with_id=False):
            return Answer.of(200, [self.USER])
        return Answer.of(200, self.USER)


class Unlisted(Bug):
    """The listing of ``kind`` (``keys``, ``user``) always fails with 503."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def request(self, server: BuggyServer, call: Call) -> Call | Answer:
        if call.is_("GET", self.kind, with_id=False):
            return error(503, "unavailable")
        return call
