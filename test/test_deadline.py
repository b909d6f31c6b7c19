"""The whole-call limit: whatever the server does, a call ends within total_timeout."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from conftest import KEY_CREDENTIALS, USER, ApiFactory
from servers import RawServer, Reply, ScriptedServer

from katanemo_identity import (
    ApiClient,
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
    ClientKeyRequest,
    Configuration,
    IdentityApi,
    ServiceException,
    TooManyRequestsException,
)
from katanemo_identity.deadline import TICK_SECONDS

LIMIT = 1.0

#: What the guarantee allows past the limit.
SLACK = 0.5


def slow_bytes(head: bytes, filler: bytes, tail: bytes) -> bytes:
    """A response whose ``filler`` part, sent a byte at a time, outlasts the limit many times."""
    return head + filler * 200 + tail


TRICKLES = {
    "status line": slow_bytes(b"HTTP/1.1 200 ", b"O", b"\r\nContent-Length: 2\r\n\r\n{}"),
    "headers": slow_bytes(b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a", b"\r\nContent-Length: 2\r\n\r\n{}"),
    "body": slow_bytes(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 202\r\n\r\n[",
        b" ",
        b"]",
    ),
}


def timed(action: object) -> tuple[BaseException | None, float]:
    started = time.monotonic()
    try:
        action()  # type: ignore[operator]
    except Exception as error:
        return error, time.monotonic() - started
    return None, time.monotonic() - started


@pytest.mark.parametrize("where", sorted(TRICKLES))
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_trickle_inside_every_read_timeout_is_cut_off_at_the_limit(
    make_api: ApiFactory, where: str, method: str
) -> None:
    # One byte every 0.1 s: no read ever waits as long as the 0.5 s read timeout.
    with RawServer(RawServer.trickle(TRICKLES[where], interval=0.1)) as server:
        api = make_api(server.url, timeout=(1.0, 0.5), total_timeout=LIMIT, retries=2)
        if method == "GET":
            raised, elapsed = timed(lambda: api.get_user("acme", "ann"))
        else:
            request = ClientKeyRequest(client_name="ci", default_role_id="reader")
            raised, elapsed = timed(lambda: api.create_client_key("acme", request))
    assert isinstance(raised, ApiTimeoutError)
    assert raised.expired == "total"
    assert raised.outcome_unknown is True  # the request was sent
    assert "total_timeout=1 s" in str(raised)
    assert elapsed < LIMIT + SLACK
    assert elapsed >= LIMIT - TICK_SECONDS


def test_a_server_that_accepts_and_never_answers_ends_the_call_at_the_limit(
    make_api: ApiFactory,
) -> None:
    with RawServer(RawServer.never_answer(hold=5.0)) as server:
        # The read timeout alone would allow 3 attempts x 2 s.
        api = make_api(server.url, timeout=(1.0, 2.0), total_timeout=LIMIT, retries=2)
        raised, elapsed = timed(lambda: api.get_user("acme", "ann"))
    assert isinstance(raised, ApiTimeoutError)
    assert raised.expired == "total"
    assert raised.retries_taken == 0
    assert elapsed < LIMIT + SLACK


def test_a_read_timeout_says_it_was_the_read_timeout(make_api: ApiFactory) -> None:
    with RawServer(RawServer.never_answer(hold=2.0)) as server:
        api = make_api(server.url, timeout=(1.0, 0.2), total_timeout=10.0, retries=0)
        raised, _ = timed(lambda: api.get_user("acme", "ann"))
    assert isinstance(raised, ApiTimeoutError)
    assert raised.expired == "read"
    assert raised.outcome_unknown is True


def test_no_retry_waits_past_the_limit_the_last_error_is_raised_at_once(
    make_api: ApiFactory,
) -> None:
    busy = Reply.json(503, {"message": "busy"})
    with ScriptedServer(default=busy) as server:
        # The second retry's backoff (2 s and more) would cross the 1 s limit.
        api = make_api(server.url, retry_backoff_factor=1.0, total_timeout=LIMIT, retries=5)
        raised, elapsed = timed(lambda: api.get_user("acme", "ann"))
    assert isinstance(raised, ServiceException)
    assert raised.status == 503
    assert server.methods == ["GET", "GET"]  # the first retry is immediate
    assert raised.retries_taken == 1
    assert elapsed < 0.5


def test_no_retry_waits_past_the_limit_after_a_refused_connection_either(
    make_api: ApiFactory,
) -> None:
    # A loopback port nothing listens on: every attempt is refused, nothing sent.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = make_api(
        f"http://127.0.0.1:{port}", retry_backoff_factor=1.0, total_timeout=LIMIT, retries=5
    )
    raised, elapsed = timed(lambda: api.get_user("acme", "ann"))
    assert isinstance(raised, ApiConnectionError)
    assert not isinstance(raised, ApiTimeoutError)  # the refusal itself, not the limit
    assert raised.outcome_unknown is False
    assert raised.retries_taken == 1  # the first retry is immediate; the second would cross
    assert elapsed < 0.5


def test_a_retry_after_longer_than_what_is_left_is_not_waited_for(make_api: ApiFactory) -> None:
    limited = Reply.json(429, {"message": "slow down"}, headers=[("Retry-After", "5")])
    with ScriptedServer(limited, Reply.json(200, KEY_CREDENTIALS)) as server:
        api = make_api(server.url, total_timeout=2.0, retry_after_max=30.0)
        request = ClientKeyRequest(client_name="ci", default_role_id="reader")
        raised, elapsed = timed(lambda: api.create_client_key("acme", request))
    assert isinstance(raised, TooManyRequestsException)
    assert raised.retry_after == 5.0
    assert server.methods == ["POST"]
    assert elapsed < 0.5


def test_a_retry_after_within_the_limit_is_honoured(make_api: ApiFactory) -> None:
    limited = Reply.json(503, {"message": "busy"}, headers=[("Retry-After", "1")])
    with ScriptedServer(limited, Reply.json(200, USER)) as server:
        api = make_api(server.url, total_timeout=5.0)
        raised, elapsed = timed(lambda: api.get_user("acme", "ann"))
    assert raised is None
    assert 0.9 <= elapsed < 5.0


def test_the_per_call_limit_overrides_the_configured_one(make_api: ApiFactory) -> None:
    with RawServer(RawServer.trickle(TRICKLES["body"], interval=0.1)) as server:
        api = make_api(server.url, timeout=(1.0, 0.5), total_timeout=60.0)
        raised, elapsed = timed(lambda: api.get_user("acme", "ann", _total_timeout=0.6))
    assert isinstance(raised, ApiTimeoutError)
    assert raised.expired == "total"
    assert elapsed < 0.6 + SLACK


def test_a_call_waiting_for_a_free_connection_waits_no_longer_than_its_limit() -> None:
    slow = Reply.json(200, USER, delay=3.0)
    with ScriptedServer(default=slow) as server:
        api = IdentityApi(
            ApiClient(Configuration(host=server.url, connection_pool_maxsize=1, retries=0))
        )
        holder = threading.Thread(target=lambda: api.get_user("acme", "slow"))
        holder.start()
        time.sleep(0.3)  # the one connection is now busy for 3 s
        raised, elapsed = timed(lambda: api.get_user("acme", "waiting", _total_timeout=0.5))
        holder.join(timeout=10)
        api.api_client.close()
    assert isinstance(raised, ApiTimeoutError)
    assert raised.expired == "total"
    assert raised.outcome_unknown is False  # it never got a connection to send on
    assert "free connection" in str(raised)
    assert elapsed < 0.5 + SLACK


@pytest.mark.parametrize("value", [0, -1.0, float("inf"), float("nan"), None, "5", True])
def test_a_limit_that_is_not_a_positive_finite_number_is_refused(
    make_api: ApiFactory, value: object
) -> None:
    with pytest.raises(ApiValueError, match="total_timeout"):
        Configuration(total_timeout=value)  # type: ignore[arg-type]
    with ScriptedServer(Reply.json(200, USER)) as server:
        api = make_api(server.url)
        with pytest.raises(ApiValueError, match="total_timeout"):
            api.get_user("acme", "ann", _total_timeout=value)  # type: ignore[typeddict-item]
    assert server.requests == []


def test_the_limit_has_a_finite_default() -> None:
    assert Configuration().total_timeout == 120.0
