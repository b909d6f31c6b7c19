"""Proxies and TLS contexts: real proxy servers (pproxy, tinyproxy, squid) on loopback.

pproxy runs everywhere; tinyproxy and squid where they are installed
(``test/proxykit.py``), their tests skipped elsewhere.

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
import re
import socket
import ssl
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import trustme
import truststore
import urllib3
from proxykit import FORWARDING_PROXIES, available, forwarding_proxy, pproxy, tinyproxy
from servers import RawServer, closed_port_url

from katanemo_identity import (
    ApiClient,
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    ApiValueError,
    ClientKeyRequest,
    Configuration,
    IdentityApi,
    OpenApiException,
    UnauthorizedException,
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


@pytest.mark.parametrize("separator", ["/", "?", "#"])
def test_a_proxy_password_that_breaks_the_url_is_not_quoted(separator: str) -> None:
    password = f"s3cret{separator}tail"
    with pytest.raises(ApiValueError, match="proxy") as raised:
        Configuration(proxy=f"http://{USER}:{password}@proxy.example:3128")
    assert password not in str(raised.value)
    assert "tail" not in str(raised.value)
    assert "http://***@proxy.example:3128" in str(raised.value)


# -- a request lost through a forwarding proxy: decided by whether it was sent -----------


def proxied(kind: str) -> Iterator[str]:
    if not available(kind):
        pytest.skip(f"{kind} is not installed")
    with forwarding_proxy(kind) as url:
        yield url


@pytest.fixture(params=FORWARDING_PROXIES)
def forwarding(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a running forwarding proxy: pproxy, tinyproxy, squid (each when installed)."""
    yield from proxied(request.param)


def create_key(api: IdentityApi) -> object:
    return api.create_client_key("acme", ClientKeyRequest(default_role_id="r", client_name="n"))


def test_a_create_applied_then_dropped_upstream_is_outcome_unknown_through_the_proxy(
    forwarding: str,
) -> None:
    with IdentityServer() as server:
        server.inject(match="POST", drop_connection=True, processed=True)
        configuration = Configuration(server.url, proxy=forwarding, retry_backoff_factor=0)
        with ApiClient(configuration) as client, pytest.raises(OpenApiException) as raised:
            create_key(IdentityApi(client))
        created = list_keys(Configuration(server.url, proxy_from_env=False))
        posts = [request for request in server.requests if request.method == "POST"]
    # pproxy and tinyproxy close the connection, squid answers 502: either way
    # the create exists, so the outcome is unknown, and it was not sent again.
    assert raised.value.outcome_unknown is True
    assert len(posts) == 1
    assert isinstance(created, list)
    assert len(created) == 1
    if isinstance(raised.value, ApiConnectionError):
        assert raised.value.transient is True
        assert raised.value.proxy is None  # the proxy relayed the loss; it is not at fault
        assert "connection lost" in str(raised.value)


def test_a_get_whose_connection_drops_upstream_is_retried_through_the_proxy(
    forwarding: str,
) -> None:
    with IdentityServer() as server:
        server.inject(match="GET", drop_connection=True, times=2)
        configuration = Configuration(server.url, proxy=forwarding, retry_backoff_factor=0)
        assert list_keys(configuration) == []
        assert [request.method for request in server.requests] == ["GET"] * 3


def test_a_dead_proxy_is_named_with_its_credentials_masked() -> None:
    dead = closed_port_url()
    proxy = dead.replace("http://", f"http://{USER}:{PASSWORD_IN_URL}@")
    for host in ("http://api.example.invalid", "https://api.example.invalid"):
        with pytest.raises(ApiConnectionError) as raised:
            list_keys(Configuration(host, TOKEN, proxy=proxy, retries=0))
        error = raised.value
        shown = dead.replace("http://", "http://***@")
        assert error.proxy == shown
        assert f"could not connect to the proxy {shown}: " in str(error)
        assert "Connection refused" in str(error)
        assert "proxy" in error.advice
        assert "host" not in error.advice
        assert error.outcome_unknown is False
        assert error.transient is True


def test_a_proxy_that_never_finishes_its_tls_handshake_is_a_retried_connect_timeout() -> None:
    # A listener that takes the connection and says nothing: the ClientHello
    # to an https:// proxy goes unanswered.
    with RawServer(RawServer.never_answer(hold=3.0)) as silent:
        proxy = silent.url.replace("http://", "https://")
        configuration = Configuration(
            "https://api.example.invalid",
            proxy=proxy,
            timeout=(0.3, 5.0),
            retries=2,
            retry_backoff_factor=0,
        )
        with ApiClient(configuration) as client, pytest.raises(ApiTimeoutError) as raised:
            create_key(IdentityApi(client))
        connections = silent.connections
    error = raised.value
    assert error.expired == "connect"
    assert error.outcome_unknown is False
    assert error.transient is True
    assert connections == 3  # nothing was sent: even a create is tried again
    assert error.proxy == proxy
    assert str(error).endswith(f"timed out connecting to the proxy {proxy}")
    assert "proxy" in error.advice


def test_no_proxy_error_message_shows_urllib3_internals(guarded_proxy: int) -> None:
    # Refused credentials on a tunnel, a refused connection, a timed-out handshake.
    messages = []
    wrong = f"http://{USER}:wrong-pw@127.0.0.1:{guarded_proxy}"
    for proxy in (wrong, closed_port_url()):
        with pytest.raises(ApiConnectionError) as raised:
            list_keys(Configuration("https://api.example.invalid", proxy=proxy, retries=0))
        messages.append(str(raised.value))
    for message in messages:
        assert '"))' not in message
        assert "('" not in message
        assert "Connection object" not in message
        assert "Pool(" not in message
        assert "wrong-pw" not in message


# -- tinyproxy: a proxy that refuses credentials with 401 -----------------------------------


@pytest.fixture(scope="module")
def tinyproxy_with_credentials() -> Iterator[int]:
    if not available("tinyproxy"):
        pytest.skip("tinyproxy is not installed")
    with tinyproxy(credentials=(USER, "right-pw")) as port:
        yield port


def test_a_tunnel_refused_with_401_says_the_proxy_refused(
    tinyproxy_with_credentials: int, https_origin: HTTPSOrigin, ca_path: str
) -> None:
    proxy = f"http://{USER}:wrong-pw@127.0.0.1:{tinyproxy_with_credentials}"
    configuration = Configuration(https_origin.url, TOKEN, ssl_ca_cert=ca_path, proxy=proxy)
    with pytest.raises(ApiConnectionError) as raised:
        list_keys(configuration)
    error = raised.value
    shown = f"http://***@127.0.0.1:{tinyproxy_with_credentials}"
    assert f"the proxy {shown} refused to open a tunnel to the server: 401" in str(error)
    assert error.proxy == shown
    assert "credentials" in error.advice
    assert "access token" not in error.advice
    assert error.transient is False
    assert error.retries_taken == 0
    assert error.outcome_unknown is False
    assert https_origin.headers_seen == []


def test_a_forwarded_401_without_an_api_body_names_the_proxy_credentials_and_the_token(
    tinyproxy_with_credentials: int,
) -> None:
    proxy = f"http://{USER}:wrong-pw@127.0.0.1:{tinyproxy_with_credentials}"
    with IdentityServer(access_token=TOKEN) as server:
        with pytest.raises(UnauthorizedException) as raised:
            list_keys(Configuration(server.url, TOKEN, proxy=proxy))
        assert server.requests == []
    advice = raised.value.advice
    assert f"proxy http://***@127.0.0.1:{tinyproxy_with_credentials}" in advice
    assert "access token" in advice
    assert "Tinyproxy" in raised.value.headers.get("WWW-Authenticate", "")
    assert "wrong-pw" not in str(raised.value)


def test_the_api_own_401_through_a_proxy_is_not_blamed_on_the_proxy(
    tinyproxy_with_credentials: int,
) -> None:
    proxy = f"http://{USER}:right-pw@127.0.0.1:{tinyproxy_with_credentials}"
    with IdentityServer(access_token=TOKEN) as server:
        with pytest.raises(UnauthorizedException) as raised:
            list_keys(Configuration(server.url, "wrong-token", proxy=proxy))
        assert len(server.requests) == 1
    assert raised.value.data is not None  # the API's error body
    assert "proxy" not in raised.value.advice
    assert raised.value.advice == UnauthorizedException.advice


def test_a_forwarding_proxy_407_names_the_proxy_credentials(guarded_proxy: int) -> None:
    proxy = f"http://{USER}:wrong-pw@127.0.0.1:{guarded_proxy}"
    with IdentityServer() as server, pytest.raises(ApiException) as raised:
        list_keys(Configuration(server.url, proxy=proxy, retries=0))
    assert raised.value.status == 407
    assert f"proxy http://***@127.0.0.1:{guarded_proxy}" in raised.value.advice


# -- an https:// proxy: verified like the server --------------------------------------------


@pytest.fixture(scope="module")
def tls_proxy(
    certificate_authority: trustme.CA, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of pproxy listening as an ``https://`` proxy, its certificate from the test CA."""
    folder = tmp_path_factory.mktemp("tls-proxy")
    issued = certificate_authority.issue_cert("127.0.0.1")
    certificate, key = folder / "proxy.pem", folder / "proxy.key"
    issued.cert_chain_pems[0].write_to_path(str(certificate))
    issued.private_key_pem.write_to_path(str(key))
    with pproxy(tls=(str(certificate), str(key))) as port:
        yield f"https://127.0.0.1:{port}"


@pytest.mark.parametrize("setting", ["ssl_ca_cert", "ssl_context"])
def test_an_https_proxy_is_verified_by_ssl_context_as_by_ssl_ca_cert(
    setting: str,
    tls_proxy: str,
    https_origin: HTTPSOrigin,
    certificate_authority: trustme.CA,
    ca_path: str,
) -> None:
    trusting: dict[str, object] = {"ssl_ca_cert": ca_path}
    if setting == "ssl_context":
        context = ssl.create_default_context()
        certificate_authority.configure_trust(context)
        trusting = {"ssl_context": context}
    configuration = Configuration(https_origin.url, proxy=tls_proxy, **trusting)  # type: ignore[arg-type]
    assert list_keys(configuration) == []
    assert len(https_origin.headers_seen) == 1


def test_an_ssl_context_that_does_not_trust_the_https_proxy_refuses_it(
    tls_proxy: str, https_origin: HTTPSOrigin
) -> None:
    configuration = Configuration(
        https_origin.url, proxy=tls_proxy, ssl_context=ssl.create_default_context()
    )
    with pytest.raises(ApiConnectionError) as raised:
        list_keys(configuration)
    assert str(raised.value).startswith(f"GET {https_origin.url}/org/acme/keys: TLS with the proxy")
    assert raised.value.proxy == tls_proxy
    assert raised.value.transient is False
    assert https_origin.headers_seen == []


# -- the rules, without I/O ---------------------------------------------------------------


def settings(**environ: str) -> ProxySettings:
    return ProxySettings.from_environment(environ)


def test_lower_case_wins_and_a_missing_scheme_means_http() -> None:
    chosen = settings(HTTPS_PROXY="http://upper:1", https_proxy="lower:2", HTTP_PROXY="plain:3")
    assert chosen.proxy_for("https://api.example.com/x") == "http://lower:2"
    assert chosen.proxy_for("http://api.example.com/x") == "http://plain:3"


def test_an_empty_variable_means_no_proxy_and_a_lower_case_one_hides_the_upper_case() -> None:
    assert settings(https_proxy="", HTTPS_PROXY="http://upper:1").https_proxy is None
    assert not settings(HTTP_PROXY="", HTTPS_PROXY="").any


def test_the_repr_of_proxy_settings_masks_every_password() -> None:
    secret = f"http://{USER}:{PASSWORD_IN_URL}@proxy.example:3128"
    for rules in (
        Configuration(proxy=secret).proxy_settings(),
        settings(HTTPS_PROXY=secret, HTTP_PROXY=secret, NO_PROXY="internal.example"),
        settings(ALL_PROXY=secret),
    ):
        for shown in (repr(rules), str(rules), f"{rules}", f"{[rules]}"):
            assert PASSWORD_IN_URL not in shown
            assert "s3cret" not in shown
            assert USER not in shown
            assert "http://***@proxy.example:3128" in shown
    assert "internal.example" in repr(settings(HTTPS_PROXY=secret, NO_PROXY="internal.example"))


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


# -- the environment, side by side with requests and httpx ---------------------------------

#: The table in docs/configuration.md: every row is checked here, against all three clients.
CONFIGURATION_PAGE = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
TABLE_MARKER = "<!-- proxy-environment-table"


@dataclass(frozen=True)
class EnvironmentCase:
    """One row: an environment, a URL, and the proxy host each client picks (or direct, error)."""

    environ: dict[str, str]
    url: str
    sdk: str
    requests: str
    httpx: str

    @property
    def case_id(self) -> str:
        return " ".join(f"{name}={value}" for name, value in self.environ.items()) + " " + self.url


def environment_table() -> list[EnvironmentCase]:
    text = CONFIGURATION_PAGE.read_text(encoding="utf-8")
    rows = text.split(TABLE_MARKER, 1)[1].split("\n\n", 2)[1].splitlines()[2:]
    cases = []
    for row in rows:
        environment, url, sdk, via_requests, via_httpx = (cell.strip() for cell in row.split(" | "))
        environ = dict(
            pair.split("=", 1) for pair in re.findall(r"`([A-Za-z_]+=[^`]*)`", environment)
        )
        cases.append(EnvironmentCase(environ, url.strip("`"), sdk, via_requests, via_httpx))
    return cases


ENVIRONMENT_CASES = environment_table()


def proxy_host(proxy: str | None) -> str:
    return "direct" if proxy is None else str(urlsplit(proxy).hostname)


def sdk_choice(case: EnvironmentCase) -> str:
    try:
        return proxy_host(ProxySettings.from_environment(case.environ).proxy_for(case.url))
    except ApiValueError:
        return "error"


def requests_choice(case: EnvironmentCase) -> str:
    import requests.adapters
    import requests.utils

    proxy = requests.utils.select_proxy(case.url, requests.utils.get_environ_proxies(case.url))
    if proxy is None:
        return "direct"
    try:  # what requests' adapter does with the proxy it selected
        proxy = requests.utils.prepend_scheme_if_needed(proxy, "http")
        host = urllib3.util.parse_url(proxy).host
        requests.adapters.HTTPAdapter().proxy_manager_for(proxy)
    except Exception:
        return "error"
    return host or "error"


def httpx_choice(case: EnvironmentCase) -> str:
    import httpx

    try:
        client = httpx.Client()
    except Exception:
        return "error"
    with client:
        transport = client._transport_for_url(httpx.URL(case.url))
        if transport is client._transport:
            return "direct"
        return str(transport._pool._proxy_url.host.decode())  # type: ignore[attr-defined]


def test_the_environment_table_has_the_cases_that_trip_users() -> None:
    variables = {name for case in ENVIRONMENT_CASES for name in case.environ}
    assert {"ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD"} <= variables
    no_proxy = {case.environ.get("NO_PROXY", "") for case in ENVIRONMENT_CASES}
    assert {
        "*",
        "*.example.com",
        ".example.com",
        "10.0.0.0/8",
        "[::1]:8443",
        "fd00::/8",
    } <= no_proxy
    assert len(ENVIRONMENT_CASES) >= 40


@pytest.mark.parametrize(
    "case", ENVIRONMENT_CASES, ids=[case.case_id for case in ENVIRONMENT_CASES]
)
def test_each_environment_row_holds_for_the_sdk_requests_and_httpx(
    case: EnvironmentCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sdk_choice(case) == case.sdk
    if urllib.request.proxy_bypass is not urllib.request.proxy_bypass_environment:
        # macOS and Windows add the system's proxy settings (and may look names up).
        return
    for name, value in case.environ.items():
        monkeypatch.setenv(name, value)
    assert requests_choice(case) == case.requests
    assert httpx_choice(case) == case.httpx


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
