"""The reference server (``katanemo_identity.testing.IdentityServer``), driven through the SDK.

Requests the SDK refuses to build (invalid JSON, a wrong Content-Type, a
mistyped field) are sent with ``http.client`` instead, and their answers read
with the SDK's error models.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import time
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from katanemo_identity import (
    ApiClient,
    ApiConnectionError,
    ApiDecodeError,
    ApiTimeoutError,
    BadRequestException,
    ClientKeyRequest,
    Configuration,
    ConflictException,
    IdentityApi,
    NotFoundException,
    ServiceException,
    TooManyRequestsException,
    UnauthorizedException,
    UserRequest,
    models,
)
from katanemo_identity.testing import IdentityServer

ACCOUNT = "acme"


def make_api(server: IdentityServer, *, token: str | None = None, retries: int = 0) -> ApiClient:
    """An ApiClient for ``server`` with fast retries, so fault tests stay quick."""
    configuration = Configuration(
        host=server.url,
        access_token=token,
        retries=retries,
        retry_backoff_factor=0.01,
        retry_backoff_max=0.05,
        timeout=5.0,
    )
    return ApiClient(configuration)


@pytest.fixture
def server() -> Iterator[IdentityServer]:
    with IdentityServer() as running:
        yield running


@pytest.fixture
def api(server: IdentityServer) -> Iterator[IdentityApi]:
    with make_api(server) as client:
        yield IdentityApi(client)


def key_request(name: str = "ci", role: str = "admin") -> ClientKeyRequest:
    return ClientKeyRequest(client_name=name, default_role_id=role)


def invite(api: IdentityApi, user_id: str = "ada@example.com", account: str = ACCOUNT) -> None:
    api.create_user_for_account(account, UserRequest(account_id=account, user_id=user_id))


def raw_request(
    server: IdentityServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


# -- client keys -----------------------------------------------------------------


def test_create_key_returns_a_fresh_id_and_secret_each_time(api: IdentityApi) -> None:
    first = api.create_client_key(ACCOUNT, key_request("one"))
    second = api.create_client_key(ACCOUNT, key_request("two"))

    assert first.client_id
    assert second.client_id
    assert first.client_id != second.client_id
    assert first.client_secret
    assert second.client_secret
    assert first.client_secret != second.client_secret


def test_get_key_returns_the_documented_fields_and_never_the_secret(api: IdentityApi) -> None:
    created = api.create_client_key(ACCOUNT, key_request("ci", "reader"))
    assert created.client_id is not None

    response = api.get_client_key_with_http_info(ACCOUNT, created.client_id)

    key = response.data
    assert key.account_id == ACCOUNT
    assert key.roles == ["reader"]
    assert key.client_name == "ci"
    assert key.client_key_id == created.client_id
    assert key.service_id
    assert key.is_active is True
    assert created.client_secret is not None
    assert created.client_secret.encode() not in response.raw_data
    assert response.headers["Content-Type"] == "application/json"


def test_key_secret_is_stored_only_as_a_salted_hash(tmp_path: Path) -> None:
    database = tmp_path / "identity.db"
    with IdentityServer(db=database) as server, make_api(server) as client:
        api = IdentityApi(client)
        first = api.create_client_key(ACCOUNT, key_request("one"))
        second = api.create_client_key(ACCOUNT, key_request("two"))
        assert first.client_id
        assert first.client_secret
        assert second.client_secret

        assert server.verify_client_secret(ACCOUNT, first.client_id, first.client_secret)
        assert not server.verify_client_secret(ACCOUNT, first.client_id, second.client_secret)
        assert not server.verify_client_secret("other", first.client_id, first.client_secret)

    stored = database.read_bytes()
    assert first.client_secret.encode() not in stored
    assert second.client_secret.encode() not in stored


def test_second_key_with_the_same_name_in_an_account_is_a_409_conflict(
    api: IdentityApi,
) -> None:
    api.create_client_key(ACCOUNT, key_request("ci"))

    with pytest.raises(ConflictException) as raised:
        api.create_client_key(ACCOUNT, key_request("ci", "other-role"))

    assert isinstance(raised.value.data, models.ConflictException)
    assert "ci" in (raised.value.data.message or "")
    assert raised.value.data.error_code
    assert len(api.get_client_key_list(ACCOUNT)) == 1


def test_list_keys_returns_every_key_of_the_account_oldest_first(api: IdentityApi) -> None:
    assert api.get_client_key_list(ACCOUNT) == []
    for name in ("a", "b", "c"):
        api.create_client_key(ACCOUNT, key_request(name))

    assert [key.client_name for key in api.get_client_key_list(ACCOUNT)] == ["a", "b", "c"]


def test_deleted_key_is_gone_and_deleting_it_again_is_404(api: IdentityApi) -> None:
    created = api.create_client_key(ACCOUNT, key_request())
    assert created.client_id is not None

    message = api.delete_client_key(ACCOUNT, created.client_id)

    assert "deleted" in message
    assert api.get_client_key_list(ACCOUNT) == []
    with pytest.raises(NotFoundException) as raised:
        api.delete_client_key(ACCOUNT, created.client_id)
    assert isinstance(raised.value.data, models.Error)
    assert raised.value.data.code == 404


def test_unknown_key_is_404_with_an_error_body(api: IdentityApi) -> None:
    with pytest.raises(NotFoundException) as raised:
        api.get_client_key(ACCOUNT, "no-such-key")

    assert isinstance(raised.value.data, models.Error)
    assert raised.value.data.code == 404
    assert "no-such-key" in raised.value.data.message


# -- users ---------------------------------------------------------------------------


def test_invited_user_is_inactive_and_gets_a_token_once(
    server: IdentityServer, api: IdentityApi
) -> None:
    user = api.create_user_for_account(
        ACCOUNT,
        UserRequest(
            account_id=ACCOUNT, user_id="ada@example.com", roles=["admin"], tags={"team": ["a"]}
        ),
    )

    assert user.account_id == ACCOUNT
    assert user.user_id == "ada@example.com"
    assert user.is_active is False
    assert user.is_admin is False
    assert user.roles == ["admin"]
    assert user.tags == {"team": ["a"]}
    assert user.service_id
    assert user.token
    assert server.verify_user_token(ACCOUNT, "ada@example.com", user.token)
    fetched = api.get_user(ACCOUNT, "ada@example.com")
    assert fetched.token is None
    assert fetched.model_copy(update={"token": user.token}) == user


def test_inviting_an_existing_user_is_a_409_conflict(api: IdentityApi) -> None:
    invite(api)

    with pytest.raises(ConflictException):
        invite(api)

    assert len(api.get_users_for_account(ACCOUNT)) == 1


@pytest.mark.parametrize("user_id", ["ada", "ada@", "@example.com", "ada example@x.io", ""])
def test_inviting_a_user_id_that_is_not_an_email_is_400(api: IdentityApi, user_id: str) -> None:
    with pytest.raises(BadRequestException) as raised:
        invite(api, user_id)

    assert isinstance(raised.value.data, models.BadRequestException)
    assert "userId" in (raised.value.data.message or "")
    assert api.get_users_for_account(ACCOUNT) == []


def test_update_user_changes_only_the_fields_sent(api: IdentityApi) -> None:
    api.create_user_for_account(
        ACCOUNT,
        UserRequest(account_id=ACCOUNT, user_id="ada@example.com", roles=["r1"], tags={"t": ["1"]}),
    )

    after_roles = api.update_user(
        "ada@example.com", ACCOUNT, UserRequest(account_id=ACCOUNT, roles=["r2"])
    )
    after_tags = api.update_user(
        "ada@example.com", ACCOUNT, UserRequest(account_id=ACCOUNT, tags={"t": ["2"]})
    )

    assert (after_roles.roles, after_roles.tags) == (["r2"], {"t": ["1"]})
    assert (after_tags.roles, after_tags.tags) == (["r2"], {"t": ["2"]})
    assert api.get_user(ACCOUNT, "ada@example.com") == after_tags


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (UserRequest(account_id="other"), "accountId"),
        (UserRequest(account_id=ACCOUNT, user_id="bob@example.com"), "userId"),
    ],
)
def test_update_user_with_a_body_contradicting_the_path_is_400(
    api: IdentityApi, body: UserRequest, field: str
) -> None:
    invite(api)

    with pytest.raises(BadRequestException) as raised:
        api.update_user("ada@example.com", ACCOUNT, body)

    assert field in str(raised.value.message)


def test_unknown_user_is_404_on_get_and_update(api: IdentityApi) -> None:
    with pytest.raises(NotFoundException):
        api.get_user(ACCOUNT, "nobody@example.com")
    with pytest.raises(NotFoundException):
        api.update_user("nobody@example.com", ACCOUNT, UserRequest(account_id=ACCOUNT))


# -- malformed requests (sent raw: the SDK will not build them) -----------------------


@pytest.mark.parametrize(
    ("body", "content_type", "named"),
    [
        (b'{"clientName": "ci"', "application/json", "JSON"),
        (b'["not", "an", "object"]', "application/json", "object"),
        (b'{"clientName": "ci"}', "application/json", "defaultRoleId"),
        (b'{"clientName": 7, "defaultRoleId": "r"}', "application/json", "clientName"),
        (b'{"clientName": "ci", "defaultRoleId": "r"}', "text/plain", "Content-Type"),
        (b'{"clientName": NaN, "defaultRoleId": "r"}', "application/json", "JSON"),
        (b"\xff\xfe{}", "application/json", "JSON"),
    ],
)
def test_malformed_create_key_body_is_400_naming_the_problem(
    server: IdentityServer, body: bytes, content_type: str, named: str
) -> None:
    status, headers, raw = raw_request(
        server, "POST", f"/org/{ACCOUNT}/keys", body, {"Content-Type": content_type}
    )

    assert status == 400
    assert headers["Content-Type"] == "application/json"
    error = models.BadRequestException.from_json(raw)
    assert named in (error.message or "")
    assert error.error_code


def test_mistyped_user_fields_are_400_naming_the_field(server: IdentityServer) -> None:
    for field, value in (("tags", ["a"]), ("roles", "admin"), ("accountId", 1)):
        body = {"accountId": ACCOUNT, "userId": "ada@example.com", field: value}
        status, _, raw = raw_request(
            server,
            "POST",
            f"/org/{ACCOUNT}/user",
            json.dumps(body).encode(),
            {"Content-Type": "application/json"},
        )
        assert status == 400
        assert field in (models.BadRequestException.from_json(raw).message or "")


def test_unknown_extra_fields_are_ignored(server: IdentityServer, api: IdentityApi) -> None:
    body = {"clientName": "ci", "defaultRoleId": "r", "colour": "blue"}
    status, _, raw = raw_request(
        server,
        "POST",
        f"/org/{ACCOUNT}/keys",
        json.dumps(body).encode(),
        {"Content-Type": "application/json; charset=utf-8"},
    )

    assert status == 200
    assert models.ClientKeyResponse.from_json(raw).client_id
    assert [key.client_name for key in api.get_client_key_list(ACCOUNT)] == ["ci"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nowhere", 404),
        ("GET", "/org/acme/keys/", 404),
        ("GET", "/org/acme/widgets", 404),
        ("PATCH", "/org/acme/keys", 405),
        ("DELETE", "/org/acme/user/ada@example.com", 405),
    ],
)
def test_unknown_route_or_method_gets_an_error_body(
    server: IdentityServer, method: str, path: str, status: int
) -> None:
    answered, headers, raw = raw_request(server, method, path)

    assert answered == status
    error = models.Error.from_json(raw)
    assert error.code == status
    assert error.message
    if status == 405:
        assert "GET" in headers["Allow"]


def test_keep_alive_connection_serves_several_requests(server: IdentityServer) -> None:
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        for _ in range(3):
            connection.request("GET", f"/org/{ACCOUNT}/keys")
            response = connection.getresponse()
            assert response.status == 200
            assert response.getheader("Content-Length") == "2"
            assert response.read() == b"[]"
    finally:
        connection.close()

    assert len(server.requests) == 3


# -- paths and accounts ---------------------------------------------------------------


@pytest.mark.parametrize(
    "account",
    ["a/b", "a?b", "a#b", "100%", "%2F", "..", ".", "a b", "Zürich-日本", "acme/keys"],
)
def test_path_values_arrive_exactly_and_never_change_the_route(
    api: IdentityApi, account: str
) -> None:
    api.create_client_key(account, key_request("ci"))
    invite(api, account=account)

    keys = api.get_client_key_list(account)
    assert [(key.account_id, key.client_name) for key in keys] == [(account, "ci")]
    assert keys[0].client_key_id is not None
    assert api.get_client_key(account, keys[0].client_key_id).account_id == account
    assert api.get_user(account, "ada@example.com").account_id == account
    assert api.get_client_key_list("a") == []
    assert api.get_client_key_list("acme") == []


def test_user_id_with_reserved_characters_is_found_exactly(api: IdentityApi) -> None:
    user_id = "a/b?c#d%25e@example.com"
    invite(api, user_id)

    assert api.get_user(ACCOUNT, user_id).user_id == user_id
    with pytest.raises(NotFoundException):
        api.get_user(ACCOUNT, "a")


def test_accounts_are_isolated_from_each_other(api: IdentityApi) -> None:
    created = api.create_client_key("acme", key_request("ci"))
    assert created.client_id is not None
    api.create_client_key("globex", key_request("ci"))
    invite(api, account="acme")

    assert len(api.get_client_key_list("globex")) == 1
    assert api.get_users_for_account("globex") == []
    with pytest.raises(NotFoundException):
        api.get_client_key("globex", created.client_id)
    with pytest.raises(NotFoundException):
        api.delete_client_key("globex", created.client_id)
    assert api.get_client_key("acme", created.client_id).client_name == "ci"


# -- token and rate limit ---------------------------------------------------------------


def test_requests_without_the_bearer_token_get_401_when_a_token_is_required() -> None:
    with IdentityServer(access_token="s3cret") as server:
        for token in (None, "wrong"):
            with make_api(server, token=token) as client:
                with pytest.raises(UnauthorizedException) as raised:
                    IdentityApi(client).get_client_key_list(ACCOUNT)
                assert isinstance(raised.value.data, models.UnauthorizedException)
                assert raised.value.data.message
        with make_api(server, token="s3cret") as client:
            assert IdentityApi(client).get_client_key_list(ACCOUNT) == []

        assert [record.headers.get("Authorization") for record in server.requests] == [
            None,
            "Bearer wrong",
            "Bearer s3cret",
        ]


def test_openapi_document_is_served_without_a_token() -> None:
    with IdentityServer(access_token="s3cret") as server:
        status, headers, raw = raw_request(server, "GET", "/openapi.json")

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert json.loads(raw) == json.loads(
        files("katanemo_identity").joinpath("openapi.json").read_bytes()
    )


def test_rate_limit_answers_429_with_retry_after_per_client() -> None:
    with IdentityServer(rate_limit=2) as server:
        with make_api(server, token="client-one") as client:
            api = IdentityApi(client)
            api.get_client_key_list(ACCOUNT)
            api.get_client_key_list(ACCOUNT)
            with pytest.raises(TooManyRequestsException) as raised:
                api.get_client_key_list(ACCOUNT)
        with make_api(server, token="client-two") as other:
            assert IdentityApi(other).get_client_key_list(ACCOUNT) == []

    assert raised.value.retry_after is not None
    assert raised.value.retry_after >= 1
    assert isinstance(raised.value.data, models.TooManyRequestsException)


def test_invalid_rate_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        IdentityServer(rate_limit=0)


# -- fault injection -------------------------------------------------------------------


def test_injected_status_answers_with_its_spec_body_and_retry_after(
    server: IdentityServer, api: IdentityApi
) -> None:
    fault = server.inject(status=503, retry_after=1)

    with pytest.raises(ServiceException) as raised:
        api.get_client_key_list(ACCOUNT)

    assert raised.value.status == 503
    assert raised.value.headers["Retry-After"] == "1"
    assert isinstance(raised.value.data, models.Error)
    assert raised.value.data.code == 503
    assert fault.hits == 1
    assert api.get_client_key_list(ACCOUNT) == []  # applied once only


def test_injected_fault_applies_times_times_then_the_call_succeeds(
    server: IdentityServer,
) -> None:
    fault = server.inject(status=503, times=2, match="GET /org/acme/user")

    with make_api(server, retries=2) as client:
        assert IdentityApi(client).get_users_for_account(ACCOUNT) == []

    assert fault.hits == 2
    assert [record.fault for record in server.requests] == [fault, fault, None]


def test_injected_fault_applies_only_to_matching_requests(
    server: IdentityServer, api: IdentityApi
) -> None:
    fault = server.inject(status=500, times=None, match="POST /org/acme/keys")

    assert api.get_client_key_list(ACCOUNT) == []
    api.create_client_key("globex", key_request())
    for _ in range(2):
        with pytest.raises(ServiceException):
            api.create_client_key(ACCOUNT, key_request())

    assert fault.hits == 2
    server.clear_faults()
    api.create_client_key(ACCOUNT, key_request())


def test_rules_apply_in_order_one_per_request(server: IdentityServer, api: IdentityApi) -> None:
    first = server.inject(status=409)
    second = server.inject(status=500)

    with pytest.raises(ConflictException):
        api.get_client_key_list(ACCOUNT)
    with pytest.raises(ServiceException):
        api.get_client_key_list(ACCOUNT)

    assert (first.hits, second.hits) == (1, 1)


def test_unprocessed_fault_leaves_the_state_untouched(
    server: IdentityServer, api: IdentityApi
) -> None:
    server.inject(status=500, match="POST")

    with pytest.raises(ServiceException) as raised:
        api.create_client_key(ACCOUNT, key_request())

    assert raised.value.outcome_unknown
    assert api.get_client_key_list(ACCOUNT) == []


def test_processed_fault_applies_the_write_then_loses_the_answer(
    server: IdentityServer, api: IdentityApi
) -> None:
    server.inject(drop_connection=True, match="POST", processed=True)

    with pytest.raises(ApiConnectionError) as raised:
        api.create_client_key(ACCOUNT, key_request("ci"))

    assert raised.value.outcome_unknown
    assert [key.client_name for key in api.get_client_key_list(ACCOUNT)] == ["ci"]
    with pytest.raises(ConflictException):
        api.create_client_key(ACCOUNT, key_request("ci"))


def test_dropped_connection_gets_no_response(server: IdentityServer, api: IdentityApi) -> None:
    server.inject(drop_connection=True)

    with pytest.raises(ApiConnectionError):
        api.get_client_key_list(ACCOUNT)

    assert len(server.requests) == 1


def test_delay_longer_than_the_read_timeout_ends_the_call_in_time(
    server: IdentityServer, api: IdentityApi
) -> None:
    server.inject(delay=3.0)
    started = time.monotonic()

    with pytest.raises(ApiTimeoutError):
        api.get_client_key_list(ACCOUNT, _request_timeout=0.3)

    assert time.monotonic() - started < 2.5


def test_delay_alone_slows_the_answer_but_keeps_it(
    server: IdentityServer, api: IdentityApi
) -> None:
    server.inject(delay=0.2)
    started = time.monotonic()

    assert api.get_client_key_list(ACCOUNT) == []
    assert time.monotonic() - started >= 0.2


def test_injected_raw_body_reaches_the_client(server: IdentityServer, api: IdentityApi) -> None:
    server.inject(body="<html>gateway</html>")

    with pytest.raises(ApiDecodeError) as raised:
        api.get_client_key_list(ACCOUNT)

    assert raised.value.status == 200
    assert raised.value.body == "<html>gateway</html>"


def test_inject_refuses_a_rule_that_does_nothing(server: IdentityServer) -> None:
    with pytest.raises(ValueError, match="at least one"):
        server.inject()
    with pytest.raises(ValueError, match="times"):
        server.inject(status=500, times=0)


# -- request log, reset, persistence, lifecycle -----------------------------------------


def test_request_log_records_what_was_sent(server: IdentityServer) -> None:
    with make_api(server, token="t0ken") as client:
        IdentityApi(client).create_client_key("a/b", key_request("ci", "r"))

    (record,) = server.requests
    assert record.method == "POST"
    assert record.path == "/org/a%2Fb/keys"
    assert record.headers["Authorization"] == "Bearer t0ken"
    assert record.headers["Content-Type"] == "application/json"
    assert json.loads(record.body) == {"clientName": "ci", "defaultRoleId": "r"}
    assert record.fault is None


def test_reset_empties_the_state_and_the_log(server: IdentityServer, api: IdentityApi) -> None:
    api.create_client_key(ACCOUNT, key_request())
    invite(api)

    server.reset()

    assert server.requests == []
    assert api.get_client_key_list(ACCOUNT) == []
    assert api.get_users_for_account(ACCOUNT) == []


def test_state_in_a_db_file_survives_a_restart(tmp_path: Path) -> None:
    database = tmp_path / "identity.db"
    with IdentityServer(db=database) as server, make_api(server) as client:
        api = IdentityApi(client)
        created = api.create_client_key(ACCOUNT, key_request("ci"))
        invite(api)
        api.update_user("ada@example.com", ACCOUNT, UserRequest(account_id=ACCOUNT, roles=["r"]))
    assert created.client_id
    assert created.client_secret

    with IdentityServer(db=str(database)) as server, make_api(server) as client:
        api = IdentityApi(client)
        assert api.get_client_key(ACCOUNT, created.client_id).client_name == "ci"
        assert api.get_user(ACCOUNT, "ada@example.com").roles == ["r"]
        assert server.verify_client_secret(ACCOUNT, created.client_id, created.client_secret)
        with pytest.raises(ConflictException):
            api.create_client_key(ACCOUNT, key_request("ci"))


def test_memory_state_starts_empty_after_a_restart(api: IdentityApi) -> None:
    server = IdentityServer()
    with server, make_api(server) as client:
        IdentityApi(client).create_client_key(ACCOUNT, key_request())
    with server, make_api(server) as client:
        assert IdentityApi(client).get_client_key_list(ACCOUNT) == []


def test_stop_is_idempotent_and_ends_open_connections_and_their_threads() -> None:
    before = set(threading.enumerate())
    server = IdentityServer().start()
    client = make_api(server)
    IdentityApi(client).get_client_key_list(ACCOUNT)  # leaves a keep-alive connection open
    server.inject(delay=10.0)
    slow = threading.Thread(target=_call_ignoring_errors, args=(client,))
    slow.start()
    while len(server.requests) < 2:
        time.sleep(0.01)

    started = time.monotonic()
    server.stop()
    server.stop()

    assert time.monotonic() - started < 5
    slow.join(5)
    client.close()
    assert set(threading.enumerate()) <= before
    with pytest.raises(RuntimeError):
        _ = server.url


def _call_ignoring_errors(client: ApiClient) -> None:
    with contextlib.suppress(ApiConnectionError):
        IdentityApi(client).get_client_key_list(ACCOUNT)


def test_serve_forever_blocks_until_stop() -> None:
    server = IdentityServer()
    serving = threading.Thread(target=server.serve_forever)
    serving.start()
    deadline = time.monotonic() + 5
    while True:
        try:
            url = server.url
            break
        except RuntimeError:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    with ApiClient(Configuration(host=url, retries=0)) as client:
        assert IdentityApi(client).get_client_key_list(ACCOUNT) == []

    server.stop()
    serving.join(5)

    assert not serving.is_alive()


def test_url_names_the_loopback_address_and_the_bound_port(server: IdentityServer) -> None:
    parts = urlsplit(server.url)

    assert parts.scheme == "http"
    assert parts.hostname == "127.0.0.1"
    assert parts.port
    assert parts.port > 0


# -- concurrency ---------------------------------------------------------------------------


def test_concurrent_clients_each_create_and_exactly_one_wins_a_name(
    server: IdentityServer,
) -> None:
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        with make_api(server) as client:
            api = IdentityApi(client)
            for index in range(5):
                api.create_client_key(ACCOUNT, key_request(f"w{worker}-{index}"))
            try:
                api.create_client_key(ACCOUNT, key_request("shared"))
                outcome = "created"
            except ConflictException:
                outcome = "conflict"
            with lock:
                outcomes.append(outcome)

    workers = [threading.Thread(target=work, args=(number,)) for number in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)

    assert sorted(outcomes) == ["conflict"] * 7 + ["created"]
    with make_api(server) as client:
        keys = IdentityApi(client).get_client_key_list(ACCOUNT)
    assert len(keys) == 8 * 5 + 1
    assert len({key.client_key_id for key in keys}) == len(keys)
    assert len(server.requests) == 8 * 6 + 1


# -- the service's rules and the document's letter ------------------------------------

#: A request for each of ``SERVICE_RULES`` that the document allows and the
#: service refuses: (rule, method, path, body).
STRICTER_THAN_THE_DOCUMENT = [
    ("invite-needs-user-id", "POST", "/org/acme/user", {"accountId": "acme"}),
    ("user-id-is-an-email", "POST", "/org/acme/user", {"accountId": "acme", "userId": "ada"}),
    (
        "body-account-is-the-path-account",
        "POST",
        "/org/acme/user",
        {"accountId": "other", "userId": "bob@example.com"},
    ),
    (
        "body-account-is-the-path-account",
        "PUT",
        "/org/acme/user/ada@example.com",
        {"accountId": "other"},
    ),
    (
        "body-user-is-the-path-user",
        "PUT",
        "/org/acme/user/ada@example.com",
        {"accountId": "acme", "userId": "bob@example.com"},
    ),
]


def test_every_service_rule_has_a_request_that_breaks_it() -> None:
    assert {rule for rule, *_ in STRICTER_THAN_THE_DOCUMENT} == set(IdentityServer.SERVICE_RULES)


@pytest.mark.parametrize(("rules", "expected"), [("service", 400), ("document", 200)])
@pytest.mark.parametrize(
    ("rule", "method", "path", "body"),
    STRICTER_THAN_THE_DOCUMENT,
    ids=[f"{rule}-{method}" for rule, method, *_ in STRICTER_THAN_THE_DOCUMENT],
)
def test_a_service_rule_applies_unless_the_server_follows_the_document(
    rules: str, expected: int, rule: str, method: str, path: str, body: dict[str, str]
) -> None:
    with IdentityServer(rules=rules) as server:  # type: ignore[arg-type]
        with make_api(server) as client:
            invite(IdentityApi(client))  # ada@example.com, for the updates
        status, _, raw = raw_request(
            server, method, path, json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
    assert status == expected, raw
    if expected == 400:
        assert models.BadRequestException.model_validate_json(raw).error_code


def test_under_the_document_the_path_names_the_account_and_the_user() -> None:
    with IdentityServer(rules="document") as server, make_api(server) as client:
        api = IdentityApi(client)
        invite(api)
        api.update_user(
            "ada@example.com",
            ACCOUNT,
            UserRequest(account_id="other", user_id="bob@example.com", roles=["r"]),
        )
        user = api.get_user(ACCOUNT, "ada@example.com")
        assert (user.account_id, user.user_id, user.roles) == (ACCOUNT, "ada@example.com", ["r"])
        assert api.get_users_for_account("other") == []


def test_under_the_document_an_invite_without_user_id_gets_one_from_the_server() -> None:
    with IdentityServer(rules="document") as server, make_api(server) as client:
        api = IdentityApi(client)
        first = api.create_user_for_account(ACCOUNT, UserRequest(account_id=ACCOUNT))
        second = api.create_user_for_account(ACCOUNT, UserRequest(account_id=ACCOUNT))
        assert first.user_id is not None
        assert second.user_id not in (None, first.user_id)
        assert api.get_user(ACCOUNT, first.user_id) == api.get_users_for_account(ACCOUNT)[0]


def test_the_document_still_rules_what_it_requires() -> None:
    # rules="document" drops only the service's own rules: a field the
    # document requires, or a type it gives, is still a 400.
    with IdentityServer(rules="document") as server, make_api(server) as client:
        api = IdentityApi(client)
        with pytest.raises(BadRequestException):
            api.create_user_for_account(
                ACCOUNT, UserRequest.model_construct(user_id="ada@example.com")
            )
        status, _, _ = raw_request(
            server,
            "POST",
            "/org/acme/keys",
            b'{"clientName": 7, "defaultRoleId": "r"}',
            {"Content-Type": "application/json"},
        )
        assert status == 400


def test_rules_other_than_service_or_document_are_refused() -> None:
    with pytest.raises(ValueError, match="rules"):
        IdentityServer(rules="lenient")  # type: ignore[arg-type]


def test_the_testing_page_tables_every_service_rule() -> None:
    page = (Path(__file__).parent.parent / "docs" / "testing.md").read_text(encoding="utf-8")
    table = page.split("### Where the server is stricter than the document", 1)[1]
    for rule in IdentityServer.SERVICE_RULES:
        assert f"| `{rule}` |" in table


@pytest.mark.identity_server(rules="document")
def test_the_fixture_marker_passes_server_arguments(
    identity_server: IdentityServer, identity_api: IdentityApi
) -> None:
    assert identity_server.rules == "document"
    user = identity_api.create_user_for_account(ACCOUNT, UserRequest(account_id=ACCOUNT))
    assert user.user_id


def test_without_the_marker_the_fixture_server_applies_the_service_rules(
    identity_server: IdentityServer,
) -> None:
    assert identity_server.rules == "service"
