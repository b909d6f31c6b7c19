"""A small threaded HTTP/1.1 keep-alive server that answers with bytes prepared up front.

The benchmark runs it in a separate process, so its CPU time never counts as
the client's. Every response (status line, headers and JSON body) is built
once at start-up; serving a request is reading its head (and body, if any)
and writing one prepared buffer, so the server adds as little as it can to
the round trip the clients are measured on.

Run as ``python bench/canned_server.py --users 1000 --keys 1000``: it binds
an ephemeral port on 127.0.0.1, prints ``PORT <n>`` on standard output, and
serves until its standard input is closed.
"""

from __future__ import annotations

import argparse
import json
import socketserver
import sys
import threading

#: The account every canned path belongs to.
ACCOUNT_ID = "acme"
#: The user ``GET /org/acme/user/{USER_ID}`` returns.
USER_ID = "user-0@acme.example"

ROLES = ["roleId1", "roleId2", "roleId3"]


def user(index: int) -> dict[str, object]:
    """Return one user as the API's JSON object, every documented field set."""
    return {
        "accountId": ACCOUNT_ID,
        "serviceId": "billing",
        "userId": f"user-{index}@acme.example",
        "isAdmin": index % 10 == 0,
        "isActive": index % 7 != 0,
        "token": f"tok_{index:08d}_0123456789abcdef",
        "tags": {"team": ["platform", "identity"], "region": ["eu-west-1"]},
        "roles": ROLES,
    }


def client_key(index: int) -> dict[str, object]:
    """Return one client key as the API's JSON object, every documented field set."""
    return {
        "accountId": ACCOUNT_ID,
        "roles": ROLES,
        "clientName": f"service-{index}",
        "clientKeyId": f"ck_{index:08d}",
        "serviceId": "billing",
        "isActive": index % 7 != 0,
    }


#: What ``POST /org/acme/keys`` answers.
CREATED_KEY = {"clientId": "ck_new", "clientSecret": "cs_0123456789abcdef0123456789abcdef"}


def http_response(status: int, reason: str, body: bytes) -> bytes:
    """Return a complete HTTP/1.1 keep-alive response carrying a JSON ``body``."""
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body


def canned_routes(users: int, keys: int) -> dict[tuple[str, str], bytes]:
    """Return the prepared response for each ``(method, path)`` the benchmark calls."""

    def ok(document: object) -> bytes:
        return http_response(200, "OK", json.dumps(document, separators=(",", ":")).encode())

    return {
        ("GET", f"/org/{ACCOUNT_ID}/user"): ok([user(index) for index in range(users)]),
        ("GET", f"/org/{ACCOUNT_ID}/keys"): ok([client_key(index) for index in range(keys)]),
        ("GET", f"/org/{ACCOUNT_ID}/user/{USER_ID.replace('@', '%40')}"): ok(user(0)),
        ("POST", f"/org/{ACCOUNT_ID}/keys"): ok(CREATED_KEY),
    }


NOT_FOUND = http_response(404, "Not Found", b'{"code":404,"message":"no canned response"}')


class CannedHandler(socketserver.StreamRequestHandler):
    """Serves one keep-alive connection: read a request, write its prepared answer, repeat."""

    # One write per response already; without this, Nagle's algorithm and a
    # delayed ACK would add tens of milliseconds to some round trips.
    disable_nagle_algorithm = True
    server: CannedServer

    def handle(self) -> None:
        """Answer requests on this connection until the client closes it."""
        routes = self.server.routes
        read_line = self.rfile.readline
        while True:
            request_line = read_line(65537)
            if not request_line:
                return
            parts = request_line.split()
            if len(parts) != 3:
                return
            length = 0
            while True:
                line = read_line(65537)
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                self.rfile.read(length)
            method, target = parts[0].decode("ascii"), parts[1].decode("ascii")
            self.wfile.write(routes.get((method, target), NOT_FOUND))


class CannedServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """A TCP server with one thread per connection, holding the prepared routes."""

    daemon_threads = True
    allow_reuse_address = True
    # Sixteen client threads may connect at once.
    request_queue_size = 64

    def __init__(self, routes: dict[tuple[str, str], bytes]) -> None:
        super().__init__(("127.0.0.1", 0), CannedHandler)
        self.routes = routes


def main(argv: list[str] | None = None) -> int:
    """Serve the canned routes until standard input closes; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000, help="users in the list response")
    parser.add_argument("--keys", type=int, default=1000, help="keys in the list response")
    arguments = parser.parse_args(argv)
    server = CannedServer(canned_routes(arguments.users, arguments.keys))
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    serving.start()
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        sys.stdin.read()  # returns when the parent closes our standard input
    finally:
        server.shutdown()
        serving.join()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
