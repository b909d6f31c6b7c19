"""The transport: timeouts that bound every call, and transport failures as typed errors."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time

import pytest
from conftest import KEY, USER, ApiFactory
from servers import (
    RawServer,
    RecordedRequest,
    Reply,
    ScriptedServer,
    closed_port_url,
    http_response,
)

from katanemo_identity import (
    ApiClient,
    ApiClientClosedError,
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
    ClientKeyRequest,
    Configuration,
    IdentityApi,
    ServiceException,
)


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


# A connection lost part-way through the answer's head is a lost connection.


@pytest.mark.parametrize(
    "head",
    [b"HTTP/1.1 200 O", b"HTTP/1.1 200 OK\r\nContent-Type: application/js", b"HTTP/1.1 200 OK\r\n"],
    ids=["in the status line", "in a header", "before the blank line"],
)
def test_a_connection_closed_part_way_through_the_head_is_retried_then_lost(
    make_api: ApiFactory, head: bytes
) -> None:
    with RawServer(RawServer.send_raw(head)) as server:
        api = make_api(server.url, retries=2)
        with pytest.raises(ApiConnectionError) as caught:
            api.get_client_key_list("acme")
    assert not isinstance(caught.value, ApiTimeoutError)
    assert caught.value.outcome_unknown is True
    assert caught.value.retries_taken == 2
    assert server.connections == 3


def test_interim_answers_before_the_final_one_are_skipped(make_api: ApiFactory) -> None:
    final = http_response(200, json.dumps([KEY]).encode(), [("Content-Type", "application/json")])
    interim = (
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"
    )
    with RawServer(RawServer.send_raw(interim + final)) as server:
        keys = make_api(server.url, retries=0).get_client_key_list("acme")
    assert [key.client_key_id for key in keys] == ["key-1"]


def test_an_endless_stream_of_interim_answers_is_a_broken_connection(make_api: ApiFactory) -> None:
    interim = b"HTTP/1.1 103 Early Hints\r\n\r\n" * 50
    with (
        RawServer(RawServer.send_raw(interim)) as server,
        pytest.raises(ApiConnectionError) as caught,
    ):
        make_api(server.url, retries=0).get_client_key_list("acme")
    assert "interim" in str(caught.value)


# The pool size is a real bound.


def test_more_threads_than_connections_wait_for_one_instead_of_opening_extras(
    make_api: ApiFactory, caplog: pytest.LogCaptureFixture
) -> None:
    threads, pool_size, calls = 32, 2, 5
    errors: list[BaseException] = []
    with ScriptedServer(default=Reply.json(200, [KEY], delay=0.005)) as server:
        api = make_api(server.url, connection_pool_maxsize=pool_size, retries=0)
        start = threading.Barrier(threads)

        def work() -> None:
            try:
                start.wait(timeout=10)
                for _ in range(calls):
                    assert api.get_client_key_list("acme")[0].client_key_id == "key-1"
            except BaseException as error:
                errors.append(error)

        with caplog.at_level(logging.WARNING, logger="urllib3"):
            workers = [threading.Thread(target=work) for _ in range(threads)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(timeout=60)
    assert errors == []
    assert len(server.requests) == threads * calls
    assert server.connections <= pool_size
    assert not [record for record in caplog.records if "pool is full" in record.getMessage()]


# A closed client stays closed.


def test_a_call_after_close_is_a_typed_error_and_sends_nothing(make_api: ApiFactory) -> None:
    with ScriptedServer(default=Reply.json(200, [KEY])) as server:
        api = make_api(server.url)
        api.get_client_key_list("acme")
        api.api_client.close()
        with pytest.raises(ApiClientClosedError) as caught:
            api.get_client_key_list("acme")
    assert isinstance(caught.value, RuntimeError)
    assert caught.value.outcome_unknown is False
    assert len(server.requests) == 1


def test_a_call_after_the_with_block_is_a_typed_error(make_api: ApiFactory) -> None:
    with ScriptedServer(default=Reply.json(200, [KEY])) as server:
        with ApiClient(Configuration(host=server.url)) as client:
            api = IdentityApi(client)
            api.get_client_key_list("acme")
        with pytest.raises(ApiClientClosedError):
            api.get_client_key_list("acme")
    assert len(server.requests) == 1


def test_closing_while_other_threads_are_mid_call_neither_hangs_nor_mixes_results(
    make_api: ApiFactory,
) -> None:
    def echo(request: RecordedRequest) -> Reply:
        return Reply.json(200, dict(USER, userId=request.path.rsplit("/", 1)[1]), delay=0.01)

    outcomes: list[str] = []
    lock = threading.Lock()
    with ScriptedServer(responder=echo) as server:
        api = make_api(server.url, connection_pool_maxsize=4, retries=0)

        def work(worker: int) -> None:
            for call in range(30):
                asked = f"user-{worker}-{call}"
                try:
                    got = api.get_user("acme", asked).user_id
                    outcome = "right" if got == asked else f"WRONG {asked} -> {got}"
                except ApiClientClosedError:
                    outcome = "closed"
                except ApiConnectionError:
                    outcome = "lost"  # in flight on a connection the close shut
                with lock:
                    outcomes.append(outcome)

        workers = [threading.Thread(target=work, args=(worker,)) for worker in range(8)]
        for worker in workers:
            worker.start()
        time.sleep(0.1)
        api.api_client.close()
        for worker in workers:
            worker.join(timeout=30)
    assert all(not worker.is_alive() for worker in workers)
    assert len(outcomes) == 8 * 30
    assert not [outcome for outcome in outcomes if outcome.startswith("WRONG")]
    assert "right" in outcomes
    assert "closed" in outcomes


def test_an_error_status_with_no_body_ending_at_close_is_raised_as_itself(
    make_api: ApiFactory,
) -> None:
    with (
        RawServer(RawServer.send_raw(b"HTTP/1.1 503 Service Unavailable\r\n\r\n")) as server,
        pytest.raises(ServiceException) as caught,
    ):
        make_api(server.url, retries=0).get_client_key_list("acme")
    assert caught.value.status == 503


def test_close_closes_the_idle_connections_at_once(make_api: ApiFactory) -> None:
    # A keep-alive server that reports when the client closes its end.
    listener = socket.create_server(("127.0.0.1", 0))
    closed_by_client = threading.Event()
    answer = http_response(200, json.dumps([KEY]).encode(), [("Content-Type", "application/json")])

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(10)
            conn.recv(65536)
            conn.sendall(answer)
            if conn.recv(65536) == b"":
                closed_by_client.set()

    server = threading.Thread(target=serve)
    server.start()
    try:
        api = make_api(f"http://127.0.0.1:{listener.getsockname()[1]}", retries=0)
        # A response the caller still holds keeps its pool alive: closing must
        # not wait for the pool to be garbage.
        kept = api.get_client_key_list_without_preload_content("acme")
        assert json.loads(kept.read())[0]["clientKeyId"] == "key-1"
        kept.release_conn()
        assert not closed_by_client.wait(0.2)  # kept alive in the pool
        api.api_client.close()
        assert closed_by_client.wait(5)
    finally:
        server.join(timeout=15)
        listener.close()


# -- before or after sending: what decides outcome_unknown ---------------------------------


def create_key(api: IdentityApi) -> object:
    return api.create_client_key("acme", ClientKeyRequest(default_role_id="r", client_name="n"))


def test_a_tls_handshake_that_never_ends_is_a_connect_timeout_and_even_a_post_is_retried(
    make_api: ApiFactory,
) -> None:
    # The server takes the connection and never answers the ClientHello.
    with RawServer(RawServer.never_answer(hold=3.0)) as silent:
        api = make_api(silent.url.replace("http://", "https://"), timeout=(0.3, 5.0))
        with pytest.raises(ApiTimeoutError) as caught:
            create_key(api)
        connections = silent.connections
    assert caught.value.expired == "connect"
    assert caught.value.outcome_unknown is False
    assert caught.value.proxy is None
    assert connections == 3  # nothing was sent, so the POST was tried again
