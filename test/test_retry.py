"""Which failures are retried, how often, and how long the client waits first."""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import time
import tracemalloc

import pytest
from conftest import KEY, KEY_CREDENTIALS, USER, ApiFactory
from servers import RawServer, Reply, ScriptedServer, closed_port_url, http_response

from katanemo_identity import (
    ApiConnectionError,
    ApiException,
    ClientKeyRequest,
    IdentityApi,
    ServiceException,
    TooManyRequestsException,
    UserRequest,
)

RETRY_STATUSES = [408, 429, 500, 502, 503, 504]

KEY_REQUEST = ClientKeyRequest(default_role_id="reader", client_name="ci")


def get_user(api: IdentityApi, **options: object) -> object:
    return api.get_user("acme", "ann", **options)  # type: ignore[arg-type]


def update_user(api: IdentityApi, **options: object) -> object:
    return api.update_user("ann", "acme", UserRequest(account_id="acme"), **options)  # type: ignore[arg-type]


def delete_key(api: IdentityApi, **options: object) -> object:
    return api.delete_client_key("acme", "key-1", **options)  # type: ignore[arg-type]


def create_key(api: IdentityApi, **options: object) -> object:
    return api.create_client_key("acme", KEY_REQUEST, **options)  # type: ignore[arg-type]


IDEMPOTENT = {"GET": (get_user, USER), "PUT": (update_user, USER), "DELETE": (delete_key, "ok")}
idempotent_calls = pytest.mark.parametrize("method", sorted(IDEMPOTENT))


def error_reply(status: int) -> Reply:
    return Reply.json(status, {"message": "try again", "code": status})


@idempotent_calls
@pytest.mark.parametrize("status", RETRY_STATUSES)
def test_idempotent_call_is_retried_after_a_transient_status(
    make_api: ApiFactory, method: str, status: int
) -> None:
    call, answer = IDEMPOTENT[method]
    with ScriptedServer(error_reply(status), Reply.json(200, answer)) as server:
        call(make_api(server.url, retries=2))
    assert server.methods == [method, method]


@idempotent_calls
def test_idempotent_call_is_sent_retries_plus_one_times_then_raises(
    make_api: ApiFactory, method: str
) -> None:
    call, _ = IDEMPOTENT[method]
    with (
        ScriptedServer(default=error_reply(503)) as server,
        pytest.raises(ServiceException) as caught,
    ):
        call(make_api(server.url, retries=3))
    assert caught.value.status == 503
    assert server.methods == [method] * 4


@idempotent_calls
def test_idempotent_call_is_retried_after_a_connection_reset(
    make_api: ApiFactory, method: str
) -> None:
    call, answer = IDEMPOTENT[method]
    ok = RawServer.send_raw(http_response(200, _json(answer)))
    with RawServer([RawServer.reset_before_response(), ok]) as server:
        call(make_api(server.url, retries=2))
    assert len(server.requests) == 2


def close_unanswered(conn: socket.socket, request: bytes) -> None:
    """Read the request, then close the connection without a byte of answer."""
    conn.close()


@idempotent_calls
@pytest.mark.parametrize(
    "closing",
    [close_unanswered, RawServer.reset_before_response()],
    ids=["closed", "reset"],
)
def test_idempotent_call_meeting_a_pooled_connection_the_server_closed_is_sent_again_for_free(
    make_api: ApiFactory, method: str, closing: object
) -> None:
    # The second call goes out on the pooled connection, which the server
    # then drops unanswered, as when it closed the connection while idle and
    # the client had not seen it yet: sent again on a new connection, even
    # with retries=0.
    call, answer = IDEMPOTENT[method]
    ok_keep_open = RawServer.send_raw(http_response(200, _json(answer)), keep_open=True)
    ok = RawServer.send_raw(http_response(200, _json(answer)))
    with RawServer([ok_keep_open, closing, ok]) as server:  # type: ignore[list-item]
        api = make_api(server.url, retries=0)
        call(api)
        call(api)
    assert len(server.requests) == 3
    assert server.connections == 2


def test_post_meeting_a_pooled_connection_the_server_closed_is_not_sent_again(
    make_api: ApiFactory,
) -> None:
    # The server may have read the create and acted before it closed: only
    # a new connection that could not be made proves a POST unprocessed.
    ok_keep_open = RawServer.send_raw(http_response(200, _json(KEY_CREDENTIALS)), keep_open=True)
    with RawServer([ok_keep_open, close_unanswered]) as server:
        api = make_api(server.url, retries=2)
        create_key(api)
        with pytest.raises(ApiConnectionError) as caught:
            create_key(api)
    assert len(server.requests) == 2
    assert caught.value.outcome_unknown is True


def test_a_new_connection_closed_unanswered_spends_a_retry_as_before(
    make_api: ApiFactory,
) -> None:
    with RawServer(close_unanswered) as server, pytest.raises(ApiConnectionError) as caught:
        get_user(make_api(server.url, retries=1))
    assert len(server.requests) == 2
    assert caught.value.retries_taken == 1


@idempotent_calls
@pytest.mark.parametrize(
    "cut_short",
    [RawServer.reset_mid_body(), RawServer.short_body()],
    ids=["reset-mid-body", "short-body"],
)
def test_idempotent_call_is_sent_again_when_the_body_is_cut_short(
    make_api: ApiFactory, method: str, cut_short: object
) -> None:
    call, answer = IDEMPOTENT[method]
    ok = RawServer.send_raw(http_response(200, _json(answer)))
    with RawServer([cut_short, ok]) as server:  # type: ignore[list-item]
        call(make_api(server.url, retries=2))
    assert len(server.requests) == 2


def test_a_body_cut_short_spends_the_same_retry_budget(make_api: ApiFactory) -> None:
    with (
        RawServer(RawServer.reset_mid_body()) as server,
        pytest.raises(ApiConnectionError) as caught,
    ):
        get_user(make_api(server.url, retries=2))
    assert len(server.requests) == 3
    assert caught.value.outcome_unknown is True


def test_a_body_cut_short_after_a_retried_status_is_not_sent_past_the_budget(
    make_api: ApiFactory,
) -> None:
    busy = RawServer.send_raw(http_response(503, b'{"message": "busy"}'), keep_open=True)
    with (
        RawServer([busy, RawServer.reset_mid_body()]) as server,
        pytest.raises(ApiConnectionError),
    ):
        get_user(make_api(server.url, retries=1))
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_a_client_error_is_not_retried(make_api: ApiFactory, status: int) -> None:
    with ScriptedServer(default=error_reply(status)) as server, pytest.raises(ApiException):
        get_user(make_api(server.url, retries=3))
    assert len(server.requests) == 1


def test_per_call_retries_zero_disables_retrying(make_api: ApiFactory) -> None:
    with ScriptedServer(default=error_reply(503)) as server, pytest.raises(ServiceException):
        get_user(make_api(server.url, retries=3), _retries=0)
    assert len(server.requests) == 1


def test_configuration_retries_zero_disables_retrying(make_api: ApiFactory) -> None:
    with ScriptedServer(default=error_reply(502)) as server, pytest.raises(ServiceException):
        get_user(make_api(server.url, retries=0))
    assert len(server.requests) == 1


def test_per_call_retries_overrides_the_configuration(make_api: ApiFactory) -> None:
    with ScriptedServer(default=error_reply(500)) as server, pytest.raises(ServiceException):
        get_user(make_api(server.url, retries=0), _retries=1)
    assert len(server.requests) == 2


def test_the_default_is_two_retries(make_api: ApiFactory) -> None:
    with ScriptedServer(default=error_reply(503)) as server, pytest.raises(ServiceException):
        get_user(make_api(server.url))
    assert len(server.requests) == 3


# POST: resent only when provably not processed.


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_post_is_not_retried_after_a_server_error(make_api: ApiFactory, status: int) -> None:
    with (
        ScriptedServer(default=error_reply(status)) as server,
        pytest.raises(ApiException) as caught,
    ):
        create_key(make_api(server.url, retries=3))
    assert server.methods == ["POST"]
    assert caught.value.status == status


def test_post_is_not_retried_after_503_and_the_outcome_is_unknown(make_api: ApiFactory) -> None:
    with (
        ScriptedServer(default=error_reply(503)) as server,
        pytest.raises(ServiceException) as caught,
    ):
        create_key(make_api(server.url, retries=3))
    assert server.methods == ["POST"]
    assert caught.value.outcome_unknown is True


@pytest.mark.parametrize(
    "behaviour",
    [RawServer.reset_before_response(), RawServer.reset_mid_body(), RawServer.short_body()],
    ids=["reset-before-response", "reset-mid-body", "short-body"],
)
def test_post_is_not_resent_after_a_dropped_connection(
    make_api: ApiFactory, behaviour: object
) -> None:
    with (
        RawServer(behaviour) as server,  # type: ignore[arg-type]
        pytest.raises(ApiConnectionError) as caught,
    ):
        create_key(make_api(server.url, retries=3))
    assert len(server.requests) == 1
    assert server.requests[0].startswith(b"POST ")
    assert caught.value.outcome_unknown is True


def test_post_is_not_resent_after_a_read_timeout(make_api: ApiFactory) -> None:
    with (
        RawServer(RawServer.never_answer(hold=3.0)) as server,
        pytest.raises(ApiConnectionError) as caught,
    ):
        create_key(make_api(server.url, retries=3, timeout=(1.0, 0.3)))
    assert len(server.requests) == 1
    assert caught.value.outcome_unknown is True


def test_post_is_retried_after_429(make_api: ApiFactory) -> None:
    with ScriptedServer(error_reply(429), Reply.json(200, KEY_CREDENTIALS)) as server:
        result = create_key(make_api(server.url, retries=2))
    assert server.methods == ["POST", "POST"]
    assert result.client_secret == "client-secret-s3cr3t"  # type: ignore[attr-defined]


def test_post_429_is_retried_at_most_retries_times(make_api: ApiFactory) -> None:
    with (
        ScriptedServer(default=error_reply(429)) as server,
        pytest.raises(TooManyRequestsException),
    ):
        create_key(make_api(server.url, retries=2))
    assert server.methods == ["POST"] * 3


def test_post_is_retried_when_the_connection_is_refused(make_api: ApiFactory) -> None:
    # Nothing listens: every attempt is refused; the error says nothing was sent.
    with pytest.raises(ApiConnectionError) as caught:
        create_key(make_api(closed_port_url(), retries=2))
    assert caught.value.outcome_unknown is False


def test_get_is_retried_when_the_connection_is_refused_then_fails_cleanly(
    make_api: ApiFactory,
) -> None:
    with pytest.raises(ApiConnectionError) as caught:
        get_user(make_api(closed_port_url(), retries=2))
    assert "could not connect" in str(caught.value)
    assert caught.value.outcome_unknown is False


# Retry-After.


def test_retry_after_in_seconds_is_waited_for(make_api: ApiFactory) -> None:
    limited = Reply.json(429, {"message": "slow down"}, headers=[("Retry-After", "1")])
    with ScriptedServer(limited, Reply.json(200, USER)) as server:
        started = time.monotonic()
        get_user(make_api(server.url, retries=1))
        waited = time.monotonic() - started
    assert len(server.requests) == 2
    assert waited >= 0.9


def test_retry_after_as_an_http_date_is_waited_for(make_api: ApiFactory) -> None:
    when = email.utils.formatdate(time.time() + 2, usegmt=True)
    limited = Reply.json(503, {"message": "busy"}, headers=[("Retry-After", when)])
    with ScriptedServer(limited, Reply.json(200, USER)) as server:
        started = time.monotonic()
        get_user(make_api(server.url, retries=1))
        waited = time.monotonic() - started
    assert len(server.requests) == 2
    assert 0.5 <= waited < 5


def test_a_retry_after_past_retry_after_max_is_raised_at_once(make_api: ApiFactory) -> None:
    # Retrying before the server's time would only earn another 429.
    limited = Reply.json(429, {"message": "slow down"}, headers=[("Retry-After", "3600")])
    with ScriptedServer(limited, Reply.json(200, KEY_CREDENTIALS)) as server:
        api = make_api(server.url, retries=1, retry_after_max=0.1)
        started = time.monotonic()
        with pytest.raises(TooManyRequestsException) as caught:
            create_key(api)
    assert time.monotonic() - started < 5
    assert server.methods == ["POST"]
    assert caught.value.retry_after == 3600.0
    assert caught.value.retries_taken == 0


def test_an_unreadable_retry_after_falls_back_to_the_backoff(make_api: ApiFactory) -> None:
    limited = Reply.json(503, {"message": "busy"}, headers=[("Retry-After", "soon-ish")])
    with ScriptedServer(limited, Reply.json(200, USER)) as server:
        started = time.monotonic()
        get_user(make_api(server.url, retries=1))
        assert time.monotonic() - started < 5
    assert len(server.requests) == 2


def test_a_429_that_outlasts_the_retries_reports_retry_after(make_api: ApiFactory) -> None:
    limited = Reply.json(429, {"message": "slow down"}, headers=[("Retry-After", "7")])
    with ScriptedServer(limited) as server, pytest.raises(TooManyRequestsException) as caught:
        get_user(make_api(server.url, retries=0))
    assert caught.value.retry_after == 7.0
    assert "retry after 7 seconds" in str(caught.value)


# Redirects.


def test_get_follows_a_redirect(make_api: ApiFactory) -> None:
    moved = Reply(302, [("Location", "/org/acme/key/key-2")])
    with ScriptedServer(moved, Reply.json(200, KEY)) as server:
        key = make_api(server.url).get_client_key("acme", "key-1")
    assert key.client_key_id == "key-1"
    assert [request.path for request in server.requests] == [
        "/org/acme/key/key-1",
        "/org/acme/key/key-2",
    ]


def test_get_follows_redirects_even_with_retries_disabled(make_api: ApiFactory) -> None:
    moved = Reply(301, [("Location", "/org/acme/keys2")])
    with ScriptedServer(moved, Reply.json(200, [KEY])) as server:
        keys = make_api(server.url, retries=0).get_client_key_list("acme")
    assert len(keys) == 1
    assert len(server.requests) == 2


def test_redirects_do_not_use_up_the_retries(make_api: ApiFactory) -> None:
    hops = [Reply(302, [("Location", f"/hop/{index}")]) for index in range(3)]
    with ScriptedServer(*hops, error_reply(503), Reply.json(200, [KEY])) as server:
        keys = make_api(server.url, retries=1).get_client_key_list("acme")
    assert len(keys) == 1
    assert len(server.requests) == 5


def test_authorization_is_not_sent_to_another_host_on_redirect(make_api: ApiFactory) -> None:
    with ScriptedServer(Reply.json(200, KEY)) as elsewhere:
        moved = Reply(302, [("Location", elsewhere.url + "/org/acme/key/key-1")])
        with ScriptedServer(moved) as server:
            make_api(server.url, access_token="t0ken").get_client_key("acme", "key-1")
    assert server.requests[0].headers["Authorization"] == "Bearer t0ken"
    assert "Authorization" not in elsewhere.requests[0].headers


@pytest.mark.parametrize(("call", "method"), [(create_key, "POST"), (update_user, "PUT")])
def test_post_and_put_do_not_follow_redirects(
    make_api: ApiFactory, call: object, method: str
) -> None:
    moved = Reply(307, [("Location", "/elsewhere")])
    with ScriptedServer(moved) as server, pytest.raises(ApiException) as caught:
        call(make_api(server.url))  # type: ignore[operator]
    assert caught.value.status == 307
    assert server.methods == [method]


def _json(document: object) -> bytes:
    return json.dumps(document).encode()


def test_headers_the_caller_set_stay_with_their_origin_on_a_redirect(
    make_api: ApiFactory,
) -> None:
    with ScriptedServer(Reply.json(200, KEY)) as elsewhere:
        moved = Reply(302, [("Location", elsewhere.url + "/org/acme/key/key-1")])
        with ScriptedServer(moved) as server:
            api = make_api(server.url, access_token="t0ken")
            api.api_client.set_default_header("X-Api-Key", "k3y")
            api.api_client.default_headers["Cookie"] = "session=c00kie"
            api.get_client_key("acme", "key-1", _headers={"X-Tenant": "t3nant"})
    sent = server.requests[0].headers
    assert (sent["X-Api-Key"], sent["X-Tenant"], sent["Cookie"]) == (
        "k3y",
        "t3nant",
        "session=c00kie",
    )
    followed = elsewhere.requests[0].headers
    for name in ("Authorization", "X-Api-Key", "X-Tenant", "Cookie"):
        assert name not in followed
    assert followed["Accept"] == "application/json"
    assert followed["User-Agent"].startswith("katanemo-identity-python/")


def test_headers_go_along_on_a_redirect_within_the_origin(make_api: ApiFactory) -> None:
    moved = Reply(302, [("Location", "/org/acme/key/key-2")])
    with ScriptedServer(moved, Reply.json(200, KEY)) as server:
        make_api(server.url, access_token="t0ken").get_client_key(
            "acme", "key-1", _headers={"X-Tenant": "t3nant"}
        )
    assert server.requests[1].headers["Authorization"] == "Bearer t0ken"
    assert server.requests[1].headers["X-Tenant"] == "t3nant"


def test_a_redirect_to_a_url_that_cannot_be_followed_is_raised_as_the_redirect(
    make_api: ApiFactory,
) -> None:
    moved = Reply(302, [("Location", "ftp://elsewhere.example/keys")])
    with ScriptedServer(moved) as server, pytest.raises(ApiException) as caught:
        make_api(server.url).get_client_key("acme", "key-1")
    assert caught.value.status == 302
    assert server.methods == ["GET"]


def test_the_body_of_a_retried_answer_is_not_read_to_its_end(make_api: ApiFactory) -> None:
    # A 503 whose body never ends: the SDK closes the connection instead of
    # draining it, and the retry goes out at once.
    endless = (
        b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
        + (b"10000\r\n" + b"x" * 0x10000 + b"\r\n") * 2000
    )
    ok = http_response(200, json.dumps(USER).encode(), [("Content-Type", "application/json")])
    with RawServer([RawServer.send_raw(endless), RawServer.send_raw(ok)]) as server:
        started = time.monotonic()
        user = get_user(make_api(server.url, retries=1, max_response_size=1024 * 1024))
    assert user.user_id == USER["userId"]  # type: ignore[attr-defined]
    assert time.monotonic() - started < 5


def test_a_retried_answer_declaring_a_large_body_then_silent_does_not_hold_the_retry(
    make_api: ApiFactory,
) -> None:
    # A 503 that declares 10 MB and sends none of it: reading the body would
    # wait out the read timeout (10 s) before the retry could go.
    silent = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 10485760\r\n\r\n"
    ok = http_response(200, json.dumps(USER).encode(), [("Content-Type", "application/json")])
    with RawServer([RawServer.send_raw(silent, keep_open=True), RawServer.send_raw(ok)]) as server:
        started = time.monotonic()
        user = get_user(make_api(server.url, retries=1, timeout=(1.0, 10.0)))
        elapsed = time.monotonic() - started
    assert user.user_id == USER["userId"]  # type: ignore[attr-defined]
    assert len(server.requests) == 2
    assert elapsed < 5.0


def test_a_retried_answer_sending_a_large_declared_body_is_not_read(make_api: ApiFactory) -> None:
    size = 48 * 1024 * 1024
    sent = 0

    def large_503(conn: socket.socket, request: bytes) -> None:
        nonlocal sent
        conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: %d\r\n\r\n" % size)
        piece = b"x" * 65536
        try:
            while sent < size:
                conn.sendall(piece)
                sent += len(piece)
        except OSError:  # the client closed the connection instead of reading
            pass
        conn.close()

    ok = http_response(200, json.dumps(USER).encode(), [("Content-Type", "application/json")])
    with RawServer([large_503, RawServer.send_raw(ok)]) as server:
        tracemalloc.start()
        try:
            user = get_user(make_api(server.url, retries=1))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert user.user_id == USER["userId"]  # type: ignore[attr-defined]
    assert len(server.requests) == 2
    # Reading the body would hold 48 MB; closing costs about nothing.
    assert peak < 8 * 1024 * 1024
    assert sent < size


def test_retries_taken_are_on_the_response_and_on_every_error(make_api: ApiFactory) -> None:
    busy = error_reply(503)
    with ScriptedServer(busy, busy, Reply.json(200, USER)) as server:
        api = make_api(server.url, retries=2)
        answer = api.get_user_with_http_info("acme", "ann")
    assert answer.retries_taken == 2
    with ScriptedServer(default=busy) as server, pytest.raises(ServiceException) as caught:
        make_api(server.url, retries=1).get_user("acme", "ann")
    assert caught.value.retries_taken == 1
    with pytest.raises(ApiConnectionError) as lost:
        make_api(closed_port_url(), retries=2).get_user("acme", "ann")
    assert lost.value.retries_taken == 2


def test_errors_carry_method_url_and_request_id_without_parsing(make_api: ApiFactory) -> None:
    missing = Reply.json(404, {"message": "no such user"}, headers=[("X-Request-Id", "req-42")])
    with ScriptedServer(missing) as server, pytest.raises(ApiException) as caught:
        make_api(server.url).get_user("acme", "ann@example.com")
    assert caught.value.method == "GET"
    assert caught.value.url == server.url + "/org/acme/user/ann%40example.com"
    assert caught.value.request_id == "req-42"
    with pytest.raises(ApiConnectionError) as lost:
        make_api(closed_port_url(), retries=0).create_client_key("acme", KEY_REQUEST)
    assert lost.value.method == "POST"
    assert lost.value.url is not None
    assert lost.value.url.endswith("/org/acme/keys")
    assert str(lost.value).startswith(f"POST {lost.value.url}: could not connect")


def test_each_retry_is_one_debug_line_without_path_values(
    make_api: ApiFactory, caplog: pytest.LogCaptureFixture
) -> None:
    busy = error_reply(503)
    with ScriptedServer(busy, Reply.json(200, USER)) as server:
        api = make_api(server.url, retries=2, access_token="t0ken")
        with caplog.at_level(logging.DEBUG, logger="katanemo_identity"):
            api.get_user("acme", "ann@example.com")
    lines = [record.getMessage() for record in caplog.records if "retry" in record.getMessage()]
    assert lines == [
        "get_user /org/{accountId}/user/{userId}: retry 1 of 2 after 503 Service Unavailable, "
        "in 0.00 s"
    ]
    assert "ann" not in lines[0]
    assert "t0ken" not in lines[0]


def test_the_backoff_doubles_with_jitter_and_the_first_retry_is_immediate() -> None:
    from katanemo_identity.retry import RetryPolicy

    policy = RetryPolicy(retries=5, backoff_factor=0.5, backoff_max=8.0, retry_after_max=30.0)
    assert policy.backoff(1) == 0.0
    for retry, base in ((2, 1.0), (3, 2.0), (4, 4.0)):
        waits = {policy.backoff(retry) for _ in range(50)}
        assert all(base <= wait <= base + 0.5 for wait in waits)
        assert len(waits) > 1  # jittered
    assert policy.backoff(10) == 8.0


def test_a_retried_write_that_then_fails_says_its_outcome_is_unknown(make_api: ApiFactory) -> None:
    # The first PUT may have been applied before its 503: whatever the retry
    # answers, the caller cannot know the user is unchanged.
    missing = Reply.json(404, {"message": "no such user", "code": 404})
    with ScriptedServer(error_reply(503), missing) as server, pytest.raises(ApiException) as caught:
        update_user(make_api(server.url, retries=2))
    assert caught.value.status == 404
    assert caught.value.outcome_unknown is True
    assert server.methods == ["PUT", "PUT"]


def test_a_first_attempt_that_fails_alone_keeps_its_own_outcome(make_api: ApiFactory) -> None:
    missing = Reply.json(404, {"message": "no such user", "code": 404})
    with ScriptedServer(missing) as server, pytest.raises(ApiException) as caught:
        update_user(make_api(server.url, retries=2))
    assert caught.value.outcome_unknown is False
