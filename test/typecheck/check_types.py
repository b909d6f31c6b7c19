"""What a type checker sees of the SDK, asserted line by line.

``mypy --strict`` (with and without the pydantic plugin) and pyright check
this file as user code (``scripts/check_types.py``); every ``assert_type``
must hold and every ``# type: ignore`` / ``# pyright: ignore`` must be
needed, so the lines marked with one prove the checkers reject that call.
``test/test_typing.py`` also runs the functions below against the reference
server, so the types asserted here are the ones that arrive.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, TypeVar

import urllib3
from pydantic import ValidationError
from typing_extensions import assert_type

import katanemo_identity
import katanemo_identity.legacy as katanemo_sdk
from katanemo_identity import (
    ApiClient,
    ApiResponse,
    ClientKeyObject,
    ClientKeyRequest,
    ClientKeyResponse,
    Configuration,
    Error,
    IdentityApi,
    RequestOptions,
    UserRequest,
    UserResponse,
    models,
)
from katanemo_identity.legacy import api_client as legacy_api_client
from katanemo_identity.legacy import schemas
from katanemo_identity.legacy.apis.tags import identity_api
from katanemo_identity.legacy.model.client_key_object import (
    ClientKeyObject as LegacyClientKeyObject,
)
from katanemo_identity.legacy.model.client_key_request import (
    ClientKeyRequest as LegacyClientKeyRequest,
)
from katanemo_identity.legacy.model.client_key_response import (
    ClientKeyResponse as LegacyClientKeyResponse,
)
from katanemo_identity.legacy.model.user_response import UserResponse as LegacyUserResponse
from katanemo_identity.testing import IdentityServer

ErrorT = TypeVar("ErrorT", bound=Exception)

ACCOUNT = "acme"
USER = "ada@example.com"


def check_operations(api: IdentityApi) -> None:
    """Each of the eight operations, in each of its three forms, returns its documented type."""
    key_request = ClientKeyRequest(client_name="ci-runner", default_role_id="deployer")
    created = assert_type(api.create_client_key(ACCOUNT, key_request), ClientKeyResponse)
    assert_type(created.client_id, str | None)
    assert_type(created.client_secret, str | None)
    assert_type(
        api.create_client_key_with_http_info(
            ACCOUNT, ClientKeyRequest(client_name="ci-2", default_role_id="deployer")
        ),
        ApiResponse[ClientKeyResponse],
    )
    raw = assert_type(
        api.create_client_key_without_preload_content(
            ACCOUNT, ClientKeyRequest(client_name="ci-3", default_role_id="deployer")
        ),
        urllib3.BaseHTTPResponse,
    )
    raw.drain_conn()

    keys = assert_type(api.get_client_key_list(ACCOUNT), list[ClientKeyObject])
    listed = assert_type(
        api.get_client_key_list_with_http_info(ACCOUNT), ApiResponse[list[ClientKeyObject]]
    )
    assert_type(listed.data, list[ClientKeyObject])
    assert_type(listed.status_code, int)
    assert_type(listed.headers, Mapping[str, str])
    assert_type(listed.raw_data, bytes)
    assert_type(api.get_client_key_list_without_preload_content(ACCOUNT), urllib3.BaseHTTPResponse)

    key_id = keys[0].client_key_id
    assert key_id is not None
    assert_type(api.get_client_key(ACCOUNT, key_id), ClientKeyObject)
    assert_type(api.get_client_key_with_http_info(ACCOUNT, key_id), ApiResponse[ClientKeyObject])
    assert_type(
        api.get_client_key_without_preload_content(ACCOUNT, key_id), urllib3.BaseHTTPResponse
    )

    assert_type(api.delete_client_key(ACCOUNT, key_id), str)
    other_ids = [key.client_key_id for key in keys[1:] if key.client_key_id is not None]
    assert_type(api.delete_client_key_with_http_info(ACCOUNT, other_ids[0]), ApiResponse[str])
    assert_type(
        api.delete_client_key_without_preload_content(ACCOUNT, other_ids[1]),
        urllib3.BaseHTTPResponse,
    )

    invite = UserRequest(account_id=ACCOUNT, user_id=USER, roles=["admin"])
    assert_type(api.create_user_for_account(ACCOUNT, invite), UserResponse)
    assert_type(
        api.create_user_for_account_with_http_info(
            ACCOUNT, UserRequest(account_id=ACCOUNT, user_id="bob@example.com")
        ),
        ApiResponse[UserResponse],
    )
    assert_type(
        api.create_user_for_account_without_preload_content(
            ACCOUNT, UserRequest(account_id=ACCOUNT, user_id="cy@example.com")
        ),
        urllib3.BaseHTTPResponse,
    )

    assert_type(api.get_users_for_account(ACCOUNT), list[UserResponse])
    assert_type(api.get_users_for_account_with_http_info(ACCOUNT), ApiResponse[list[UserResponse]])
    assert_type(
        api.get_users_for_account_without_preload_content(ACCOUNT), urllib3.BaseHTTPResponse
    )

    assert_type(api.get_user(ACCOUNT, USER), UserResponse)
    assert_type(api.get_user_with_http_info(ACCOUNT, USER), ApiResponse[UserResponse])
    assert_type(api.get_user_without_preload_content(ACCOUNT, USER), urllib3.BaseHTTPResponse)

    change = UserRequest(account_id=ACCOUNT, roles=["viewer"])
    assert_type(
        api.update_user(user_id=USER, account_id=ACCOUNT, user_request=change), UserResponse
    )
    assert_type(
        api.update_user_with_http_info(user_id=USER, account_id=ACCOUNT, user_request=change),
        ApiResponse[UserResponse],
    )
    assert_type(
        api.update_user_without_preload_content(
            user_id=USER, account_id=ACCOUNT, user_request=change
        ),
        urllib3.BaseHTTPResponse,
    )


def check_options(api: IdentityApi) -> None:
    """The per-call options are keyword-only, typed, and a ``RequestOptions`` can carry them."""
    assert_type(api.get_client_key_list(ACCOUNT, _request_timeout=5), list[ClientKeyObject])
    assert_type(
        api.get_client_key_list(ACCOUNT, _request_timeout=(1.0, 5.0)), list[ClientKeyObject]
    )
    assert_type(api.get_client_key_list(ACCOUNT, _headers={"X-Trace": "1"}), list[ClientKeyObject])
    assert_type(api.get_client_key_list(ACCOUNT, _retries=0), list[ClientKeyObject])
    assert_type(api.get_client_key_list(ACCOUNT, _total_timeout=30.0), list[ClientKeyObject])
    assert_type(api.get_client_key_list_with_http_info(ACCOUNT).retries_taken, int)
    options: RequestOptions = {"_request_timeout": 2.5, "_retries": 1, "_total_timeout": 10.0}
    assert_type(api.get_users_for_account(ACCOUNT, **options), list[UserResponse])
    assert_type(katanemo_identity.RequestOptions, type[RequestOptions])

    # What the checkers refuse (each ignore must be needed), and the SDK refuses at run time.
    refused = katanemo_identity.ApiTypeError, katanemo_identity.ApiValueError
    caught(refused, lambda: api.get_client_key_list(ACCOUNT, _retries="2"))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    caught(refused, lambda: api.get_client_key_list(ACCOUNT, _timeout=5))  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    caught(refused, lambda: api.get_client_key_list(ACCOUNT, _request_timeout=None))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def caught(kind: type[ErrorT] | tuple[type[ErrorT], ...], call: Callable[[], object]) -> ErrorT:
    """Return the ``kind`` error ``call`` raises."""
    try:
        call()
    except kind as error:
        return error
    raise AssertionError(f"expected {kind}")


def check_errors(api: IdentityApi, server: IdentityServer) -> None:
    """Each exception's ``.data`` is the model its status carries; an unknown status gives ``Error``."""
    request = ClientKeyRequest(client_name="twice", default_role_id="deployer")
    api.create_client_key(ACCOUNT, request)
    conflict = caught(
        katanemo_identity.ConflictException, lambda: api.create_client_key(ACCOUNT, request)
    )
    assert_type(conflict.data, models.ConflictException | None)
    assert conflict.data is not None
    assert_type(conflict.data.error_code, str | None)
    assert_type(conflict.data.message, str | None)
    assert_type(conflict.status, int | None)
    assert_type(conflict.reason, str | None)
    assert_type(conflict.body, str | None)
    assert_type(conflict.headers, Mapping[str, str])
    assert_type(conflict.message, str | None)
    assert_type(conflict.detail, str | None)
    assert_type(conflict.advice, str)
    assert_type(conflict.outcome_unknown, bool)
    assert_type(conflict.method, str | None)
    assert_type(conflict.url, str | None)
    assert_type(conflict.retries_taken, int)
    assert_type(conflict.request_id, str | None)

    def get_user() -> UserResponse:
        return api.get_user(ACCOUNT, USER, _retries=0)

    server.inject(status=400, match="GET")
    bad_request = caught(katanemo_identity.BadRequestException, get_user)
    assert_type(bad_request.data, models.BadRequestException | None)
    assert isinstance(bad_request.data, models.BadRequestException)

    server.inject(status=401, match="GET")
    unauthorized = caught(katanemo_identity.UnauthorizedException, get_user)
    assert_type(unauthorized.data, models.UnauthorizedException | None)
    assert isinstance(unauthorized.data, models.UnauthorizedException)

    server.inject(status=403, match="GET")
    forbidden = caught(katanemo_identity.ForbiddenException, get_user)
    assert_type(forbidden.data, Error | None)

    not_found = caught(
        katanemo_identity.NotFoundException, lambda: api.get_user(ACCOUNT, "nobody@example.com")
    )
    assert_type(not_found.data, Error | None)
    assert not_found.data is not None
    assert_type(not_found.data.code, int)
    assert_type(not_found.data.message, str)

    server.inject(status=422, match="GET")
    unprocessable = caught(katanemo_identity.UnprocessableEntityException, get_user)
    assert_type(unprocessable.data, Error | None)

    server.inject(status=429, match="GET")
    rate_limited = caught(katanemo_identity.TooManyRequestsException, get_user)
    assert_type(rate_limited.data, models.TooManyRequestsException | None)
    assert isinstance(rate_limited.data, models.TooManyRequestsException)
    assert_type(rate_limited.retry_after, float | None)

    server.inject(status=500, match="GET")
    internal = caught(katanemo_identity.InternalServerErrorException, get_user)
    assert_type(internal.data, models.InternalServerErrorException | None)
    assert isinstance(internal.data, models.InternalServerErrorException)

    server.inject(status=503, match="GET")
    unavailable = caught(katanemo_identity.ServiceException, get_user)
    assert_type(unavailable.data, models.InternalServerErrorException | Error | None)
    assert isinstance(unavailable.data, Error)
    assert_type(unavailable.data.code, int)

    server.inject(status=418, match="GET")
    unknown = caught(katanemo_identity.ApiException, get_user)
    assert type(unknown) is katanemo_identity.ApiException
    assert isinstance(unknown.data, Error)
    # Every error body has a message, so the base class's ``.data.message`` type-checks.
    any_error: katanemo_identity.ApiException = unknown
    if any_error.data is not None:
        assert_type(any_error.data.message, str | None)

    server.inject(body=b"not json", match="GET")
    undecodable = caught(katanemo_identity.ApiDecodeError, get_user)
    assert_type(undecodable.data, None)


def check_timeout(error: katanemo_identity.ApiTimeoutError) -> None:
    """A timeout says which limit ran out (checked statically only)."""
    assert_type(error.expired, Literal["connect", "read", "total"])
    assert_type(error.transient, bool)
    assert_type(error.outcome_unknown, bool)


def check_too_large(error: katanemo_identity.ApiResponseTooLargeError) -> None:
    """A body too large to read is never parsed (checked statically only)."""
    assert_type(error.data, None)
    assert_type(error.limit, int)


def check_models() -> None:
    """Models are built with the snake_case names, and their fields have the schema's types."""
    key_request = ClientKeyRequest(default_role_id="deployer", client_name="ci-runner")
    assert_type(key_request.default_role_id, str)
    assert_type(key_request.client_name, str)

    user_request = UserRequest(account_id=ACCOUNT, user_id=USER, tags={"team": ["a"]}, roles=[])
    assert_type(user_request.account_id, str)
    assert_type(user_request.user_id, str | None)
    assert_type(user_request.tags, dict[str, list[str]] | None)
    assert_type(user_request.roles, list[str] | None)

    user = UserResponse(account_id=ACCOUNT, is_admin=False, token="t0k3n")
    assert_type(user.account_id, str)
    assert_type(user.service_id, str | None)
    assert_type(user.user_id, str | None)
    assert_type(user.is_admin, bool | None)
    assert_type(user.is_active, bool | None)
    assert_type(user.token, str | None)
    assert_type(user.tags, dict[str, list[str]] | None)
    assert_type(user.roles, list[str] | None)

    key = ClientKeyObject(client_key_id="key-1", is_active=True)
    assert_type(key.account_id, str | None)
    assert_type(key.roles, list[str] | None)
    assert_type(key.client_name, str | None)
    assert_type(key.client_key_id, str | None)
    assert_type(key.service_id, str | None)
    assert_type(key.is_active, bool | None)

    credentials = ClientKeyResponse(client_id="id", client_secret="s3cr3t")
    assert_type(credentials.client_id, str | None)
    assert_type(credentials.client_secret, str | None)

    error = Error(code=404, message="no such user")
    assert_type(error.code, int)
    assert_type(error.message, str)
    for body in (
        models.BadRequestException(message="bad", error_code="INVALID_FIELD"),
        models.UnauthorizedException(),
        models.ConflictException(),
        models.TooManyRequestsException(),
        models.InternalServerErrorException(),
    ):
        assert_type(body.message, str | None)
        assert_type(body.error_code, str | None)

    # The API's JSON goes in through from_dict / from_json, and comes out of to_dict / to_json.
    assert_type(UserResponse.from_dict({"accountId": ACCOUNT, "isAdmin": True}), UserResponse)
    assert_type(ClientKeyObject.from_json(b'{"clientKeyId": "key-1"}'), ClientKeyObject)
    assert_type(ClientKeyResponse.from_json('{"clientId": "id"}'), ClientKeyResponse)
    assert_type(user.to_dict(), dict[str, object])
    assert_type(user.to_json(), str)
    assert_type(user.to_str(), str)

    # camelCase keywords work at run time, but a checker knows only the snake_case ones.
    camel = UserRequest(accountId=ACCOUNT)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    assert camel == UserRequest(account_id=ACCOUNT)
    # A missing field or a wrong type: refused by the checkers and by pydantic.
    caught(ValidationError, lambda: ClientKeyRequest(client_name="ci"))  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    caught(ValidationError, lambda: UserRequest(account_id=ACCOUNT, roles="admin"))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def check_client() -> None:
    """The client and its settings."""
    configuration = Configuration(host="http://127.0.0.1:1", access_token=lambda: "token")
    with ApiClient(configuration) as api_client:
        assert_type(api_client, ApiClient)
        assert_type(IdentityApi(api_client).api_client, ApiClient)
    assert_type(Configuration(timeout=(1.0, 2.0)).timeout, float | tuple[float, float])


def check_legacy(server: IdentityServer) -> None:
    """The katanemo_sdk layer: each method's result type, chosen by ``skip_deserialization``."""
    account = "legacy"  # apart from the accounts the checks above fill
    path = {"accountId": account}
    configuration = katanemo_sdk.Configuration(
        host=server.url, access_token=server.access_token, proxy_from_env=False
    )
    with katanemo_sdk.ApiClient(configuration) as api_client:
        api = identity_api.IdentityApi(api_client)
        created = assert_type(
            api.create_client_key(
                path_params=path,
                body=LegacyClientKeyRequest(clientName="legacy", defaultRoleId="deployer"),
            ),
            legacy_api_client.ApiResponse[LegacyClientKeyResponse],
        )
        assert_type(created.response, urllib3.HTTPResponse)
        assert_type(created.body["clientId"], object)
        assert_type(created.headers, schemas.Unset)
        key = {"accountId": account, "keyId": str(created.body["clientId"])}
        assert_type(
            api.get_client_key(path_params=key),
            legacy_api_client.ApiResponse[LegacyClientKeyObject],
        )
        assert_type(
            api.get_client_key_list(path_params=path, timeout=5),
            legacy_api_client.ApiResponse[tuple[LegacyClientKeyObject, ...]],
        )
        assert_type(
            api.get_client_key_list(path_params=path, skip_deserialization=True),
            legacy_api_client.ApiResponseWithoutDeserialization,
        )
        invite = {"accountId": account, "userId": USER}
        assert_type(
            api.create_user_for_account(path_params=path, body=invite),
            legacy_api_client.ApiResponse[LegacyUserResponse],
        )
        user = {"accountId": account, "userId": USER}
        assert_type(
            api.update_user(
                path_params=user, body=UserRequest(account_id=account), timeout=(1.0, 5.0)
            ),
            legacy_api_client.ApiResponse[LegacyUserResponse],
        )
        assert_type(
            api.get_user(path_params=user, stream=True),
            legacy_api_client.ApiResponse[LegacyUserResponse],
        )
        assert_type(
            api.get_users_for_account(path_params=path),
            legacy_api_client.ApiResponse[tuple[LegacyUserResponse, ...]],
        )
        assert_type(api.delete_client_key(path_params=key), legacy_api_client.ApiResponse[str])
        error = caught(katanemo_sdk.ApiException, lambda: api.get_client_key(path_params=key))
        assert_type(error.body, bytes | None)
        assert_type(error.status, int | None)
        # An option the read operations do not take: refused by the checkers and at run time.
        caught(
            katanemo_sdk.ApiTypeError,
            lambda: api.get_user(path_params=user, content_type="application/json"),  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue]
        )
