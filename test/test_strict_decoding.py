"""Response values are decoded strictly: a value of the wrong JSON type is a contract break.

pydantic's lax mode would turn ``"yes"`` into True and ``1`` into True; the
document says ``boolean``, so such a body raises ``ApiDecodeError`` naming the
field (never the value). Unknown fields stay tolerated: the API will grow.
"""

from __future__ import annotations

import pytest
from conftest import KEY, USER, ApiFactory
from servers import Reply, ScriptedServer

from katanemo_identity import ApiDecodeError, NotFoundException


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("isActive", "yes"),
        ("isActive", "true"),
        ("isAdmin", 1),
        ("isAdmin", 0),
        ("accountId", 5),
        ("userId", ["ann@example.com"]),
        ("roles", "admin"),
        ("roles", [1]),
        ("tags", {"team": "blue"}),
        ("token", 1234),
    ],
)
def test_a_value_of_the_wrong_json_type_raises_decode_error_naming_the_field(
    make_api: ApiFactory, field: str, value: object
) -> None:
    with (
        ScriptedServer(Reply.json(200, {**USER, field: value})) as server,
        pytest.raises(ApiDecodeError) as caught,
    ):
        make_api(server.url).get_user("acme", "ann@example.com")
    message = str(caught.value.detail)
    assert message.startswith("get_user() expected UserResponse: " + field)
    assert repr(value) not in message


def test_a_wrong_type_inside_a_list_names_the_item(make_api: ApiFactory) -> None:
    keys = [KEY, {**KEY, "isActive": "false"}]
    with (
        ScriptedServer(Reply.json(200, keys)) as server,
        pytest.raises(ApiDecodeError) as caught,
    ):
        make_api(server.url).get_client_key_list("acme")
    assert "1.isActive: Input should be a valid boolean" in str(caught.value.detail)


def test_a_delete_answer_that_is_not_a_json_string_raises_decode_error(
    make_api: ApiFactory,
) -> None:
    with (
        ScriptedServer(Reply.json(200, {"deleted": True})) as server,
        pytest.raises(ApiDecodeError),
    ):
        make_api(server.url).delete_client_key("acme", "key-1")


def test_unknown_fields_are_still_ignored(make_api: ApiFactory) -> None:
    grown = {**USER, "lastLogin": "2026-01-01T00:00:00Z", "quota": {"seats": 3}}
    with ScriptedServer(Reply.json(200, grown)) as server:
        user = make_api(server.url).get_user("acme", "ann@example.com")
    assert user.is_active is True
    assert user.is_admin is False


def test_well_typed_values_decode_as_before(make_api: ApiFactory) -> None:
    with ScriptedServer(Reply.json(200, [KEY])) as server:
        (key,) = make_api(server.url).get_client_key_list("acme")
    assert key.is_active is True
    assert key.roles == ["reader"]


def test_an_error_body_of_the_wrong_type_keeps_the_status_exception_without_data(
    make_api: ApiFactory,
) -> None:
    # The status is what the caller acts on; a mistyped body only loses ``data``.
    with (
        ScriptedServer(Reply.json(404, {"code": "404", "message": "no such user"})) as server,
        pytest.raises(NotFoundException) as caught,
    ):
        make_api(server.url).get_user("acme", "ann@example.com")
    assert caught.value.data is None
    assert caught.value.status == 404
