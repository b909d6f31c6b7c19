"""Debug logging: what was sent and received, through one logger, with every secret masked."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from conftest import KEY_CREDENTIALS, USER, ApiFactory
from servers import Reply, ScriptedServer, closed_port_url

from katanemo_identity import ClientKeyRequest, NotFoundException, UserRequest

SECRETS = ("t0ken-s3cr3t", "client-secret-s3cr3t", "user-token-s3cr3t", "p4ssw0rd")


class Collector(logging.Handler):
    """Keeps every record, rendered, from every logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        return "\n".join(f"{record.name}: {record.getMessage()}" for record in self.records)


@pytest.fixture
def collector() -> Iterator[Collector]:
    """Capture the root logger at DEBUG (urllib3's records included) for one test."""
    root = logging.getLogger()
    handler = Collector()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    package = logging.getLogger("katanemo_identity")
    package_level = package.level
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)
    package.setLevel(package_level)


def test_debug_logs_method_url_status_elapsed_and_bodies(
    make_api: ApiFactory, collector: Collector
) -> None:
    with ScriptedServer(Reply.json(200, USER)) as server:
        make_api(server.url, debug=True).update_user("ann", "acme", UserRequest(account_id="acme"))
    mine = [record for record in collector.records if record.name == "katanemo_identity"]
    assert len(mine) == 1
    message = mine[0].getMessage()
    assert mine[0].levelno == logging.DEBUG
    assert f"PUT {server.url}/org/acme/user/ann -> 200" in message
    assert " ms" in message
    assert '{"accountId":"acme"}' in message
    assert "ann@example.com" in message


def test_a_long_body_is_truncated_in_the_log(make_api: ApiFactory, collector: Collector) -> None:
    users = [dict(USER, userId=f"user{index}@example.com") for index in range(200)]
    with ScriptedServer(Reply.json(200, users)) as server:
        make_api(server.url, debug=True).get_users_for_account("acme")
    [message] = [r.getMessage() for r in collector.records if r.name == "katanemo_identity"]
    assert "more characters)" in message
    assert "user199@example.com" not in message
    assert len(message) < 10_000


def test_nothing_is_logged_by_the_sdk_without_debug(
    make_api: ApiFactory, collector: Collector
) -> None:
    with ScriptedServer(Reply.json(200, [])) as server:
        make_api(server.url).get_users_for_account("acme")
    assert [r for r in collector.records if r.name == "katanemo_identity"] == []


def test_a_failed_call_is_logged_too(make_api: ApiFactory, collector: Collector) -> None:
    make = make_api(closed_port_url(), debug=True, retries=0)
    with pytest.raises(Exception, match="could not connect"):
        make.get_users_for_account("acme")
    [message] = [r.getMessage() for r in collector.records if r.name == "katanemo_identity"]
    assert "GET" in message
    assert "ApiConnectionError" in message


def test_no_secret_reaches_any_log_record_at_any_level(
    make_api: ApiFactory, collector: Collector
) -> None:
    leaky_error = {"message": "no", "token": "user-token-s3cr3t", "password": "p4ssw0rd"}
    with ScriptedServer(
        Reply.json(200, KEY_CREDENTIALS, headers=[("Set-Cookie", "session=t0ken-s3cr3t")]),
        Reply.json(200, USER),
        Reply.json(200, [USER]),
        Reply.json(404, leaky_error),
    ) as server:
        api = make_api(server.url, debug=True, access_token="t0ken-s3cr3t")
        credentials = api.create_client_key(
            "acme", ClientKeyRequest(default_role_id="r", client_name="c")
        )
        user = api.create_user_for_account("acme", UserRequest(account_id="acme"))
        api.get_users_for_account("acme", _headers={"Cookie": "session=t0ken-s3cr3t"})
        with pytest.raises(NotFoundException) as caught:
            api.get_user("acme", "ann")
        logging.getLogger("katanemo_identity").info("%s %s %s", credentials, user, caught.value)
    assert credentials.client_secret == "client-secret-s3cr3t"
    assert user.token == "user-token-s3cr3t"
    assert server.requests[0].headers["Authorization"] == "Bearer t0ken-s3cr3t"
    logged = collector.text()
    assert "urllib3" in logged  # urllib3's own records were captured as well
    assert "katanemo_identity" in logged
    for secret in SECRETS:
        assert secret not in logged


def test_each_retry_is_one_debug_line_with_attempt_reason_and_wait_and_no_path_value(
    make_api: ApiFactory, collector: Collector
) -> None:
    with ScriptedServer(
        Reply.json(503, {"message": "busy"}),
        Reply.json(503, {"message": "busy"}),
        Reply.json(200, USER),
    ) as server:
        make_api(server.url, access_token="t0ken-s3cr3t", retry_backoff_factor=0.01).get_user(
            "acme", "ann@example.com"
        )

    retries = [
        record.getMessage()
        for record in collector.records
        if record.name == "katanemo_identity" and "retry" in record.getMessage()
    ]
    assert len(retries) == 2
    assert retries[0] == (
        "get_user /org/{accountId}/user/{userId}: retry 1 of 2 after 503 Service Unavailable, "
        "in 0.00 s"
    )
    assert retries[1].startswith(
        "get_user /org/{accountId}/user/{userId}: retry 2 of 2 after 503 Service Unavailable, in "
    )
    for line in retries:
        assert "ann" not in line
        assert "t0ken" not in line


def test_a_retry_after_a_lost_connection_names_the_error_not_the_url(
    make_api: ApiFactory, collector: Collector
) -> None:
    url = closed_port_url()
    with pytest.raises(Exception, match="could not connect"):
        make_api(url, retries=1).get_user("acme", "ann@example.com")

    [retry] = [
        record.getMessage()
        for record in collector.records
        if record.name == "katanemo_identity" and "retry" in record.getMessage()
    ]
    assert retry.startswith(
        "get_user /org/{accountId}/user/{userId}: retry 1 of 1 after ApiConnectionError: "
        "could not connect"
    )
    assert "ann" not in retry
    assert url.split("//")[1] not in retry
