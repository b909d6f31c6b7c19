"""New connections inside the whole-call limit: name look-ups on few reused threads, connects.

``socket.getaddrinfo`` is answered by ``faultkit.answered_name`` for the made-up
names below (the system resolver never sees them); what the SDK connects to
are real loopback servers.
"""

from __future__ import annotations

import os
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import trustme
from conftest import needs_fork
from faultkit import (
    DeadResolverHost,
    TLSServer,
    UnansweringAddressesHost,
    answered_name,
    call,
    closing_api,
    connects_are_dropped,
    listen_queue_full,
)
from servers import Reply, ScriptedServer, closed_port_url

from katanemo_identity import ApiConnectionError, ApiTimeoutError
from katanemo_identity._resolver import _RESOLVER, MAX_THREADS, THREAD_NAME

#: Generous wall-clock bound that proves a call did not wait for the resolver.
WITHIN_SECONDS = 3.0


class Recorder:
    """Records each look-up of every name, with the thread it ran on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self._system = socket.getaddrinfo

    def getaddrinfo(self, host: str, *args: object, **kwargs: object) -> object:
        self.calls.append((host, threading.current_thread().name))
        return self._system(host, *args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def look_ups(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(socket, "getaddrinfo", recorder.getaddrinfo)
    return recorder


def loopback_answer(port: int) -> list[tuple[object, ...]]:
    """What a resolver says of a name that stands for 127.0.0.1."""
    return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))]


@pytest.fixture
def named_server() -> Iterator[tuple[ScriptedServer, str]]:
    """A loopback server, and its URL under a made-up host name that resolves to it."""
    with ScriptedServer(default=Reply.json(200, [])) as server:
        port = int(server.url.rsplit(":", 1)[1])
        name = "identity.example.test"
        with answered_name(name, lambda _: loopback_answer(port)):
            yield server, f"http://{name}:{port}"


def resolver_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == THREAD_NAME]


def test_a_host_name_is_looked_up_on_a_resolver_thread_and_the_call_succeeds(
    named_server: tuple[ScriptedServer, str], look_ups: Recorder
) -> None:
    server, url = named_server
    with closing_api(url) as api:
        assert api.get_client_key_list("acme") == []

    assert ("identity.example.test", THREAD_NAME) in look_ups.calls
    assert len(server.requests) == 1


def test_tls_to_a_host_name_verifies_the_certificate_for_that_name() -> None:
    ca = trustme.CA()
    name = "tls.identity.example.test"
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    with TLSServer(context) as server, ca.cert_pem.tempfile() as ca_path:
        port = int(server.url.rsplit(":", 1)[1])
        with answered_name(name, lambda _: loopback_answer(port)):
            with closing_api(f"https://{name}:{port}", ssl_ca_cert=ca_path) as api:
                assert len(api.get_client_key_list("acme")) == 1
            # The same server under its address: the certificate does not name it.
            with (
                closing_api(server.url, ssl_ca_cert=ca_path) as api,
                pytest.raises(ApiConnectionError, match="TLS"),
            ):
                api.get_client_key_list("acme", _retries=0)


def test_an_ip_literal_needs_no_resolver_thread(look_ups: Recorder) -> None:
    with ScriptedServer(Reply.json(200, [])) as server, closing_api(server.url) as api:
        api.get_client_key_list("acme")

    assert look_ups.calls, "urllib3 looks the literal up itself, in the calling thread"
    assert all(thread != THREAD_NAME for _, thread in look_ups.calls)


def test_a_call_on_a_pooled_connection_looks_nothing_up(
    named_server: tuple[ScriptedServer, str], look_ups: Recorder
) -> None:
    server, url = named_server
    with closing_api(url) as api:
        api.get_client_key_list("acme")
        look_ups.calls.clear()
        api.get_client_key_list("acme")

    assert look_ups.calls == []
    assert server.connections == 1


def test_a_name_that_does_not_resolve_is_a_connection_error_and_nothing_was_sent() -> None:
    def unknown(port: int) -> list[tuple[object, ...]]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with (
        answered_name("nowhere.invalid", unknown),
        closing_api("http://nowhere.invalid") as api,
        pytest.raises(ApiConnectionError) as raised,
    ):
        api.get_client_key_list("acme", _retries=0)

    assert type(raised.value) is ApiConnectionError
    assert raised.value.outcome_unknown is False
    assert "could not connect" in str(raised.value)


def test_the_next_address_is_tried_when_the_first_refuses(
    named_server: tuple[ScriptedServer, str],
) -> None:
    server, _ = named_server
    refused = int(closed_port_url().rsplit(":", 1)[1])
    port = int(server.url.rsplit(":", 1)[1])
    answer = loopback_answer(refused) + loopback_answer(port)
    with (
        answered_name("two-addresses.test", lambda _: answer),
        closing_api(f"http://two-addresses.test:{port}") as api,
    ):
        assert api.get_client_key_list("acme", _retries=0) == []

    assert len(server.requests) == 1


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_slow_look_up_ends_at_the_whole_call_limit_with_nothing_sent(method: str) -> None:
    with DeadResolverHost(seconds=30.0) as host, closing_api(host.url, total_timeout=0.5) as api:
        started = time.monotonic()
        with pytest.raises(ApiTimeoutError) as raised:
            call(api, method)
        elapsed = time.monotonic() - started

    assert raised.value.expired == "total"
    assert raised.value.outcome_unknown is False
    assert host.name in str(raised.value)
    assert elapsed < WITHIN_SECONDS


def test_each_address_gets_only_what_is_left_of_the_whole_call_limit() -> None:
    if not connects_are_dropped():
        pytest.skip("connects to a full accept queue are refused here, not left unanswered")
    with UnansweringAddressesHost(count=4) as host, closing_api(host.url) as api:
        started = time.monotonic()
        with pytest.raises(ApiTimeoutError) as raised:
            # A full connect timeout (2 s) for each of 4 addresses would be 8 s.
            api.get_client_key_list("acme", _request_timeout=(2.0, 1.0), _total_timeout=1.0)
        elapsed = time.monotonic() - started

    assert raised.value.expired == "total"
    assert raised.value.outcome_unknown is False
    assert elapsed < WITHIN_SECONDS


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_connect_to_an_ip_literal_cut_by_the_whole_call_limit_sent_nothing(method: str) -> None:
    if not connects_are_dropped():
        pytest.skip("connects to a full accept queue are refused here, not left unanswered")
    listener, filler = listen_queue_full()
    host, port = listener.getsockname()
    try:
        with (
            closing_api(f"http://{host}:{port}", timeout=(5.0, 5.0), total_timeout=0.5) as api,
            pytest.raises(ApiTimeoutError) as raised,
        ):
            call(api, method)
    finally:
        filler.close()
        listener.close()

    assert raised.value.expired == "total"
    assert raised.value.outcome_unknown is False


def test_look_ups_held_past_their_calls_use_at_most_a_few_threads_and_then_fail_fast(
    named_server: tuple[ScriptedServer, str],
) -> None:
    _, url = named_server
    with DeadResolverHost(seconds=60.0) as dead, closing_api(dead.url) as api:
        for _ in range(MAX_THREADS + 3):
            with pytest.raises(ApiTimeoutError):
                api.get_client_key_list("acme", _total_timeout=0.2)
        assert len(resolver_threads()) <= MAX_THREADS
        assert 1 <= dead.look_ups <= MAX_THREADS

        # Every thread is held: a look-up of any name fails at once, typed,
        # well before its own limit, rather than queueing or starting more.
        with closing_api(url) as other:
            started = time.monotonic()
            with pytest.raises(ApiTimeoutError) as raised:
                other.get_client_key_list("acme", _retries=0, _total_timeout=30.0)
            assert time.monotonic() - started < WITHIN_SECONDS
        assert raised.value.expired == "connect"
        assert raised.value.outcome_unknown is False
        assert "resolver thread" in str(raised.value)
        assert len(resolver_threads()) <= MAX_THREADS

    # The block released the dead server's look-ups; each thread lets go of
    # its held look-up a moment later (not at once on a loaded machine), and
    # then the same threads serve the next calls.
    released_by = time.monotonic() + WITHIN_SECONDS
    while _RESOLVER.held and time.monotonic() < released_by:
        time.sleep(0.01)
    assert _RESOLVER.held == 0
    with closing_api(url) as api:
        assert api.get_client_key_list("acme", _total_timeout=5.0) == []
    assert len(resolver_threads()) <= MAX_THREADS


def test_many_new_connections_at_once_share_a_few_threads_and_all_succeed(
    named_server: tuple[ScriptedServer, str],
) -> None:
    server, _ = named_server
    port = int(server.url.rsplit(":", 1)[1])
    most_threads = 0

    def slow_answer(port: int) -> list[tuple[object, ...]]:
        nonlocal most_threads
        most_threads = max(most_threads, len(resolver_threads()))
        time.sleep(0.1)
        return loopback_answer(port)

    def one_call(_: int) -> list[object]:
        with closing_api(f"http://slow-but-alive.test:{port}") as api:
            return list(api.get_client_key_list("acme", _retries=0, _total_timeout=30.0))

    calls = MAX_THREADS * 3
    with answered_name("slow-but-alive.test", slow_answer), ThreadPoolExecutor(calls) as pool:
        answers = list(pool.map(one_call, range(calls)))

    assert answers == [[]] * calls
    assert 0 < most_threads <= MAX_THREADS


@needs_fork
# Python 3.12+ warns of any fork in a process with threads; here that is the point.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_looks_names_up_on_threads_of_its_own(
    named_server: tuple[ScriptedServer, str],
) -> None:
    _, url = named_server
    with closing_api(url) as api:
        api.get_client_key_list("acme")  # the parent's pool now has a thread, idle
        assert resolver_threads()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                # The child drops the parent's connections: it must look the name up.
                status = 0 if api.get_client_key_list("acme", _total_timeout=5.0) == [] else 2
            finally:
                os._exit(status)
        _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0
