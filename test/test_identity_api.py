"""Every operation in all three forms: what goes on the wire, and what comes back."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import urllib3
from conftest import KEY, KEY_CREDENTIALS, USER, ApiFactory
from servers import Reply, ScriptedServer

from katanemo_identity import (
    ApiException,
    ApiResponse,
    ApiTypeError,
    BadRequestException,
    ClientKeyObject,
    ClientKeyRequest,
    ClientKeyResponse,
    NotFoundException,
    UserRequest,
    UserResponse,
)
from katanemo_identity.testing import IdentityServer


@dataclass(frozen=True)
class Case:
    """One operation called with sample arguments, and what the server should see."""

    name: str
    args: tuple[object, ...]
    method: str
    path: str
    body: bytes | None
    answer: object
    expected: object


CASES = [
    Case(
        "create_client_key",
        ("acme", ClientKeyRequest(default_role_id="reader", client_name="ci")),
        "POST",
        "/org/acme/keys",
        b'{"defaultRoleId":"reader","clientName":"ci"}',
        KEY_CREDENTIALS,
        ClientKeyResponse(client_id="client-1", client_secret="client-secret-s3cr3t"),
    ),
    Case(
        "create_user_for_account",
        ("acme", UserRequest(account_id="acme", user_id="ann@example.com")),
        "POST",
        "/org/acme/user",
        b'{"accountId":"acme","userId":"ann@example.com"}',
        USER,
        UserResponse.from_dict(USER),
    ),
    Case(
        "delete_client_key",
        ("acme", "key-1"),
        "DELETE",
        "/org/acme/key/key-1",
        None,
        "deleted",
        "deleted",
    ),
    Case(
        "get_client_key",
        ("acme", "key-1"),
        "GET",
        "/org/acme/key/key-1",
        None,
        KEY,
        ClientKeyObject.from_dict(KEY),
    ),
    Case(
        "get_client_key_list",
        ("acme",),
        "GET",
        "/org/acme/keys",
        None,
        [KEY, KEY],
        [ClientKeyObject.from_dict(KEY)] * 2,
    ),
    Case(
        "get_user",
        ("acme", "ann"),
        "GET",
        "/org/acme/user/ann",
        None,
        USER,
        UserResponse.from_dict(USER),
    ),
    Case(
        "get_users_for_account",
        ("acme",),
        "GET",
        "/org/acme/user",
        None,
        [USER],
        [UserResponse.from_dict(USER)],
    ),
    Case(
        "update_user",
        ("ann", "acme", UserRequest(account_id="acme", roles=["admin"])),
        "PUT",
        "/org/acme/user/ann",
        b'{"accountId":"acme","roles":["admin"]}',
        USER,
        UserResponse.from_dict(USER),
    ),
]

by_name = pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])


@by_name
def test_operation_sends_its_method_path_headers_and_body(make_api: ApiFactory, case: Case) -> None:
    with ScriptedServer(Reply.json(200, case.answer)) as server:
        getattr(make_api(server.url), case.name)(*case.args)
    [request] = server.requests
    assert (request.method, request.path) == (case.method, case.path)
    assert request.headers["Accept"] == "application/json"
    if case.body is None:
        assert request.body == b""
        assert "Content-Type" not in request.headers
    else:
        assert request.body == case.body
        assert request.headers["Content-Type"] == "application/json"


@by_name
def test_operation_returns_the_decoded_result(make_api: ApiFactory, case: Case) -> None:
    with ScriptedServer(Reply.json(200, case.answer)) as server:
        result = getattr(make_api(server.url), case.name)(*case.args)
    assert result == case.expected
    assert type(result) is type(case.expected)


@by_name
def test_with_http_info_returns_status_headers_data_and_raw_bytes(
    make_api: ApiFactory, case: Case
) -> None:
    reply = Reply.json(201, case.answer, headers=[("X-Request-Id", "req-7")])
    with ScriptedServer(reply) as server:
        response = getattr(make_api(server.url), case.name + "_with_http_info")(*case.args)
    assert isinstance(response, ApiResponse)
    assert response.status_code == 201
    assert response.headers["x-request-id"] == "req-7"
    assert response.data == case.expected
    assert response.raw_data == reply.body
    assert server.requests[0].path == case.path


def test_with_http_info_carries_the_reason_phrase_the_server_sent(make_api: ApiFactory) -> None:
    reply = Reply(200, [("Content-Type", "application/json")], b"[]", reason="Fine By Us")
    with ScriptedServer(reply) as server:
        response = make_api(server.url).get_client_key_list_with_http_info("acme")
    assert response.reason == "Fine By Us"


@by_name
def test_without_preload_content_returns_the_unread_urllib3_response(
    make_api: ApiFactory, case: Case
) -> None:
    reply = Reply.json(200, case.answer)
    with ScriptedServer(reply) as server:
        response = getattr(make_api(server.url), case.name + "_without_preload_content")(*case.args)
        assert isinstance(response, urllib3.BaseHTTPResponse)
        assert response.status == 200
        assert response.read() == reply.body
        response.release_conn()
    assert (server.requests[0].method, server.requests[0].path) == (case.method, case.path)


@by_name
def test_without_preload_content_does_not_raise_on_an_error_status(
    make_api: ApiFactory, case: Case
) -> None:
    with ScriptedServer(Reply.json(404, {"code": 404, "message": "gone"})) as server:
        response = getattr(make_api(server.url), case.name + "_without_preload_content")(*case.args)
        assert response.status == 404
        assert json.loads(response.read()) == {"code": 404, "message": "gone"}
        response.release_conn()


@by_name
def test_every_form_takes_the_per_call_options(make_api: ApiFactory, case: Case) -> None:
    with ScriptedServer(default=Reply.json(200, case.answer)) as server:
        api = make_api(server.url)
        for suffix in ("", "_with_http_info", "_without_preload_content"):
            result = getattr(api, case.name + suffix)(
                *case.args,
                _request_timeout=(2, 3),
                _headers={"X-Trace": suffix or "plain"},
                _retries=0,
            )
            if isinstance(result, urllib3.BaseHTTPResponse):
                result.read()
                result.release_conn()
    assert [request.headers["X-Trace"] for request in server.requests] == [
        "plain",
        "_with_http_info",
        "_without_preload_content",
    ]


@by_name
def test_an_unknown_keyword_is_refused_and_nothing_is_sent(
    make_api: ApiFactory, case: Case
) -> None:
    with ScriptedServer() as server, pytest.raises(ApiTypeError, match="_timeout"):
        getattr(make_api(server.url), case.name)(*case.args, _timeout=3)
    assert server.requests == []


@by_name
def test_an_error_status_raises_from_every_decoding_form(make_api: ApiFactory, case: Case) -> None:
    with ScriptedServer(
        default=Reply.json(404, {"code": 404, "message": "no such thing"})
    ) as server:
        api = make_api(server.url)
        for suffix in ("", "_with_http_info"):
            with pytest.raises(NotFoundException) as caught:
                getattr(api, case.name + suffix)(*case.args)
            assert caught.value.status == 404


@pytest.mark.parametrize("name", ["create_client_key", "create_user_for_account"])
def test_a_body_of_the_wrong_model_is_refused_before_sending(
    make_api: ApiFactory, name: str
) -> None:
    with ScriptedServer() as server, pytest.raises(ApiTypeError, match="body"):
        getattr(make_api(server.url), name)("acme", {"clientName": "ci"})
    assert server.requests == []


def test_update_user_takes_user_id_first_and_account_id_second(make_api: ApiFactory) -> None:
    with ScriptedServer(Reply.json(200, USER)) as server:
        make_api(server.url).update_user("ann", "acme", UserRequest(account_id="acme"))
    assert server.requests[0].path == "/org/acme/user/ann"


def test_a_list_of_a_thousand_users_decodes_into_models(make_api: ApiFactory) -> None:
    users = [dict(USER, userId=f"user{index}@example.com") for index in range(1000)]
    with ScriptedServer(Reply.json(200, users)) as server:
        result = make_api(server.url).get_users_for_account("acme")
    assert len(result) == 1000
    assert all(isinstance(user, UserResponse) for user in result)
    assert result[999].user_id == "user999@example.com"


def test_an_empty_list_decodes_to_an_empty_list(make_api: ApiFactory) -> None:
    with ScriptedServer(Reply.json(200, [])) as server:
        assert make_api(server.url).get_client_key_list("acme") == []


# -- update_user: the one operation that takes the user before the account --------------


def test_swapped_update_user_arguments_get_advice_naming_the_order(
    make_api: ApiFactory,
) -> None:
    with IdentityServer() as server:
        api = make_api(server.url)
        api.create_user_for_account("acme", UserRequest(account_id="acme", user_id="ada@x.io"))
        with pytest.raises(BadRequestException) as raised:
            api.update_user("acme", "ada@x.io", UserRequest(account_id="acme", roles=["admin"]))
    advice = raised.value.advice
    assert "update_user(user_id, account_id, user_request) takes the user first" in advice
    assert "account_id is 'acme' but the account_id argument is 'ada@x.io'" in advice
    assert "update_user(user_id=..., account_id=..., user_request=...)" in advice
    assert advice in str(raised.value)


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_the_order_advice_follows_any_status_a_swap_can_cause(
    make_api: ApiFactory, status: int
) -> None:
    reply = Reply(status, body=b'{"code": 1, "message": "no"}')
    with ScriptedServer(reply) as server, pytest.raises(ApiException) as raised:
        make_api(server.url, retries=0).update_user(
            "acme", "ada@x.io", UserRequest(account_id="acme")
        )
    assert raised.value.status == status
    assert "takes the user first, then the account" in raised.value.advice


def test_an_error_after_arguments_in_the_right_order_keeps_its_own_advice(
    make_api: ApiFactory,
) -> None:
    with IdentityServer() as server, pytest.raises(NotFoundException) as raised:
        make_api(server.url).update_user(
            user_id="nobody@x.io",
            account_id="acme",
            user_request=UserRequest(account_id="acme"),
        )
    assert raised.value.advice == NotFoundException.advice


@pytest.mark.parametrize("status", [401, 409, 500])
def test_a_status_a_swap_cannot_cause_keeps_its_own_advice(
    make_api: ApiFactory, status: int
) -> None:
    with ScriptedServer(Reply(status, body=b"{}")) as server, pytest.raises(ApiException) as raised:
        make_api(server.url, retries=0).update_user(
            "acme", "ada@x.io", UserRequest(account_id="acme")
        )
    assert "swapped" not in raised.value.advice
    assert raised.value.advice == type(raised.value).advice
