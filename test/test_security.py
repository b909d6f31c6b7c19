"""Security guarantees: TLS verification, redirects, and secrets kept out of logs and messages.

Each test here backs one line of ``docs/SECURITY.md``.
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
from collections.abc import Callable, Iterator

import pytest
import trustme
from faultkit import KEY, KEY_CREDENTIALS, USER_DOCUMENT, TLSServer, closing_api
from pydantic import ValidationError
from servers import RawServer, Reply, ScriptedServer, http_response

from katanemo_identity import (
    ApiConnectionError,
    ApiDecodeError,
    ApiException,
    ClientKeyRequest,
    ClientKeyResponse,
    Configuration,
    IdentityApi,
    OpenApiException,
    UserRequest,
    UserResponse,
)
from katanemo_identity._redact import MASK
from katanemo_identity.testing import IdentityServer

ACCESS_TOKEN = "access-t0ken-s3cr3t"
CLIENT_SECRET = str(KEY_CREDENTIALS["clientSecret"])
USER_TOKEN = str(USER_DOCUMENT["token"])
SECRETS = (ACCESS_TOKEN, CLIENT_SECRET, USER_TOKEN)


# -- TLS ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    """A throwaway CA, created for this test run only."""
    return trustme.CA()


@pytest.fixture
def tls_server(certificate_authority: trustme.CA) -> Iterator[TLSServer]:
    """An HTTPS server on loopback whose certificate no system store trusts."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(context)
    with TLSServer(context) as server:
        yield server


def test_tls_verification_is_on_by_default() -> None:
    assert Configuration(host="https://api.katanemo.com").verify_ssl is True


def test_self_signed_server_is_refused_by_default(tls_server: TLSServer) -> None:
    with closing_api(tls_server.url) as api, pytest.raises(ApiConnectionError) as raised:
        api.get_client_key_list("acme")

    assert "TLS" in str(raised.value)
    assert raised.value.outcome_unknown is False
    assert tls_server.requests == []


def test_self_signed_server_is_accepted_with_its_ca_configured(
    tls_server: TLSServer, certificate_authority: trustme.CA
) -> None:
    with (
        certificate_authority.cert_pem.tempfile() as ca_path,
        closing_api(tls_server.url, ssl_ca_cert=ca_path) as api,
    ):
        keys = api.get_client_key_list("acme")

    assert [key.client_key_id for key in keys] == [KEY["clientKeyId"]]
    assert tls_server.requests == ["/org/acme/keys"]


def test_certificate_for_another_host_is_refused(certificate_authority: trustme.CA) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("api.katanemo.com").configure_cert(context)
    with TLSServer(context) as server, certificate_authority.cert_pem.tempfile() as ca_path:
        with (
            closing_api(server.url, ssl_ca_cert=ca_path) as api,
            pytest.raises(ApiConnectionError),
        ):
            api.get_client_key_list("acme")

        assert server.requests == []


# -- Redirects ----------------------------------------------------------------


def _redirect_to(target: str, status: int = 302) -> Reply:
    return Reply(status, (("Location", target + "/org/acme/keys"),), b"")


def test_redirect_to_another_host_does_not_carry_the_authorization_header() -> None:
    with ScriptedServer(Reply.json(200, [KEY])) as other:
        with ScriptedServer(_redirect_to(other.url)) as origin:
            with closing_api(origin.url, access_token=ACCESS_TOKEN) as api:
                keys = api.get_client_key_list("acme")

            assert origin.requests[0].headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
        assert len(keys) == 1
        assert len(other.requests) == 1
        assert "Authorization" not in other.requests[0].headers


class _EitherScheme(RawServer):
    """HTTPS and plain HTTP on one port, told apart by the first byte a client sends.

    Over TLS it redirects to the same path over plain HTTP, on the same host
    and port: only the scheme changes. Over plain HTTP it lists one key.

    Attributes:
        over_tls: For each request, in order, whether it came over TLS.
    """

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(self._answer)
        self.context = context
        self.over_tls: list[bool] = []

    def _serve(self, conn: socket.socket) -> None:
        try:
            if conn.recv(1, socket.MSG_PEEK) == b"\x16":  # a TLS handshake record
                conn = self.context.wrap_socket(conn, server_side=True)
        except OSError:
            conn.close()
            return
        super()._serve(conn)

    def _answer(self, conn: socket.socket, request: bytes) -> None:
        tls = isinstance(conn, ssl.SSLSocket)
        self.over_tls.append(tls)
        if tls:
            moved = [("Location", self.url + "/org/acme/keys")]  # http://127.0.0.1:<same port>
            conn.sendall(http_response(302, b"", moved))
        else:
            keys = json.dumps([KEY]).encode()
            conn.sendall(http_response(200, keys, [("Content-Type", "application/json")]))
        conn.close()


def _headers_of(request: bytes) -> dict[str, str]:
    lines = request.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")[1:]
    return {
        name.strip(): value.strip() for name, _, value in (line.partition(":") for line in lines)
    }


#: Headers of the caller's that belong to the origin they were sent to.
_CALLER_HEADERS = ("Authorization", "X-Api-Key", "X-Tenant")


def _list_keys_with_the_callers_headers(api: IdentityApi) -> object:
    api.api_client.set_default_header("X-Api-Key", "k3y-s3cr3t")
    return api.get_client_key_list("acme", _headers={"X-Tenant": "t3nant-s3cr3t"})


def test_a_redirect_from_https_to_http_on_the_same_host_and_port_takes_no_credential(
    certificate_authority: trustme.CA,
) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(context)
    server = _EitherScheme(context)
    with (
        server,
        certificate_authority.cert_pem.tempfile() as ca_path,
        closing_api(
            server.url.replace("http:", "https:"), access_token=ACCESS_TOKEN, ssl_ca_cert=ca_path
        ) as api,
    ):
        assert len(_list_keys_with_the_callers_headers(api)) == 1  # type: ignore[arg-type]

    assert server.over_tls == [True, False]
    first, followed = (_headers_of(request) for request in server.requests)
    assert all(name in first for name in _CALLER_HEADERS)
    assert [name for name in _CALLER_HEADERS if name in followed] == []


def test_a_redirect_to_another_name_of_the_same_address_and_port_takes_no_credential() -> None:
    with ScriptedServer(Reply.json(200, [KEY])) as server:
        port = server.url.rsplit(":", 1)[1]
        # 127.0.0.1 and localhost are the same server, but not the same origin.
        server._script.insert(0, _redirect_to(f"http://localhost:{port}"))
        with closing_api(server.url, access_token=ACCESS_TOKEN) as api:
            assert len(_list_keys_with_the_callers_headers(api)) == 1  # type: ignore[arg-type]

    first, followed = (request.headers for request in server.requests)
    assert followed["Host"] == f"localhost:{port}"
    assert all(name in first for name in _CALLER_HEADERS)
    assert [name for name in _CALLER_HEADERS if name in followed] == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_post_is_not_followed_through_a_redirect(status: int) -> None:
    with ScriptedServer(Reply.json(200, KEY_CREDENTIALS)) as other:
        with ScriptedServer(_redirect_to(other.url, status)) as origin:
            with (
                closing_api(origin.url, access_token=ACCESS_TOKEN) as api,
                pytest.raises(ApiException) as raised,
            ):
                api.create_client_key(
                    "acme", ClientKeyRequest(default_role_id="r", client_name="n")
                )

            assert origin.methods == ["POST"]
        assert type(raised.value) is ApiException
        assert raised.value.status == status
        assert other.requests == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_put_is_not_followed_through_a_redirect(status: int) -> None:
    with ScriptedServer(Reply.json(200, USER_DOCUMENT)) as other:
        with ScriptedServer(_redirect_to(other.url, status)) as origin:
            with closing_api(origin.url) as api, pytest.raises(ApiException) as raised:
                api.update_user("ann", "acme", UserRequest(account_id="acme"))

            assert origin.methods == ["PUT"]
        assert raised.value.status == status
        assert other.requests == []


# -- Secrets ------------------------------------------------------------------


def _exercise(server: ScriptedServer) -> list[object]:
    """Make calls that succeed and fail with secrets in flight; return every result and error."""
    seen: list[object] = []
    with closing_api(server.url, access_token=ACCESS_TOKEN, debug=True) as api:
        calls: list[Callable[[], object]] = [
            lambda: api.create_client_key(
                "acme", ClientKeyRequest(default_role_id="r", client_name="n")
            ),
            lambda: api.create_client_key_with_http_info(
                "acme", ClientKeyRequest(default_role_id="r", client_name="n")
            ),
            lambda: api.get_user("acme", "ann"),
            lambda: api.get_user_with_http_info("acme", "ann"),
            lambda: api.create_client_key(
                "acme", ClientKeyRequest(default_role_id="r", client_name="n")
            ),
            lambda: api.get_user("acme", "ann"),
            lambda: api.get_user("acme", "ann"),
            lambda: api.get_user("acme", "ann"),
        ]
        for call in calls:
            try:
                seen.append(call())
            except OpenApiException as error:
                seen.append(error)
        seen.append(api.api_client.configuration)
        seen.append(api.api_client)
    return seen


_SECRET_REPLIES = (
    Reply.json(200, KEY_CREDENTIALS),
    Reply.json(200, KEY_CREDENTIALS),
    Reply.json(200, USER_DOCUMENT),
    Reply.json(200, USER_DOCUMENT),
    # An error whose body echoes the secret.
    Reply.json(500, {"message": "failed", "clientSecret": CLIENT_SECRET}),
    # A success whose body does not fit the schema, with the token in it.
    Reply.json(200, {**USER_DOCUMENT, "isAdmin": "maybe"}),
    Reply.json(401, {"message": "bad token", "token": USER_TOKEN}),
    Reply.json(200, {"token": USER_TOKEN}),  # accountId missing
)


def test_secrets_never_reach_any_log_at_any_level(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: every library's records
    with ScriptedServer(*_SECRET_REPLIES) as server:
        _exercise(server)

    assert len(caplog.records) >= len(_SECRET_REPLIES)
    text = caplog.text + "".join(str(record.__dict__) for record in caplog.records)
    for secret in SECRETS:
        assert secret not in text


def test_secrets_never_reach_exception_messages() -> None:
    with ScriptedServer(*_SECRET_REPLIES) as server:
        seen = _exercise(server)

    errors = [item for item in seen if isinstance(item, OpenApiException)]
    assert {type(error) for error in errors} >= {ApiDecodeError}
    assert len(errors) == 4
    for error in errors:
        for secret in SECRETS:
            assert secret not in str(error)
            assert secret not in repr(error)
            assert all(secret not in str(arg) for arg in error.args)


def test_secrets_never_reach_repr_or_str_of_results() -> None:
    with ScriptedServer(*_SECRET_REPLIES) as server:
        seen = _exercise(server)

    results = [item for item in seen if not isinstance(item, OpenApiException)]
    for item in results:
        for secret in SECRETS:
            assert secret not in repr(item), f"repr of {type(item).__name__} shows a secret"
            assert secret not in str(item), f"str of {type(item).__name__} shows a secret"


def test_secret_fields_stay_readable_for_the_caller() -> None:
    with (
        ScriptedServer(Reply.json(200, KEY_CREDENTIALS)) as server,
        closing_api(server.url) as api,
    ):
        created = api.create_client_key(
            "acme", ClientKeyRequest(default_role_id="r", client_name="n")
        )

    assert isinstance(created, ClientKeyResponse)
    assert created.client_secret == CLIENT_SECRET
    assert CLIENT_SECRET in created.to_json()
    assert CLIENT_SECRET not in created.to_str()


def test_invalid_model_error_does_not_quote_the_token() -> None:
    with pytest.raises(ValidationError) as raised:
        UserResponse.from_json('{"token": "' + USER_TOKEN + '"}')

    assert "accountId" in str(raised.value)
    assert USER_TOKEN not in str(raised.value)


def test_access_token_is_not_in_a_connection_error() -> None:
    with (
        RawServer(RawServer.reset_before_response()) as server,
        closing_api(server.url, access_token=ACCESS_TOKEN, debug=True) as api,
        pytest.raises(ApiConnectionError) as raised,
    ):
        api.get_client_key_list("acme")

    assert ACCESS_TOKEN not in str(raised.value)
    assert ACCESS_TOKEN not in repr(raised.value)


def test_reference_server_secrets_are_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with (
        IdentityServer(access_token=ACCESS_TOKEN) as server,
        closing_api(server.url, access_token=ACCESS_TOKEN, debug=True) as api,
    ):
        created = api.create_client_key(
            "acme", ClientKeyRequest(default_role_id="r", client_name="n")
        )
        user = api.create_user_for_account(
            "acme", UserRequest(account_id="acme", user_id="ann@example.com")
        )

    assert created.client_secret
    assert user.token
    for secret in (ACCESS_TOKEN, created.client_secret, user.token):
        assert secret not in caplog.text


#: Parts of a secret that a broken server sends as a list or an object.
_SECRET_PARTS = ("first-part-s3cr3t", "second-part-s3cr3t", "nested-part-s3cr3t")

_WRONG_TYPE_SECRETS: dict[str, object] = {
    "a list": list(_SECRET_PARTS),
    "an object": {"value": _SECRET_PARTS[0], "more": [_SECRET_PARTS[1], {"x": _SECRET_PARTS[2]}]},
    "a list with brackets inside its strings": [
        "]" + _SECRET_PARTS[0],
        '"}' + _SECRET_PARTS[1],
        [_SECRET_PARTS[2]],
    ],
}


@pytest.mark.parametrize("shape", list(_WRONG_TYPE_SECRETS))
@pytest.mark.parametrize("field", ["clientSecret", "token"])
def test_a_secret_of_the_wrong_type_is_masked_whole_in_the_error_and_the_log(
    shape: str, field: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    document = {**KEY_CREDENTIALS, **USER_DOCUMENT, field: _WRONG_TYPE_SECRETS[shape]}
    with (
        ScriptedServer(Reply.json(200, document)) as server,
        closing_api(server.url, debug=True) as api,
        pytest.raises(ApiDecodeError) as raised,
    ):
        _decode_field(api, field)

    shown = str(raised.value)
    logged = [
        record.getMessage() for record in caplog.records if "response body:" in record.getMessage()
    ]
    # Both quote the body, with the secret's whole value masked.
    assert f'"{field}": "{MASK}"' in shown
    assert len(logged) == 1
    assert f'"{field}": "{MASK}"' in logged[0]
    for part in _SECRET_PARTS:
        assert part not in shown
        assert part not in caplog.text


def _decode_field(api: IdentityApi, field: str) -> object:
    """Make the call whose answer carries ``field``: a user's token, a new key's secret."""
    if field == "token":
        return api.get_user("acme", "ann")
    return api.create_client_key("acme", ClientKeyRequest(default_role_id="r", client_name="n"))


def test_a_secret_list_cut_short_in_the_error_is_masked_to_the_end() -> None:
    # More than the error's preview of the body (500 characters) is secret:
    # the text is cut inside the list, which has no closing bracket left.
    parts = [f"long-part-{index}-s3cr3t" for index in range(60)]
    document = {**KEY_CREDENTIALS, "clientSecret": parts}
    with (
        ScriptedServer(Reply.json(200, document)) as server,
        closing_api(server.url) as api,
        pytest.raises(ApiDecodeError) as raised,
    ):
        api.create_client_key("acme", ClientKeyRequest(default_role_id="r", client_name="n"))

    shown = str(raised.value)
    assert "more characters" in shown  # the preview was cut
    assert "s3cr3t" not in shown
