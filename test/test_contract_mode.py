"""The strict contract mode: every response the document does not allow raises ApiContractError.

Off by default (a production client tolerates what the API may grow); on in
the pytest plugin's ``identity_configuration``. Each rule of
``katanemo_identity._contract.RULES`` is broken once here by a real loopback
server, and the error names the rule and the field, never a value.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from conftest import KEY, KEY_CREDENTIALS, USER, ApiFactory
from servers import Reply, ScriptedServer

import katanemo_identity
from katanemo_identity import (
    ApiContractError,
    ApiDecodeError,
    ApiException,
    ClientKeyRequest,
    Configuration,
    IdentityApi,
    NotFoundException,
)
from katanemo_identity._contract import RULES
from katanemo_identity.testing import IdentityServer


def contract_error(make_api: ApiFactory, reply: Reply, call: str = "get_user") -> ApiContractError:
    calls: dict[str, Callable[[IdentityApi], object]] = {
        "get_user": lambda api: api.get_user("acme", "ann@example.com"),
        "get_client_key_list": lambda api: api.get_client_key_list("acme"),
        "create_client_key": lambda api: api.create_client_key(
            "acme", ClientKeyRequest(client_name="ci", default_role_id="r")
        ),
    }
    with ScriptedServer(reply) as server:
        api = make_api(server.url, strict_contract=True, retries=0)
        with pytest.raises(ApiContractError) as caught:
            calls[call](api)
    return caught.value


def test_the_contract_error_is_exported_and_an_api_exception() -> None:
    assert katanemo_identity.ApiContractError is ApiContractError
    assert issubclass(ApiContractError, ApiException)
    assert "ApiContractError" in (katanemo_identity.exceptions.__doc__ or "")


def test_strict_contract_is_off_by_default() -> None:
    assert Configuration(host="http://127.0.0.1:1").strict_contract is False


def test_an_unknown_field_is_tolerated_by_default(make_api: ApiFactory) -> None:
    with ScriptedServer(Reply.json(200, {**USER, "lastLogin": "today"})) as server:
        user = make_api(server.url).get_user("acme", "ann@example.com")
    assert user.account_id == "acme"


def test_an_unknown_field_breaks_the_contract(make_api: ApiFactory) -> None:
    error = contract_error(make_api, Reply.json(200, {**USER, "lastLogin": "today"}))
    assert (error.rule, error.field) == ("unknown-field", "lastLogin")
    assert "get_user(): lastLogin: not in the document; rule 'unknown-field'" in str(error)
    assert "today" not in (error.detail or "")
    assert error.status == 200


def test_an_unknown_field_in_a_list_item_is_named_by_index(make_api: ApiFactory) -> None:
    keys = [KEY, {**KEY, "clientSecret": "client-secret-s3cr3t"}]
    error = contract_error(make_api, Reply.json(200, keys), "get_client_key_list")
    assert (error.rule, error.field) == ("unknown-field", "1.clientSecret")
    assert "client-secret-s3cr3t" not in (error.detail or "")


@pytest.mark.parametrize("status", [201, 204, 302])
def test_an_undocumented_status_breaks_the_contract(make_api: ApiFactory, status: int) -> None:
    error = contract_error(make_api, Reply.json(status, KEY_CREDENTIALS), "create_client_key")
    assert (error.rule, error.field) == ("status", "status")
    assert error.status == status


@pytest.mark.parametrize(
    "headers",
    [[("Content-Type", "text/html")], [("Content-Type", "application/jsonp")], []],
    ids=["html", "lookalike", "missing"],
)
def test_a_wrong_content_type_breaks_the_contract(
    make_api: ApiFactory, headers: list[tuple[str, str]]
) -> None:
    reply = Reply(200, headers, json.dumps(USER).encode())
    error = contract_error(make_api, reply)
    assert (error.rule, error.field) == ("content-type", "Content-Type")


def test_a_content_type_with_a_charset_is_allowed(make_api: ApiFactory) -> None:
    reply = Reply(
        200, [("Content-Type", "application/json; charset=utf-8")], json.dumps(USER).encode()
    )
    with ScriptedServer(reply) as server:
        user = make_api(server.url, strict_contract=True).get_user("acme", "ann@example.com")
    assert user.user_id == "ann@example.com"


def test_an_error_body_not_of_the_documented_model_breaks_the_contract(
    make_api: ApiFactory,
) -> None:
    # 404 is covered by the document's ``default`` response: an ``Error``,
    # whose ``code`` and ``message`` are required.
    error = contract_error(make_api, Reply.json(404, {"error": "not found"}))
    assert (error.rule, error.field) == ("error-body", "code")
    assert error.status == 404


def test_an_unknown_field_in_an_error_body_breaks_the_contract(make_api: ApiFactory) -> None:
    body = {"message": "no", "errorCode": "INVALID_FIELD", "traceId": "abc"}
    error = contract_error(make_api, Reply.json(400, body))
    assert (error.rule, error.field) == ("unknown-field", "traceId")


def test_a_documented_error_still_raises_its_status_exception(make_api: ApiFactory) -> None:
    with ScriptedServer(Reply.json(404, {"code": 404, "message": "no such user"})) as server:
        api = make_api(server.url, strict_contract=True)
        with pytest.raises(NotFoundException) as caught:
            api.get_user("acme", "ann@example.com")
    assert caught.value.data is not None


def test_a_wrong_value_type_stays_a_decode_error_in_strict_mode(make_api: ApiFactory) -> None:
    with ScriptedServer(Reply.json(200, {**USER, "isActive": "yes"})) as server:
        api = make_api(server.url, strict_contract=True)
        with pytest.raises(ApiDecodeError) as caught:
            api.get_user("acme", "ann@example.com")
    assert not isinstance(caught.value, ApiContractError)


def test_every_rule_is_described() -> None:
    assert set(RULES) == {
        "status",
        "content-type",
        "unknown-field",
        "error-body",
        "null",
        "empty-body",
    }


def test_a_null_is_read_as_absent_by_default(make_api: ApiFactory) -> None:
    with ScriptedServer(Reply.json(200, {**USER, "serviceId": None, "roles": None})) as server:
        user = make_api(server.url).get_user("acme", "ann@example.com")
    assert (user.service_id, user.roles, user.user_id) == (None, None, "ann@example.com")


def test_a_null_in_a_field_not_marked_nullable_breaks_the_contract(make_api: ApiFactory) -> None:
    error = contract_error(make_api, Reply.json(200, {**USER, "isAdmin": None}))
    assert (error.rule, error.field) == ("null", "isAdmin")
    assert "get_user(): isAdmin: null; rule 'null'" in str(error)


def test_a_null_in_a_list_item_is_named_by_index(make_api: ApiFactory) -> None:
    keys = [KEY, {**KEY, "serviceId": None}]
    error = contract_error(make_api, Reply.json(200, keys), "get_client_key_list")
    assert (error.rule, error.field) == ("null", "1.serviceId")


def test_a_null_in_an_error_body_breaks_the_contract(make_api: ApiFactory) -> None:
    error = contract_error(make_api, Reply.json(400, {"message": "no", "errorCode": None}))
    assert (error.rule, error.field, error.status) == ("null", "errorCode", 400)


def test_an_empty_delete_answer_is_an_empty_string_by_default(make_api: ApiFactory) -> None:
    reply = Reply(200, [("Content-Type", "application/json")], b"")
    with ScriptedServer(reply) as server:
        assert make_api(server.url).delete_client_key("acme", "key-1") == ""


def test_an_empty_delete_answer_breaks_the_contract(make_api: ApiFactory) -> None:
    reply = Reply(200, [("Content-Type", "application/json")], b"")
    with ScriptedServer(reply) as server:
        api = make_api(server.url, strict_contract=True, retries=0)
        with pytest.raises(ApiContractError) as caught:
            api.delete_client_key("acme", "key-1")
    assert (caught.value.rule, caught.value.field) == ("empty-body", "body")


def test_the_reference_server_keeps_every_rule_through_all_eight_operations() -> None:
    # The plugin's client runs in strict contract mode; the reference server
    # must never trip it, on success or on the errors it documents.
    with IdentityServer() as server:
        configuration = Configuration(host=server.url, strict_contract=True, retries=0)
        with katanemo_identity.ApiClient(configuration) as client:
            api = IdentityApi(client)
            created = api.create_client_key(
                "acme", ClientKeyRequest(client_name="ci", default_role_id="r")
            )
            assert created.client_id is not None
            api.get_client_key("acme", created.client_id)
            api.get_client_key_list("acme")
            invite = katanemo_identity.UserRequest(account_id="acme", user_id="ann@example.com")
            api.create_user_for_account("acme", invite)
            api.get_user("acme", "ann@example.com")
            api.update_user("ann@example.com", "acme", invite)
            api.get_users_for_account("acme")
            api.delete_client_key("acme", created.client_id)
            with pytest.raises(NotFoundException):
                api.get_client_key("acme", created.client_id)
            with pytest.raises(katanemo_identity.ConflictException):
                api.create_user_for_account("acme", invite)
            with pytest.raises(katanemo_identity.BadRequestException):
                api.create_user_for_account(
                    "acme", katanemo_identity.UserRequest(account_id="acme", user_id="not-an-email")
                )


def test_the_plugin_client_runs_in_strict_contract_mode(identity_api: IdentityApi) -> None:
    assert identity_api.api_client.configuration.strict_contract is True


def test_a_contract_error_survives_pickling(make_api: ApiFactory) -> None:
    import pickle

    error = contract_error(make_api, Reply.json(200, {**USER, "lastLogin": "today"}))
    copied = pickle.loads(pickle.dumps(error))
    assert isinstance(copied, ApiContractError)
    assert copied.status == 200


def test_an_injected_fault_breaking_the_document_is_a_contract_error(
    identity_server: IdentityServer, identity_api: IdentityApi
) -> None:
    identity_server.inject(status=400, body="oops", match="GET /org/acme/keys")
    with pytest.raises(ApiContractError) as caught:
        identity_api.get_client_key_list("acme")
    assert (caught.value.rule, caught.value.status) == ("error-body", 400)
