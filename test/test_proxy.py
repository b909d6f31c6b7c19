"""Proxies and TLS contexts: a real proxy server (pproxy) on loopback, for http and https.

Between the client and the proxy sits a relay that records every byte the
client sends, so the tests see exactly what the proxy received: the
absolute-form request over http, and over https a CONNECT followed by
encrypted bytes only, the bearer token never among them.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import logging
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
import truststore
from servers import closed_port_url

from katanemo_identity import (
    ApiClient,
    ApiConnectionError,
    ApiException,
    ApiValueError,
    Configuration,
    IdentityApi,
)
from katanemo_identity.configuration import PROXY_ENV, ProxySettings
from katanemo_identity.testing import IdentityServer

USER, PASSWORD = "alice", "s3cret:p@ss"
#: The password percent-encoded, as it must be written in a URL.
PASSWORD_IN_URL = "s3cret%3Ap%40ss"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
TOKEN = "bearer-token-s3cr3t"


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start each test with none of the proxy variables set, in either case."""
    for name in PROXY_ENV:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.delenv("REQUEST_METHOD", raising=False)


# -- the proxy, the relay in front of it, and an https origin ------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def pproxy(*, credentials: str | None = None) -> Iterator[int]:
    """Run pproxy's HTTP proxy (forwarding and CONNECT) on loopback; yield its port."""
    port = free_port()
    listen = f"http://127.0.0.1:{port}" + (f"#{credentials}" if credentials else "")
    # ``--auth 0``: ask for credentials on every request, never trust an address.
    process = subprocess.Popen(
        [sys.executable, "-m", "pproxy", "-l", listen, "--auth", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20.0
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("pproxy did not start") from None
                time.sleep(0.02)
        yield port
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def open_proxy() -> Iterator[int]:
    """The port of a proxy that asks for no credentials."""
    with pproxy() as port:
        yield port


@pytest.fixture(scope="module")
def guarded_proxy() -> Iterator[int]:
    """The port of a proxy that answers 407 without ``alice``'s credentials."""
    with pproxy(credentials=f"{USER}:{PASSWORD}") as port:
        yield port


class Relay:
    """A TCP relay on loopback to ``target_port`` that records what clients send through it."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.received = bytearray()
        self.connections = 0
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def url(self, credentials: str | None = None) -> str:
        return f"http://{credentials + '@' if credentials else ''}127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self.connections += 1
            for source, sink, record in ((client, upstream, True), (upstream, client, False)):
                thread = threading.Thread(
                    target=self._pipe, args=(source, sink, record), daemon=True
                )
                self._threads.append(thread)
                thread.start()

    def _pipe(self, source: socket.socket, sink: socket.socket, record: bool) -> None:
        try:
            while data := source.recv(65536):
                if record:
                    with self._lock:
                        self.received += data
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self.listener.close()
        self._accepting.join(5)
        for thread in self._threads:
            thread.join(5)


@contextlib.contextmanager
def relay_to(port: int) -> Iterator[Relay]:
    relay = Relay(port)
    try:
        yield relay
    finally:
        relay.close()


class HTTPSOrigin(http.server.ThreadingHTTPServer):
    """An https server on loopback that answers ``[]`` and records each request's headers."""

    daemon_threads = True

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context
        self.headers_seen: list[dict[str, str]] = []
        super().__init__(("127.0.0.1", 0), _OriginHandler)
        self.url = f"https://127.0.0.1:{self.server_address[1]}"

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        sock, address = self.socket.accept()
        return self.context.wrap_socket(sock, server_side=True), address

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a refused handshake is what some tests provoke


class _OriginHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HTTPSOrigin

    def do_GET(self) -> None:
        self.server.headers_seen.append(dict(self.headers.items()))
        body = json.dumps([]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_origin(certificate_authority: trustme.CA) -> Iterator[HTTPSOrigin]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(context)
    origin = HTTPSOrigin(context)
    thread = threading.Thread(target=origin.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield origin
    finally:
        origin.shutdown()
        thread.join(5)
        origin.server_close()


@pytest.fixture
def ca_path(certificate_authority: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    certificate_authority.cert_pem.write_to_path(str(path))
    return str(path)


def list_keys(configuration: Configuration) -> object:
    with ApiClient(configuration) as client:
        return IdentityApi(client).get_client_key_list("acme")


# -- https through CONNECT ------------------------------------------------------------------


def test_https_goes_through_connect_and_the_token_never_reaches_the_proxy(
    monkeypatch: pytest.MonkeyPatch, guarded_proxy: int, https_origin: HTTPSOrigin, ca_path: str
) -> None:
    with relay_to(guarded_proxy) as relay:
        monkeypatch.setenv("HTTPS_PROXY", relay.url(f"{USER}:{PASSWORD_IN_URL}"))
        configuration = Configuration(https_origin.url, TOKEN, ssl_ca_cert=ca_path)
        assert list_keys(configuration) == []
    port = https_origin.server_address[1]
    seen = bytes(relay.received)
    assert seen.startswith(f"CONNECT 127.0.0.1:{port} HTTP/1.".encode())
    head = seen.split(b"\r\n\r\n", 1)[0].decode()
    assert f"Proxy-Authorization: {BASIC}" in head.splitlines()
    assert TOKEN.encode() not in seen
    assert b"/org/acme/keys" not in seen  # the request itself went inside the tunnel
    (origin_headers,) = https_origin.headers_seen
    assert origin_headers["Authorization"] == f"Bearer {TOKEN}"
    assert not any(name.lower() == "proxy-authorization" for name in origin_headers)


def test_https_with_wrong_proxy_credentials_fails_without_quoting_them(
    monkeypatch: pytest.MonkeyPatch, guarded_proxy: int, https_origin: HTTPSOrigin, ca_path: str
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://{USER}:wrong-pw@127.0.0.1:{guarded_proxy}")
    configuration = Configuration(https_origin.url, TOKEN, ssl_ca_cert=ca_path, retries=0)
    with pytest.raises(ApiConnectionError) as raised:
        list_keys(configuration)
    assert "407" in str(raised.value)
    assert "wrong-pw" not in str(raised.value)
    assert raised.value.outcome_unknown is False
    assert https_origin.headers_seen == []


def test_an_unreachable_proxy_is_a_connection_error_without_its_credentials() -> None:
    dead = closed_port_url().replace("http://", f"http://{USER}:{PASSWORD_IN_URL}@")
    configuration = Configuration("https://api.example.invalid", TOKEN, proxy=dead, retries=0)
    with pytest.raises(ApiConnectionError) as raised:
        list_keys(configuration)
    message = str(raised.value)
    assert PASSWORD_IN_URL not in message
    assert "s3cret" not in message
    assert raised.value.outcome_unknown is False


# -- http through a forwarding proxy ------------------------------------------------------


def test_http_is_forwarded_with_credentials_for_the_proxy_alone(
    monkeypatch: pytest.MonkeyPatch, guarded_proxy: int
) -> None:
    with IdentityServer(access_token=TOKEN) as server, relay_to(guarded_proxy) as relay:
        monkeypatch.setenv("HTTP_PROXY", relay.url(f"{USER}:{PASSWORD_IN_URL}"))
        assert list_keys(Configuration(server.url, TOKEN)) == []
        (record,) = server.requests
        url = server.url
    head = bytes(relay.received).split(b"\r\n\r\n", 1)[0].decode().splitlines()
    assert head[0] == f"GET {url}/org/acme/keys HTTP/1.1"  # absolute form: a proxy
    assert f"Proxy-Authorization: {BASIC}" in head
    assert record.headers["Authorization"] == f"Bearer {TOKEN}"
    assert not any(name.lower() == "proxy-authorization" for name in record.headers)


def test_http_with_wrong_proxy_credentials_fails_without_quoting_them(
    monkeypatch: pytest.MonkeyPatch, guarded_proxy: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="katanemo_identity")
    with IdentityServer() as server:
        proxy = f"http://{USER}:wrong-pw@127.0.0.1:{guarded_proxy}"
        # pproxy answers 407 with no body and closes the connection.
        with pytest.raises(ApiException) as raised:
            list_keys(Configuration(server.url, proxy=proxy, retries=0, debug=True))
        assert server.requests == []
    assert raised.value.status == 407
    assert "wrong-pw" not in str(raised.value)
    assert "wrong-pw" not in caplog.text
    assert base64.b64encode(f"{USER}:wrong-pw".encode()).decode() not in caplog.text


def test_the_explicit_proxy_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, open_proxy: int
) -> None:
    monkeypatch.setenv("HTTP_PROXY", closed_port_url())
    with IdentityServer() as server, relay_to(open_proxy) as relay:
        assert list_keys(Configuration(server.url, proxy=relay.url(), retries=0)) == []
        assert len(server.requests) == 1
    assert relay.connections == 1


def test_proxy_from_env_false_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", closed_port_url())
    monkeypatch.setenv("https_proxy", closed_port_url())
    with IdentityServer() as server:
        assert list_keys(Configuration(server.url, proxy_from_env=False, retries=0)) == []
        assert len(server.requests) == 1


def test_without_proxy_from_env_false_the_environment_proxy_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("http_proxy", closed_port_url())
    with IdentityServer() as server:
        with pytest.raises(ApiConnectionError):
            list_keys(Configuration(server.url, retries=0))
        assert server.requests == []


def test_no_proxy_hosts_are_reached_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", closed_port_url())
    monkeypatch.setenv("NO_PROXY", "internal.example, 127.0.0.1")
    with IdentityServer() as server:
        assert list_keys(Configuration(server.url, retries=0)) == []
        assert len(server.requests) == 1


def test_the_route_is_decided_per_host_when_the_host_changes_later(
    monkeypatch: pytest.MonkeyPatch, open_proxy: int
) -> None:
    with IdentityServer() as server, relay_to(open_proxy) as relay:
        monkeypatch.setenv("HTTP_PROXY", relay.url())
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        configuration = Configuration(server.url, retries=0)
        with ApiClient(configuration) as client:
            api = IdentityApi(client)
            api.get_client_key_list("acme")  # 127.0.0.1: in NO_PROXY, direct
            assert relay.connections == 0
            configuration.host = server.url.replace("127.0.0.1", "localhost")
            api.get_client_key_list("acme")  # localhost: through the proxy
            assert relay.connections == 1
            configuration.host = server.url
            api.get_client_key_list("acme")  # back to direct
        assert len(server.requests) == 3
    assert relay.connections == 1
    assert bytes(relay.received).startswith(b"GET http://localhost:")


def test_an_unusable_environment_proxy_is_refused_when_the_client_is_created(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"socks5://{USER}:{PASSWORD_IN_URL}@proxy.example:1080")
    with pytest.raises(ApiValueError, match=r"\$HTTPS_PROXY") as raised:
        ApiClient(Configuration("https://api.example.invalid"))
    assert PASSWORD_IN_URL not in str(raised.value)


def test_an_unusable_explicit_proxy_is_refused_by_the_configuration() -> None:
    with pytest.raises(ApiValueError, match="proxy") as raised:
        Configuration(proxy=f"ftp://{USER}:{PASSWORD_IN_URL}@proxy.example")
    assert PASSWORD_IN_URL not in str(raised.value)


# -- the rules, without I/O ---------------------------------------------------------------


def settings(**environ: str) -> ProxySettings:
    return ProxySettings.from_environment(environ)


def test_lower_case_wins_and_a_missing_scheme_means_http() -> None:
    chosen = settings(HTTPS_PROXY="http://upper:1", https_proxy="lower:2", HTTP_PROXY="plain:3")
    assert chosen.proxy_for("https://api.example.com/x") == "http://lower:2"
    assert chosen.proxy_for("http://api.example.com/x") == "http://plain:3"


def test_an_empty_variable_counts_as_unset() -> None:
    assert settings(https_proxy="", HTTPS_PROXY="http://upper:1").https_proxy == "http://upper:1"
    assert not settings(HTTP_PROXY="", HTTPS_PROXY="").any


def test_under_cgi_the_upper_case_http_proxy_is_ignored() -> None:
    # A CGI server sets HTTP_PROXY from the request's own ``Proxy:`` header.
    assert settings(REQUEST_METHOD="GET", HTTP_PROXY="http://attacker:1").http_proxy is None
    assert settings(REQUEST_METHOD="GET", http_proxy="http://mine:1").http_proxy == "http://mine:1"


@pytest.mark.parametrize(
    ("no_proxy", "url", "direct"),
    [
        ("*", "https://api.example.com", True),
        ("example.com", "https://example.com", True),
        ("example.com", "https://api.example.com", True),
        (".example.com", "https://api.example.com", True),
        ("*.example.com", "https://api.example.com", True),
        ("example.com", "https://notexample.com", False),
        ("EXAMPLE.com", "https://Api.Example.COM", True),
        ("example.com:8443", "https://example.com:8443", True),
        ("example.com:8443", "https://example.com", False),
        ("10.0.0.0/8", "http://10.1.2.3:8080", True),
        ("10.0.0.0/8", "http://11.1.2.3", False),
        ("192.168.1.5", "http://192.168.1.5", True),
        ("::1", "http://[::1]:8080", True),
        ("[::1]:8080", "http://[::1]:8080", True),
        ("[::1]:8080", "http://[::1]:9090", False),
        ("fd00::/8", "http://[fd12::1]", True),
        ("a.example, ,b.example", "http://b.example", True),
    ],
)
def test_no_proxy_entries(no_proxy: str, url: str, direct: bool) -> None:
    chosen = settings(
        HTTP_PROXY="http://proxy:3128", HTTPS_PROXY="http://proxy:3128", NO_PROXY=no_proxy
    )
    assert (chosen.proxy_for(url) is None) is direct


def test_the_explicit_proxy_applies_to_every_host() -> None:
    configuration = Configuration(proxy="proxy.example:3128")
    assert configuration.proxy == "http://proxy.example:3128"
    rules = configuration.proxy_settings({"NO_PROXY": "*"})
    assert rules.proxy_for("https://api.example.com") == "http://proxy.example:3128"


# -- TLS: an ssl.SSLContext of the caller's choosing ---------------------------------------


def test_an_ssl_context_that_trusts_the_ca_is_used(
    https_origin: HTTPSOrigin, certificate_authority: trustme.CA
) -> None:
    context = ssl.create_default_context()
    certificate_authority.configure_trust(context)
    assert list_keys(Configuration(https_origin.url, ssl_context=context)) == []
    assert len(https_origin.headers_seen) == 1


def test_an_ssl_context_without_the_ca_refuses_the_server(https_origin: HTTPSOrigin) -> None:
    context = ssl.create_default_context()
    with pytest.raises(ApiConnectionError, match="TLS"):
        list_keys(Configuration(https_origin.url, ssl_context=context, retries=0))
    assert https_origin.headers_seen == []


def test_a_truststore_context_verifies_with_the_system_store_plus_what_it_is_given(
    https_origin: HTTPSOrigin, ca_path: str
) -> None:
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    with pytest.raises(ApiConnectionError, match="TLS"):  # the throwaway CA is not the system's
        list_keys(Configuration(https_origin.url, ssl_context=context, retries=0))
    context.load_verify_locations(ca_path)
    assert list_keys(Configuration(https_origin.url, ssl_context=context)) == []


def test_an_ssl_context_also_verifies_through_a_proxy(
    monkeypatch: pytest.MonkeyPatch,
    open_proxy: int,
    https_origin: HTTPSOrigin,
    certificate_authority: trustme.CA,
) -> None:
    context = ssl.create_default_context()
    certificate_authority.configure_trust(context)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{open_proxy}")
    assert list_keys(Configuration(https_origin.url, ssl_context=context)) == []


@pytest.mark.parametrize(
    "conflicting",
    [{"ssl_ca_cert": "/ca.pem"}, {"cert_file": "/c.pem"}, {"verify_ssl": False}],
)
def test_an_ssl_context_replaces_the_other_tls_settings(conflicting: dict[str, object]) -> None:
    with pytest.raises(ApiValueError, match="ssl_context replaces"):
        Configuration(ssl_context=ssl.create_default_context(), **conflicting)  # type: ignore[arg-type]


# -- local servers are never proxied -------------------------------------------------------


def test_the_plugin_configuration_ignores_the_proxy_variables(
    monkeypatch: pytest.MonkeyPatch, identity_configuration: Configuration
) -> None:
    monkeypatch.setenv("HTTP_PROXY", closed_port_url())
    assert list_keys(identity_configuration) == []


def test_the_cli_demo_ignores_the_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", closed_port_url())
    run = subprocess.run(
        [sys.executable, "-m", "katanemo_identity", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "all eight operations ran" in run.stdout
