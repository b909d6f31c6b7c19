"""Models: both spellings in, camelCase out, required fields enforced, secrets kept out of sight."""

from __future__ import annotations

import json

import pytest
from conftest import KEY, KEY_CREDENTIALS, USER
from pydantic import ValidationError

from katanemo_identity.models import (
    BadRequestException,
    ClientKeyObject,
    ClientKeyRequest,
    ClientKeyResponse,
    Error,
    UserRequest,
    UserResponse,
)


def test_a_model_is_built_from_attribute_names_or_aliases_alike() -> None:
    by_name = ClientKeyRequest(default_role_id="reader", client_name="ci")
    by_alias = ClientKeyRequest(defaultRoleId="reader", clientName="ci")  # type: ignore[call-arg]
    assert by_name == by_alias
    assert by_name.client_name == "ci"


@pytest.mark.parametrize(
    ("model", "given", "missing"),
    [
        (ClientKeyRequest, {"clientName": "ci"}, "defaultRoleId"),
        (UserRequest, {"userId": "ann@example.com"}, "accountId"),
        (UserResponse, {"userId": "ann@example.com"}, "accountId"),
        (Error, {"message": "no"}, "code"),
    ],
)
def test_a_missing_required_field_is_refused_and_named(
    model: type[ClientKeyRequest], given: dict[str, object], missing: str
) -> None:
    with pytest.raises(ValidationError, match=missing):
        model.from_dict(given)


def test_a_wrong_type_is_refused() -> None:
    with pytest.raises(ValidationError, match="isAdmin"):
        UserResponse.from_dict({"accountId": "acme", "isAdmin": "perhaps"})


def test_unknown_response_fields_are_tolerated() -> None:
    user = UserResponse.from_json(json.dumps(dict(USER, lastLogin="2024-01-01", nested={"a": 1})))
    assert user.user_id == "ann@example.com"
    assert "lastLogin" not in user.to_dict()


def test_unset_optional_fields_are_left_out_of_the_request_body() -> None:
    request = UserRequest(account_id="acme", roles=["admin"])
    assert request.to_dict() == {"accountId": "acme", "roles": ["admin"]}
    assert request.to_json() == '{"accountId":"acme","roles":["admin"]}'


@pytest.mark.parametrize(
    ("model", "document"),
    [
        (UserResponse, USER),
        (ClientKeyObject, KEY),
        (ClientKeyResponse, KEY_CREDENTIALS),
        (UserRequest, {"accountId": "acme", "userId": "a@b.c", "tags": {"t": ["x"]}, "roles": []}),
        (ClientKeyRequest, {"defaultRoleId": "r", "clientName": "ci"}),
        (Error, {"code": 3, "message": "no"}),
        (BadRequestException, {"message": "bad", "errorCode": "E1"}),
    ],
)
def test_to_dict_to_json_from_dict_from_json_round_trip(
    model: type[UserResponse], document: dict[str, object]
) -> None:
    built = model.from_dict(document)
    assert built.to_dict() == document
    assert json.loads(built.to_json()) == document
    assert model.from_json(built.to_json()) == built
    assert model.from_dict(built.to_dict()) == built
    assert model.from_json(built.to_json().encode()) == built


def test_from_dict_accepts_snake_case_keys() -> None:
    key = ClientKeyObject.from_dict({"client_key_id": "key-1", "is_active": False})
    assert (key.client_key_id, key.is_active) == ("key-1", False)


@pytest.mark.parametrize(
    ("model", "document", "attribute", "secret"),
    [
        (ClientKeyResponse, KEY_CREDENTIALS, "client_secret", "client-secret-s3cr3t"),
        (UserResponse, USER, "token", "user-token-s3cr3t"),
    ],
)
def test_a_secret_is_readable_and_serialized_but_never_shown(
    model: type[UserResponse], document: dict[str, object], attribute: str, secret: str
) -> None:
    built = model.from_dict(document)
    assert getattr(built, attribute) == secret
    assert secret in built.to_dict().values()
    assert secret in built.to_json()
    for shown in (repr(built), str(built), built.to_str(), f"{built}", f"{built!r}", repr([built])):
        assert secret not in shown
    assert "**********" in built.to_str()


def test_to_str_shows_the_non_secret_fields() -> None:
    shown = UserResponse.from_dict(USER).to_str()
    assert "ann@example.com" in shown
    assert "acme" in shown


def test_assignment_is_validated() -> None:
    request = UserRequest(account_id="acme")
    with pytest.raises(ValidationError):
        request.roles = "admin"  # type: ignore[assignment]


def test_a_secret_assigned_later_is_still_masked() -> None:
    credentials = ClientKeyResponse(client_id="c")
    credentials.client_secret = "late-s3cr3t"
    assert "late-s3cr3t" not in repr(credentials)
    assert "late-s3cr3t" not in credentials.to_str()
    assert credentials.to_dict()["clientSecret"] == "late-s3cr3t"


def test_every_model_is_importable_from_its_own_module() -> None:
    from katanemo_identity.models.bad_request_exception import BadRequestException as A
    from katanemo_identity.models.client_key_object import ClientKeyObject as B
    from katanemo_identity.models.client_key_request import ClientKeyRequest as C
    from katanemo_identity.models.client_key_response import ClientKeyResponse as D
    from katanemo_identity.models.conflict_exception import ConflictException as E
    from katanemo_identity.models.error import Error as F
    from katanemo_identity.models.internal_server_error_exception import (
        InternalServerErrorException as G,
    )
    from katanemo_identity.models.too_many_requests_exception import TooManyRequestsException as H
    from katanemo_identity.models.unauthorized_exception import UnauthorizedException as I
    from katanemo_identity.models.user_request import UserRequest as J
    from katanemo_identity.models.user_response import UserResponse as K

    assert all(isinstance(model, type) for model in (A, B, C, D, E, F, G, H, I, J, K))
    assert B is ClientKeyObject
    assert K is UserResponse


@pytest.mark.parametrize(
    "build",
    [
        lambda: UserRequest(account_id="acme", is_admin=True),  # type: ignore[call-arg]
        lambda: ClientKeyRequest(client_name="ci", default_role_id="r", client_secret="s3cr3t"),  # type: ignore[call-arg]
        lambda: UserRequest.from_dict({"accountId": "acme", "isAdmin": True}),
        lambda: UserRequest.from_json('{"accountId": "acme", "isAdmin": true}'),
    ],
    ids=["UserRequest keyword", "ClientKeyRequest keyword", "from_dict", "from_json"],
)
def test_a_request_field_the_api_does_not_take_is_refused_not_dropped(build: object) -> None:
    with pytest.raises(ValidationError) as caught:
        build()  # type: ignore[operator]
    assert "Extra inputs are not permitted" in str(caught.value)
    assert "s3cr3t" not in str(caught.value)


def test_an_answer_with_a_field_this_version_does_not_know_still_decodes() -> None:
    user = UserResponse.from_json('{"accountId": "acme", "newField": 1}')
    assert user.account_id == "acme"
