"""katanemo_identity.legacy: code written for katanemo_sdk, renamed, against the reference server.

The first tests are the examples of the katanemo_sdk docs, one per operation,
with only the package renamed and a real host, ids and bodies. The rest pin
what the layer promises: results, errors per status class, the per-call
options, the token given each way, and that every call takes the modern
request path (retries, the POST rule, hooks).
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from pprint import pprint

import pytest
import urllib3
from servers import Reply, ScriptedServer

import katanemo_identity
import katanemo_identity.legacy as katanemo_sdk
from katanemo_identity.hooks import CallEnded, Hook
from katanemo_identity.legacy import api_client as legacy_api_client
from katanemo_identity.legacy import schemas
from katanemo_identity.legacy.apis.tags import identity_api
from katanemo_identity.legacy.model.bad_request_exception import BadRequestException
from katanemo_identity.legacy.model.client_key_object import ClientKeyObject
from katanemo_identity.legacy.model.client_key_request import ClientKeyRequest
from katanemo_identity.legacy.model.client_key_response import ClientKeyResponse
from katanemo_identity.legacy.model.conflict_exception import ConflictException
from katanemo_identity.legacy.model.error import Error
from katanemo_identity.legacy.model.internal_server_error_exception import (
    InternalServerErrorException,
)
from katanemo_identity.legacy.model.too_many_requests_exception import TooManyRequestsException
from katanemo_identity.legacy.model.unauthorized_exception import UnauthorizedException
from katanemo_identity.legacy.model.user_request import UserRequest
from katanemo_identity.legacy.model.user_response import UserResponse
from katanemo_identity.testing import IdentityServer

TOKEN = "legacy-token-s3cr3t"


def configuration_for(server: IdentityServer, **settings: object) -> katanemo_sdk.Configuration:
    """The old ``Configuration(host=...)``, pointed at the loopback server, without backoff."""
    settings.setdefault("retry_backoff_factor", 0.0)
    return katanemo_sdk.Configuration(host=server.url, proxy_from_env=False, **settings)  # type: ignore[arg-type]


@pytest.fixture
def api_instance(identity_server: IdentityServer) -> Iterator[identity_api.IdentityApi]:
    with katanemo_sdk.ApiClient(configuration_for(identity_server)) as client:
        yield identity_api.IdentityApi(client)


def create_key(api: identity_api.IdentityApi, name: str = "ci") -> str:
    created = api.create_client_key(
        path_params={"accountId": "acme"},
        body=ClientKeyRequest(clientName=name, defaultRoleId="deployer"),
    )
    return str(created.body["clientId"])


def invite(api: identity_api.IdentityApi, user_id: str = "ada@example.com") -> None:
    api.create_user_for_account(
        path_params={"accountId": "acme"},
        body=UserRequest(accountId="acme", userId=user_id, roles=["admin"]),
    )


# -- the katanemo_sdk docs' examples, one rename ------------------------------


def test_create_client_key_as_documented(
    identity_server: IdentityServer, capsys: pytest.CaptureFixture[str]
) -> None:
    configuration = katanemo_sdk.Configuration(host=identity_server.url, proxy_from_env=False)
    with katanemo_sdk.ApiClient(configuration) as api_client:
        api_instance = identity_api.IdentityApi(api_client)
        path_params = {
            "accountId": "acme",
        }
        body = ClientKeyRequest(clientName="ci", defaultRoleId="deployer")
        try:
            api_response = api_instance.create_client_key(
                path_params=path_params,
                body=body,
            )
            pprint(api_response)
        except katanemo_sdk.ApiException as e:
            pytest.fail(f"Exception when calling IdentityApi->create_client_key: {e}")

    secret = api_response.body["clientSecret"]
    assert isinstance(secret, str)
    assert identity_server.verify_client_secret("acme", str(api_response.body["clientId"]), secret)
    assert isinstance(api_response.body, ClientKeyResponse)
    assert api_response.headers is schemas.unset
    assert api_response.response.status == 200
    assert api_response.response.reason == "OK"
    assert json.loads(api_response.response.data)["clientSecret"] == secret
    assert api_response.response.getheaders()["Content-Type"] == "application/json"
    printed = capsys.readouterr().out
    assert "ClientKeyResponse(" in printed
    assert secret not in printed  # masked in repr, as the modern model masks it
    sent = identity_server.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/org/acme/keys")
    assert json.loads(sent.body) == {"clientName": "ci", "defaultRoleId": "deployer"}


def test_create_user_for_account_as_documented(identity_server: IdentityServer) -> None:
    configuration = katanemo_sdk.Configuration(host=identity_server.url, proxy_from_env=False)
    with katanemo_sdk.ApiClient(configuration) as api_client:
        api_instance = identity_api.IdentityApi(api_client)
        path_params = {
            "accountId": "acme",
        }
        body = UserRequest(
            accountId="acme", userId="ada@example.com", roles=["admin"], tags={"team": ["blue"]}
        )
        api_response = api_instance.create_user_for_account(
            path_params=path_params,
            body=body,
        )

    user = api_response.body
    assert isinstance(user, UserResponse)
    assert user["userId"] == "ada@example.com"
    assert user["isActive"] is False
    assert user["roles"] == ("admin",)  # arrays read as tuples, as the old schemas had them
    assert user["tags"]["team"] == ("blue",)  # type: ignore[index]
    assert identity_server.verify_user_token("acme", "ada@example.com", str(user["token"]))
    assert "token" in user
    assert "lastLogin" not in user
    assert user.get("nothing") is None
    assert set(user) == {
        "accountId",
        "serviceId",
        "userId",
        "isAdmin",
        "isActive",
        "token",
        "tags",
        "roles",
    }


def test_delete_client_key_as_documented(identity_server: IdentityServer) -> None:
    configuration = katanemo_sdk.Configuration(host=identity_server.url, proxy_from_env=False)
    with katanemo_sdk.ApiClient(configuration) as api_client:
        api_instance = identity_api.IdentityApi(api_client)
        key_id = create_key(api_instance)
        path_params = {
            "accountId": "acme",
            "keyId": key_id,
        }
        api_response = api_instance.delete_client_key(
            path_params=path_params,
        )
        remaining = api_instance.get_client_key_list(path_params={"accountId": "acme"})

    assert isinstance(api_response.body, str)
    assert key_id in api_response.body
    assert json.loads(api_response.response.data) == api_response.body
    assert remaining.body == ()


def test_get_client_key_as_documented(identity_server: IdentityServer) -> None:
    configuration = katanemo_sdk.Configuration(host=identity_server.url, proxy_from_env=False)
    with katanemo_sdk.ApiClient(configuration) as api_client:
        api_instance = identity_api.IdentityApi(api_client)
        key_id = create_key(api_instance)
        path_params = {
            "accountId": "acme",
            "keyId": key_id,
        }
        api_response = api_instance.get_client_key(
            path_params=path_params,
        )

    key = api_response.body
    assert isinstance(key, ClientKeyObject)
    assert dict(key) == {
        "accountId": "acme",
        "roles": ("deployer",),
        "clientName": "ci",
        "clientKeyId": key_id,
        "serviceId": "katanemo-identity",
        "isActive": True,
    }
    assert identity_server.requests[-1].path == f"/org/acme/key/{key_id}"


def test_get_client_key_list_as_documented(identity_server: IdentityServer) -> None:
    configuration = katanemo_sdk.Configuration(host=identity_server.url, proxy_from_env=False)
    with katanemo_sdk.ApiClient(configuration) as api_client:
        api_instance = identity_api.IdentityApi(api_client)
        first, second = create_key(api_instance, "ci"), create_key(api_instance, "deploy")
        path_params = {
            "accountId": "acme",
        }
        api_response = api_instance.get_client_key_list(
            path_params=path_params,
        )

    assert isinstance(api_response.body, tuple)
    assert all(isinstance(key, ClientKeyObject) for key in api_response.body)
    assert sorted(str(key["clientKeyId"]) for key in api_response.body) == sorted([first, second])
    assert {key["clientName"] for key in api_response.body} == {"ci", "deploy"}


def test_get_user_as_documented(identity_server: IdentityServer) -> None:
    configuration = katanemo_sdk.Configuration(host=identity_server.url, proxy_from_env=False)
    with katanemo_sdk.ApiClient(configuration) as api_client:
        api_instance = identity_api.IdentityApi(api_client)
        invite(api_instance)
        path_params = {
            "accountId": "acme",
            "userId": "ada@example.com",
        }
        api_response = api_instance.get_user(
            path_params=path_params,
        )

    assert isinstance(api_response.body, UserResponse)
    assert api_response.body["userId"] == "ada@example.com"
    assert api_response.body["roles"] == ("admin",)
    assert identity_server.requests[-1].path == "/org/acme/user/ada%40example.com"


def test_get_users_for_account_as_documented(identity_server: IdentityServer) -> None:
    configuration = katanemo_sdk.Configuration(host=identity_server.url, proxy_from_env=False)
    with katanemo_sdk.ApiClient(configuration) as api_client:
        api_instance = identity_api.IdentityApi(api_client)
        invite(api_instance, "ada@example.com")
        invite(api_instance, "bob@example.com")
        path_params = {
            "accountId": "acme",
        }
        api_response = api_instance.get_users_for_account(
            path_params=path_params,
        )

    assert sorted(user["userId"] for user in api_response.body) == [  # type: ignore[type-var]
        "ada@example.com",
        "bob@example.com",
    ]
    assert all(isinstance(user, UserResponse) for user in api_response.body)


def test_update_user_as_documented(identity_server: IdentityServer) -> None:
    configuration = katanemo_sdk.Configuration(host=identity_server.url, proxy_from_env=False)
    with katanemo_sdk.ApiClient(configuration) as api_client:
        api_instance = identity_api.IdentityApi(api_client)
        invite(api_instance)
        path_params = {
            "userId": "ada@example.com",
            "accountId": "acme",
        }
        body = UserRequest(accountId="acme", roles=["reader"])
        api_response = api_instance.update_user(
            path_params=path_params,
            body=body,
        )
        fetched = api_instance.get_user(path_params=path_params)

    assert api_response.body["roles"] == ("reader",)
    assert fetched.body["roles"] == ("reader",)
    sent = identity_server.requests[-2]
    assert (sent.method, sent.path) == ("PUT", "/org/acme/user/ada%40example.com")
    assert json.loads(sent.body) == {"accountId": "acme", "roles": ["reader"]}


def test_the_response_holds_what_the_sdk_read() -> None:
    body = b'[{"clientName": "ci", "lastLogin": "yesterday"}]'
    reply = Reply(
        200, [("Content-Type", "application/json"), ("X-Request-Id", "r-1")], body, reason="Fine"
    )
    with (
        ScriptedServer(reply) as server,
        katanemo_sdk.ApiClient(
            katanemo_sdk.Configuration(host=server.url, proxy_from_env=False)
        ) as api_client,
    ):
        api_response = identity_api.IdentityApi(api_client).get_client_key_list(
            path_params={"accountId": "acme"}
        )

    assert (api_response.response.status, api_response.response.reason) == (200, "Fine")
    assert api_response.response.data == body
    assert api_response.response.getheaders()["X-Request-Id"] == "r-1"
    # The field this version does not know is ignored, as by the modern models.
    assert [dict(key) for key in api_response.body] == [{"clientName": "ci"}]


# -- errors, one per status class ----------------------------------------------


def test_400_is_an_api_exception_with_the_bad_request_body(
    api_instance: identity_api.IdentityApi,
) -> None:
    with pytest.raises(katanemo_sdk.ApiException) as raised:
        api_instance.create_user_for_account(
            path_params={"accountId": "acme"},
            body=UserRequest(accountId="acme", userId="not-an-email"),
        )

    error = raised.value
    assert (error.status, error.reason) == (400, "Bad Request")
    assert isinstance(error.api_response, legacy_api_client.ApiResponse)
    assert isinstance(error.api_response.body, BadRequestException)
    assert "userId" in str(error.api_response.body["message"])
    assert error.api_response.response.status == 400
    assert error.body == error.api_response.response.data
    assert json.loads(error.body or b"")["message"] == error.api_response.body["message"]
    assert error.headers is not None
    assert error.headers["Content-Type"] == "application/json"
    assert isinstance(error.__cause__, katanemo_identity.BadRequestException)
    assert str(error).startswith("(400)\nReason: Bad Request\n")


@pytest.mark.identity_server(access_token=TOKEN)
def test_401_without_the_token(identity_server: IdentityServer) -> None:
    with katanemo_sdk.ApiClient(configuration_for(identity_server)) as api_client:
        api_instance = identity_api.IdentityApi(api_client)
        with pytest.raises(katanemo_sdk.ApiException) as raised:
            api_instance.get_client_key_list(path_params={"accountId": "acme"})

    assert raised.value.status == 401
    assert isinstance(raised.value.api_response.body, UnauthorizedException)  # type: ignore[union-attr]
    assert isinstance(raised.value.__cause__, katanemo_identity.UnauthorizedException)


def test_404_carries_the_error_body(api_instance: identity_api.IdentityApi) -> None:
    with pytest.raises(katanemo_sdk.ApiException) as raised:
        api_instance.get_user(path_params={"accountId": "acme", "userId": "nobody@example.com"})

    body = raised.value.api_response.body  # type: ignore[union-attr]
    assert isinstance(body, Error)
    assert body["code"] == 404
    assert raised.value.status == 404
    assert isinstance(raised.value.__cause__, katanemo_identity.NotFoundException)


def test_409_when_the_key_name_is_taken(api_instance: identity_api.IdentityApi) -> None:
    create_key(api_instance, "ci")

    with pytest.raises(katanemo_sdk.ApiException) as raised:
        create_key(api_instance, "ci")

    assert raised.value.status == 409
    assert isinstance(raised.value.api_response.body, ConflictException)  # type: ignore[union-attr]
    assert isinstance(raised.value.__cause__, katanemo_identity.ConflictException)


def test_429_after_the_modern_retries_are_spent(
    identity_server: IdentityServer, api_instance: identity_api.IdentityApi
) -> None:
    identity_server.inject(status=429, retry_after=0, times=3, match="GET /org/acme/keys")

    with pytest.raises(katanemo_sdk.ApiException) as raised:
        api_instance.get_client_key_list(path_params={"accountId": "acme"})

    assert raised.value.status == 429
    assert isinstance(raised.value.api_response.body, TooManyRequestsException)  # type: ignore[union-attr]
    assert raised.value.retries_taken == 2  # the modern default: 2 retries
    assert len(identity_server.requests) == 3


def test_500_on_a_create_is_not_resent_and_the_outcome_is_unknown(
    identity_server: IdentityServer, api_instance: identity_api.IdentityApi
) -> None:
    identity_server.inject(status=500, match="POST /org/acme/keys", processed=True)

    with pytest.raises(katanemo_sdk.ApiException) as raised:
        create_key(api_instance)

    assert raised.value.status == 500
    assert isinstance(raised.value.api_response.body, InternalServerErrorException)  # type: ignore[union-attr]
    assert raised.value.outcome_unknown
    assert [request.method for request in identity_server.requests] == ["POST"]  # the POST rule
    # The key was created all the same: the caller reconciles by listing.
    listed = api_instance.get_client_key_list(path_params={"accountId": "acme"})
    assert [key["clientName"] for key in listed.body] == ["ci"]


def test_a_get_is_retried_through_the_modern_path(
    identity_server: IdentityServer, api_instance: identity_api.IdentityApi
) -> None:
    identity_server.inject(status=503, times=2, match="GET /org/acme/keys")

    api_response = api_instance.get_client_key_list(path_params={"accountId": "acme"})

    assert api_response.response.status == 200
    assert len(identity_server.requests) == 3


def test_a_transport_failure_is_an_open_api_exception(
    identity_server: IdentityServer, api_instance: identity_api.IdentityApi
) -> None:
    identity_server.inject(drop_connection=True, times=3, match="GET /org/acme/keys")

    with pytest.raises(katanemo_sdk.OpenApiException) as raised:
        api_instance.get_client_key_list(path_params={"accountId": "acme"})

    assert isinstance(raised.value, katanemo_identity.ApiConnectionError)


def test_hooks_see_a_legacy_call(identity_server: IdentityServer) -> None:
    class Recorder(Hook):
        def __init__(self) -> None:
            self.ended: list[CallEnded] = []

        def call_ended(self, event: CallEnded) -> None:
            self.ended.append(event)

    recorder = Recorder()
    with katanemo_sdk.ApiClient(configuration_for(identity_server, hooks=[recorder])) as client:
        identity_api.IdentityApi(client).get_users_for_account(path_params={"accountId": "acme"})

    assert [(event.operation, event.status) for event in recorder.ended] == [
        ("get_users_for_account", 200)
    ]


# -- building ApiException in users' tests -------------------------------------


def test_api_exception_built_from_status_and_reason() -> None:
    error = katanemo_sdk.ApiException(status=404, reason="Not Found")

    assert (error.status, error.reason, error.body, error.headers) == (404, "Not Found", None, None)
    assert isinstance(error, katanemo_sdk.OpenApiException)
    assert str(error) == "(404)\nReason: Not Found"
    assert pickle.loads(pickle.dumps(error)).status == 404


def test_api_exception_built_from_an_api_response() -> None:
    response = urllib3.HTTPResponse(
        body=b'{"message": "exists", "errorCode": "duplicate"}',
        headers={"Content-Type": "application/json"},
        status=409,
        reason="Conflict",
    )
    api_response = legacy_api_client.ApiResponse(
        response=response, body=ConflictException(message="exists", errorCode="duplicate")
    )

    error = katanemo_sdk.ApiException(409, "Conflict", api_response)

    assert (error.status, error.reason) == (409, "Conflict")
    assert error.body == b'{"message": "exists", "errorCode": "duplicate"}'
    assert error.headers == {"Content-Type": "application/json"}
    assert error.api_response is api_response


def test_the_exception_message_masks_secrets(identity_server: IdentityServer) -> None:
    identity_server.inject(
        status=400, body='{"message": "bad", "clientSecret": "leaked-s3cr3t"}', match="POST"
    )
    with katanemo_sdk.ApiClient(configuration_for(identity_server)) as client:
        api = identity_api.IdentityApi(client)
        with pytest.raises(katanemo_sdk.ApiException) as raised:
            create_key(api)

    assert b"leaked-s3cr3t" in (raised.value.body or b"")  # the bytes, as read
    assert "leaked-s3cr3t" not in str(raised.value)


# -- per-call options ------------------------------------------------------------


def test_skip_deserialization_returns_the_raw_response(
    api_instance: identity_api.IdentityApi,
) -> None:
    create_key(api_instance)

    api_response = api_instance.get_client_key_list(
        path_params={"accountId": "acme"}, skip_deserialization=True
    )

    assert isinstance(api_response, legacy_api_client.ApiResponseWithoutDeserialization)
    assert api_response.body is schemas.unset
    assert api_response.headers is schemas.unset
    assert [key["clientName"] for key in json.loads(api_response.response.data)] == ["ci"]


def test_skip_deserialization_still_raises_on_an_error_status(
    api_instance: identity_api.IdentityApi,
) -> None:
    with pytest.raises(katanemo_sdk.ApiException) as raised:
        api_instance.get_client_key(
            path_params={"accountId": "acme", "keyId": "missing"}, skip_deserialization=True
        )

    assert raised.value.status == 404
    assert isinstance(
        raised.value.api_response, legacy_api_client.ApiResponseWithoutDeserialization
    )
    assert json.loads(raised.value.body or b"")["code"] == 404


@pytest.mark.identity_server(rules="document")
def test_skip_deserialization_returns_a_body_that_does_not_decode(
    identity_server: IdentityServer, api_instance: identity_api.IdentityApi
) -> None:
    identity_server.inject(body="<html>maintenance</html>", match="GET /org/acme/keys", times=2)

    raw = api_instance.get_client_key_list(
        path_params={"accountId": "acme"}, skip_deserialization=True
    )
    with pytest.raises(katanemo_sdk.ApiException) as raised:
        api_instance.get_client_key_list(path_params={"accountId": "acme"})

    assert raw.response.data == b"<html>maintenance</html>"
    assert isinstance(raised.value.__cause__, katanemo_identity.ApiDecodeError)


def test_stream_still_decodes(api_instance: identity_api.IdentityApi) -> None:
    invite(api_instance)

    api_response = api_instance.get_users_for_account(
        path_params={"accountId": "acme"}, stream=True
    )

    assert [user["userId"] for user in api_response.body] == ["ada@example.com"]


def test_a_number_timeout_is_the_whole_call_limit(
    identity_server: IdentityServer, api_instance: identity_api.IdentityApi
) -> None:
    identity_server.inject(delay=5.0, match="GET /org/acme/keys")

    with pytest.raises(katanemo_identity.ApiTimeoutError) as raised:
        api_instance.get_client_key_list(path_params={"accountId": "acme"}, timeout=0.3)

    assert raised.value.expired == "total"


def test_a_pair_timeout_is_connect_and_read(identity_server: IdentityServer) -> None:
    identity_server.inject(delay=5.0, match="GET /org/acme/keys")
    with katanemo_sdk.ApiClient(configuration_for(identity_server, retries=0)) as client:
        api = identity_api.IdentityApi(client)
        with pytest.raises(katanemo_identity.ApiTimeoutError) as raised:
            api.get_client_key_list(path_params={"accountId": "acme"}, timeout=(2, 0.3))

    assert raised.value.expired == "read"


def test_no_timeout_means_the_configured_limits(identity_server: IdentityServer) -> None:
    identity_server.inject(delay=5.0, match="GET /org/acme/keys")
    configuration = configuration_for(identity_server, retries=0, timeout=0.3)
    with katanemo_sdk.ApiClient(configuration) as client:
        api = identity_api.IdentityApi(client)
        with pytest.raises(katanemo_identity.ApiTimeoutError) as raised:
            api.get_client_key_list(path_params={"accountId": "acme"}, timeout=None)

    assert raised.value.expired == "read"


def test_accept_content_types_is_the_accept_header(
    identity_server: IdentityServer, api_instance: identity_api.IdentityApi
) -> None:
    api_instance.get_client_key_list(
        path_params={"accountId": "acme"}, accept_content_types=("application/json",)
    )

    assert identity_server.requests[-1].headers["Accept"] == "application/json"


def test_content_type_other_than_json_is_refused(api_instance: identity_api.IdentityApi) -> None:
    with pytest.raises(katanemo_sdk.ApiValueError, match="application/xml"):
        api_instance.create_client_key(
            path_params={"accountId": "acme"},
            body=ClientKeyRequest(clientName="ci", defaultRoleId="deployer"),
            content_type="application/xml",
        )


def test_an_unknown_option_is_refused(api_instance: identity_api.IdentityApi) -> None:
    with pytest.raises(katanemo_sdk.ApiTypeError, match="content_type"):
        api_instance.get_client_key_list(  # type: ignore[call-overload]
            path_params={"accountId": "acme"}, content_type="application/json"
        )


# -- the token, each way ---------------------------------------------------------


@pytest.mark.identity_server(access_token=TOKEN)
def test_token_from_configuration_access_token(identity_server: IdentityServer) -> None:
    configuration = configuration_for(identity_server, access_token=TOKEN)
    with katanemo_sdk.ApiClient(configuration) as api_client:
        create_key(identity_api.IdentityApi(api_client))

    assert identity_server.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.identity_server(access_token=TOKEN)
def test_token_from_header_name_and_value(identity_server: IdentityServer) -> None:
    with katanemo_sdk.ApiClient(
        configuration_for(identity_server),
        header_name="Authorization",
        header_value=f"Bearer {TOKEN}",
    ) as api_client:
        create_key(identity_api.IdentityApi(api_client))

    assert identity_server.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.identity_server(access_token=TOKEN)
def test_token_from_set_default_header(identity_server: IdentityServer) -> None:
    with katanemo_sdk.ApiClient(configuration_for(identity_server)) as api_client:
        api_client.set_default_header("Authorization", f"Bearer {TOKEN}")
        create_key(identity_api.IdentityApi(api_client))

    assert identity_server.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"


# -- path_params and bodies ------------------------------------------------------


def test_a_missing_path_param_is_named(api_instance: identity_api.IdentityApi) -> None:
    with pytest.raises(katanemo_sdk.ApiTypeError, match="missing 'keyId'"):
        api_instance.get_client_key(path_params={"accountId": "acme"})


def test_an_unexpected_path_param_is_named(api_instance: identity_api.IdentityApi) -> None:
    with pytest.raises(katanemo_sdk.ApiTypeError, match="unexpected 'account_id'"):
        api_instance.get_client_key_list(path_params={"accountId": "acme", "account_id": "acme"})


def test_no_path_params_names_every_key(api_instance: identity_api.IdentityApi) -> None:
    with pytest.raises(katanemo_sdk.ApiTypeError, match="missing 'accountId', 'userId'"):
        api_instance.get_user()


def test_the_placeholder_body_of_the_old_docs_is_refused() -> None:
    with pytest.raises(katanemo_sdk.ApiTypeError, match=r"ClientKeyRequest\(None\).*placeholder"):
        ClientKeyRequest(None)  # type: ignore[arg-type]


def test_an_unknown_body_field_is_refused_by_name() -> None:
    with pytest.raises(katanemo_sdk.ApiTypeError, match="'isAdmin'") as raised:
        UserRequest(accountId="acme", isAdmin=True)

    assert "accountId" in str(raised.value)  # and the fields it does take


def test_a_missing_required_field_is_a_value_error() -> None:
    with pytest.raises(katanemo_sdk.ApiValueError, match="defaultRoleId"):
        ClientKeyRequest(clientName="ci")


def test_a_plain_dict_body_is_checked_and_sent(
    identity_server: IdentityServer, api_instance: identity_api.IdentityApi
) -> None:
    with pytest.raises(katanemo_sdk.ApiTypeError, match="'clientname'"):
        api_instance.create_client_key(
            path_params={"accountId": "acme"}, body={"clientname": "ci", "defaultRoleId": "x"}
        )
    api_instance.create_client_key(
        path_params={"accountId": "acme"}, body={"clientName": "ci", "defaultRoleId": "x"}
    )

    assert json.loads(identity_server.requests[-1].body) == {
        "clientName": "ci",
        "defaultRoleId": "x",
    }


def test_a_modern_model_body_is_sent(
    identity_server: IdentityServer, api_instance: identity_api.IdentityApi
) -> None:
    api_instance.create_client_key(
        path_params={"accountId": "acme"},
        body=katanemo_identity.ClientKeyRequest(client_name="ci", default_role_id="deployer"),
    )

    assert json.loads(identity_server.requests[-1].body) == {
        "defaultRoleId": "deployer",
        "clientName": "ci",
    }


def test_a_body_of_another_type_is_refused(api_instance: identity_api.IdentityApi) -> None:
    with pytest.raises(katanemo_sdk.ApiTypeError, match="not UserRequest"):
        api_instance.create_client_key(
            path_params={"accountId": "acme"},
            body=UserRequest(accountId="acme"),
        )


def test_models_read_like_the_old_schemas() -> None:
    request = ClientKeyRequest({"clientName": "ci"}, defaultRoleId="deployer")

    assert request == {"clientName": "ci", "defaultRoleId": "deployer"}
    assert sorted(request) == ["clientName", "defaultRoleId"]
    assert len(request) == 2
    assert "clientName" in request
    assert request.to_model() == katanemo_identity.ClientKeyRequest(
        client_name="ci", default_role_id="deployer"
    )
    with pytest.raises(KeyError):
        request["nothing"]


def test_the_package_has_the_old_top_level_names() -> None:
    assert katanemo_sdk.ApiClient is katanemo_identity.ApiClient
    assert katanemo_sdk.Configuration is katanemo_identity.Configuration
    for name in ("ApiTypeError", "ApiValueError", "ApiKeyError", "ApiAttributeError"):
        assert issubclass(getattr(katanemo_sdk, name), katanemo_sdk.OpenApiException)
    assert issubclass(katanemo_sdk.ApiException, katanemo_sdk.OpenApiException)
