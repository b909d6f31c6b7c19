"""The transport: timeouts that bound every call, and transport failures as typed errors."""

from __future__ import annotations

import json
import time

import pytest
from conftest import KEY, ApiFactory
from servers import RawServer, closed_port_url, http_response

from katanemo_identity import ApiConnectionError, ApiTimeoutError, ApiValueError, Configuration


def test_a_never_answering_server_times_out_within_the_per_call_timeout(
    make_api: ApiFactory,
) -> None:
    with RawServer(RawServer.never_answer(hold=4.0)) as server:
        api = make_api(server.url, retries=0)
        started = time.monotonic()
        with pytest.raises(ApiTimeoutError) as caught:
            api.get_client_key("acme", "key-1", _request_timeout=0.3)
        assert time.monotonic() - started < 3
    assert caught.value.outcome_unknown is True
    assert "timed out waiting for the response" in str(caught.value)


def test_a_connect_read_pair_bounds_the_read(make_api: ApiFactory) -> None:
    with RawServer(RawServer.never_answer(hold=4.0)) as server:
        api = make_api(server.url, retries=0)
        started = time.monotonic()
        with pytest.raises(ApiTimeoutError):
            api.get_client_key_list("acme", _request_timeout=(1.0, 0.3))
        assert time.monotonic() - started < 3


def test_the_configured_timeout_bounds_a_call(make_api: ApiFactory) -> None:
    with RawServer(RawServer.never_answer(hold=4.0)) as server:
        api = make_api(server.url, retries=0, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(ApiTimeoutError):
            api.get_users_for_account("acme")
        assert time.monotonic() - started < 3


def test_a_timed_out_get_is_retried_then_raises(make_api: ApiFactory) -> None:
    with RawServer(RawServer.never_answer(hold=4.0)) as server:
        api = make_api(server.url, retries=1, timeout=(1.0, 0.3))
        with pytest.raises(ApiTimeoutError):
            api.get_users_for_account("acme")
    assert len(server.requests) == 2


def test_a_slow_but_steady_response_is_read_whole(make_api: ApiFactory) -> None:
    response = http_response(200, json.dumps(KEY).encode())
    with RawServer(RawServer.trickle(response, interval=0.002)) as server:
        key = make_api(server.url, timeout=(1.0, 1.0)).get_client_key("acme", "key-1")
    assert key.client_key_id == "key-1"


def test_a_refused_connection_says_nothing_was_sent(make_api: ApiFactory) -> None:
    with pytest.raises(ApiConnectionError) as caught:
        make_api(closed_port_url(), retries=0).get_user("acme", "ann")
    assert not isinstance(caught.value, ApiTimeoutError)
    assert caught.value.outcome_unknown is False
    assert "could not connect" in str(caught.value)


@pytest.mark.parametrize(
    "behaviour",
    [RawServer.reset_before_response(), RawServer.reset_mid_body(), RawServer.short_body()],
    ids=["reset-before-response", "reset-mid-body", "short-body"],
)
def test_a_connection_lost_after_sending_may_have_been_processed(
    make_api: ApiFactory, behaviour: object
) -> None:
    with (
        RawServer(behaviour) as server,  # type: ignore[arg-type]
        pytest.raises(ApiConnectionError) as caught,
    ):
        make_api(server.url, retries=0).delete_client_key("acme", "key-1")
    assert not isinstance(caught.value, ApiTimeoutError)
    assert caught.value.outcome_unknown is True
    assert "connection lost" in str(caught.value)


def test_a_body_shorter_than_its_content_length_is_a_connection_error(make_api: ApiFactory) -> None:
    with (
        RawServer(RawServer.short_body(declared=500, sent=20)) as server,
        pytest.raises(ApiConnectionError, match="IncompleteRead"),
    ):
        make_api(server.url, retries=0).get_client_key_list("acme")


def test_a_keep_alive_connection_is_reused_for_the_next_call(make_api: ApiFactory) -> None:
    answer = RawServer.send_raw(http_response(200, b"[]"), keep_open=True)
    with RawServer(answer) as server:
        api = make_api(server.url)
        for _ in range(5):
            assert api.get_client_key_list("acme") == []
    assert server.connections == 1
    assert len(server.requests) == 5


def test_a_host_that_is_not_an_http_url_is_refused() -> None:
    with pytest.raises(ApiValueError):
        Configuration(host="ftp://example.com")
