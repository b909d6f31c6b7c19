"""The one request path: path encoding, headers, authentication, and no foreign exception escaping."""

from __future__ import annotations

import itertools

import pytest
import urllib3
from conftest import KEY, USER, ApiFactory
from servers import RawServer, Reply, ScriptedServer, closed_port_url, http_response

from katanemo_identity import (
    ApiClient,
    ApiTypeError,
    ApiValueError,
    Configuration,
    IdentityApi,
    OpenApiException,
    UserRequest,
)
from katanemo_identity.configuration import __version__


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("a/b", "a%2Fb"),
        ("what?x=1", "what%3Fx%3D1"),
        ("frag#ment", "frag%23ment"),
        ("100%", "100%25"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("with space", "with%20space"),
        ("ünï©ødé", "%C3%BCn%C3%AF%C2%A9%C3%B8d%C3%A9"),
        ("../../admin", "..%2F..%2Fadmin"),
        ("a;b&c=d+e", "a%3Bb%26c%3Dd%2Be"),
    ],
)
def test_a_path_value_arrives_as_exactly_one_segment(
    make_api: ApiFactory, value: str, wire: str
) -> None:
    with ScriptedServer(Reply.json(200, USER)) as server:
        make_api(server.url).get_user("acme", value)
    assert server.requests[0].path == f"/org/acme/user/{wire}"


@pytest.mark.parametrize("value", ["", 7, None, b"bytes", 1.5, ["a"]])
def test_an_empty_or_non_string_path_value_is_refused_before_sending(
    make_api: ApiFactory, value: object
) -> None:
    with (
        ScriptedServer() as server,
        pytest.raises(ApiValueError, match="key_id"),
    ):
        make_api(server.url).get_client_key("acme", value)  # type: ignore[arg-type]
    assert server.requests == []


def test_a_lone_surrogate_in_a_path_value_is_refused(make_api: ApiFactory) -> None:
    with (
        ScriptedServer() as server,
        pytest.raises(ApiValueError, match="user_id"),
    ):
        make_api(server.url).get_user("acme", "bad\udc80")
    assert server.requests == []


def test_a_path_value_too_long_to_send_is_refused(make_api: ApiFactory) -> None:
    with (
        ScriptedServer() as server,
        pytest.raises(ApiValueError, match="account_id"),
    ):
        make_api(server.url).get_users_for_account("x" * 5000)
    assert server.requests == []


def test_the_bearer_token_is_sent_from_a_string(make_api: ApiFactory) -> None:
    with ScriptedServer(Reply.json(200, [])) as server:
        make_api(server.url, access_token="t0ken").get_client_key_list("acme")
    assert server.requests[0].headers["Authorization"] == "Bearer t0ken"


def test_a_token_callable_is_called_for_every_request(make_api: ApiFactory) -> None:
    counter = itertools.count(1)
    with ScriptedServer(default=Reply.json(200, [])) as server:
        api = make_api(server.url, access_token=lambda: f"rotating-{next(counter)}")
        api.get_client_key_list("acme")
        api.get_client_key_list("acme")
    assert [request.headers["Authorization"] for request in server.requests] == [
        "Bearer rotating-1",
        "Bearer rotating-2",
    ]


def test_no_authorization_header_is_sent_without_a_token(make_api: ApiFactory) -> None:
    with ScriptedServer(Reply.json(200, [])) as server:
        make_api(server.url).get_client_key_list("acme")
    assert "Authorization" not in server.requests[0].headers


def test_the_token_and_host_default_to_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with ScriptedServer(Reply.json(200, [])) as server:
        monkeypatch.setenv("KATANEMO_IDENTITY_HOST", server.url)
        monkeypatch.setenv("KATANEMO_IDENTITY_TOKEN", "from-env")
        with ApiClient(Configuration()) as client:
            IdentityApi(client).get_client_key_list("acme")
    assert server.requests[0].headers["Authorization"] == "Bearer from-env"


def test_the_user_agent_names_the_sdk_and_its_version(make_api: ApiFactory) -> None:
    with ScriptedServer(Reply.json(200, [])) as server:
        make_api(server.url).get_client_key_list("acme")
    assert server.requests[0].headers["User-Agent"] == f"katanemo-identity-python/{__version__}"


def test_a_default_header_is_sent_with_every_request(make_api: ApiFactory) -> None:
    with ScriptedServer(default=Reply.json(200, [])) as server:
        api = make_api(server.url)
        api.api_client.set_default_header("X-Tenant", "acme")
        api.get_client_key_list("acme")
        api.get_users_for_account("acme")
    assert [request.headers["X-Tenant"] for request in server.requests] == ["acme", "acme"]


def test_per_call_headers_are_sent_and_override_defaults(make_api: ApiFactory) -> None:
    with ScriptedServer(default=Reply.json(200, [])) as server:
        api = make_api(server.url)
        api.get_client_key_list(
            "acme", _headers={"X-Trace": "t-1", "Accept": "application/json; v=2"}
        )
        api.get_client_key_list("acme")
    first, second = server.requests
    assert first.headers["X-Trace"] == "t-1"
    assert first.headers["Accept"] == "application/json; v=2"
    assert "X-Trace" not in second.headers
    assert second.headers["Accept"] == "application/json"


@pytest.mark.parametrize("token", ["abc\r\nX-Injected: 1", "abc\ndef", "abc\x00", ""])
def test_a_token_that_could_split_the_request_is_refused_before_sending(
    make_api: ApiFactory, token: str
) -> None:
    with (
        ScriptedServer() as server,
        pytest.raises(ApiValueError) as caught,
    ):
        make_api(server.url, access_token=token).get_client_key_list("acme")
    assert server.requests == []
    assert "abc" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Ok", "a\r\nX-Injected: 1"),
        ("X-Ok", "a\nb"),
        ("X Bad", "v"),
        ("X-Bad:", "v"),
        ("X-Ok", "ü€"),
    ],
)
def test_a_header_that_could_split_the_request_is_refused_before_sending(
    make_api: ApiFactory, name: str, value: str
) -> None:
    with ScriptedServer() as server:
        api = make_api(server.url)
        with pytest.raises(ApiValueError):
            api.get_client_key_list("acme", _headers={name: value})
        with pytest.raises(ApiValueError):
            api.api_client.set_default_header(name, value)
    assert server.requests == []


def test_the_client_is_a_context_manager_that_closes_its_pool() -> None:
    with ScriptedServer(Reply.json(200, KEY)) as server:
        with ApiClient(Configuration(host=server.url)) as client:
            IdentityApi(client).get_client_key("acme", "key-1")
            assert len(client.rest_client.pool_manager.pools) == 1
        assert len(client.rest_client.pool_manager.pools) == 0


def test_identity_api_without_a_client_uses_the_shared_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with ScriptedServer(Reply.json(200, [])) as server:
        monkeypatch.setenv("KATANEMO_IDENTITY_HOST", server.url)
        api = IdentityApi()
        try:
            assert api.get_client_key_list("acme") == []
            assert api.api_client is ApiClient.get_default()
        finally:
            api.api_client.close()


def test_retries_must_be_a_whole_number(make_api: ApiFactory) -> None:
    with ScriptedServer() as server:
        api = make_api(server.url)
        with pytest.raises(ApiValueError):
            api.get_client_key_list("acme", _retries=-1)
        with pytest.raises(ApiValueError):
            api.get_client_key_list("acme", _request_timeout=0)
    assert server.requests == []


def test_a_request_body_is_sent_without_unset_fields(make_api: ApiFactory) -> None:
    with ScriptedServer(Reply.json(200, USER)) as server:
        make_api(server.url).create_user_for_account("acme", UserRequest(account_id="acme"))
    assert server.requests[0].body == b'{"accountId":"acme"}'


# No urllib3, json or pydantic exception escapes any call.

FAILURES = {
    "refused": lambda: None,
    "reset": RawServer.reset_before_response(),
    "reset-mid-body": RawServer.reset_mid_body(),
    "short-body": RawServer.short_body(),
    "silence": RawServer.never_answer(hold=2.0),
    "garbage-status-line": RawServer.send_raw(b"NOT HTTP AT ALL\r\n\r\n"),
    "bad-content-length": RawServer.send_raw(b"HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n[{"),
    "bad-gzip": RawServer.send_raw(http_response(200, b"not gzip", [("Content-Encoding", "gzip")])),
    "invalid-utf8-json": RawServer.send_raw(http_response(200, b'[{"accountId": "\xff\xfe"}]')),
    "invalid-utf8-error": RawServer.send_raw(http_response(400, b'{"message": "\xff"}')),
    "html-200": RawServer.send_raw(http_response(200, b"<html></html>")),
    "json-null": RawServer.send_raw(http_response(200, b"null")),
    "deep-json": RawServer.send_raw(http_response(200, b"[" * 5000 + b"]" * 5000)),
    "huge-number": RawServer.send_raw(
        http_response(200, b'[{"accountId": "a", "isActive": 1e999}]')
    ),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
@pytest.mark.parametrize("operation", ["get_users_for_account", "create_user_for_account"])
def test_no_third_party_exception_escapes_a_call(
    make_api: ApiFactory, failure: str, operation: str
) -> None:
    args: tuple[object, ...] = ("acme",)
    if operation == "create_user_for_account":
        args = ("acme", UserRequest(account_id="acme"))
    if failure == "refused":
        api = make_api(closed_port_url(), timeout=(1.0, 0.5), retries=0)
        with pytest.raises(OpenApiException):
            getattr(api, operation)(*args)
        return
    with RawServer(FAILURES[failure]) as server:  # type: ignore[arg-type]
        api = make_api(server.url, timeout=(1.0, 0.5), retries=0)
        with pytest.raises(OpenApiException) as caught:
            getattr(api, operation)(*args)
    assert not isinstance(caught.value, urllib3.exceptions.HTTPError)


def test_an_unknown_keyword_is_a_type_error(make_api: ApiFactory) -> None:
    with pytest.raises(ApiTypeError, match="_request_timeout"):
        make_api("http://127.0.0.1:9").get_user("acme", "ann", timeout=3)  # type: ignore[call-arg]


def test_a_closed_default_client_is_replaced_by_a_new_one() -> None:
    first = ApiClient.get_default()
    first.close()
    second = ApiClient.get_default()
    assert second is not first
    assert second.rest_client.closed is False
    assert ApiClient.get_default() is second
    second.close()
