"""Hooks: one event per call start, per attempt and per call end, from the one request path."""

from __future__ import annotations

import dataclasses
import logging
import threading
from pathlib import Path

import pytest
from conftest import ApiFactory
from servers import Reply, ScriptedServer

from katanemo_identity import (
    ApiClient,
    ApiConnectionError,
    ApiDecodeError,
    ClientKeyRequest,
    Configuration,
    IdentityApi,
    NotFoundException,
    ServiceException,
    UserRequest,
)
from katanemo_identity.hooks import (
    AttemptEnded,
    CallEnded,
    CallStarted,
    Hook,
    RequestEnded,
    RequestSending,
)
from katanemo_identity.testing import IdentityServer

EMAIL = "ann@example.com"
USER_PATH = "/org/{accountId}/user/{userId}"


Event = CallStarted | RequestSending | RequestEnded | AttemptEnded | CallEnded


class Recorder(Hook):
    """Keeps every call and attempt event it is given, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def call_started(self, event: CallStarted) -> None:
        self.events.append(event)

    def attempt_ended(self, event: AttemptEnded) -> None:
        self.events.append(event)

    def call_ended(self, event: CallEnded) -> None:
        self.events.append(event)

    def of(self, kind: type[object]) -> list[object]:
        return [event for event in self.events if isinstance(event, kind)]


class Broken(Hook):
    """Raises from every method."""

    def call_started(self, event: CallStarted) -> None:
        raise RuntimeError("broken call_started")

    def attempt_ended(self, event: AttemptEnded) -> None:
        raise RuntimeError("broken attempt_ended")

    def call_ended(self, event: CallEnded) -> None:
        raise RuntimeError("broken call_ended")


def invite(server: IdentityServer, make_api: ApiFactory) -> None:
    make_api(server.url).create_user_for_account(
        "acme", UserRequest(account_id="acme", user_id=EMAIL)
    )


def test_a_call_retried_twice_reports_three_attempts_then_its_end(
    identity_server: IdentityServer, make_api: ApiFactory
) -> None:
    invite(identity_server, make_api)
    identity_server.inject(status=503, times=2, match="GET /org/acme/user/")
    recorder = Recorder()

    user = make_api(identity_server.url, hooks=[recorder]).get_user("acme", EMAIL)

    assert user.user_id == EMAIL
    started, *attempts, ended = recorder.events
    assert started == CallStarted(
        "get_user",
        "GET",
        USER_PATH,
        identity_server.url,
        f"{identity_server.url}/org/acme/user/ann%40example.com",
    )
    assert all(isinstance(attempt, AttemptEnded) for attempt in attempts)
    assert [(a.attempt, a.status, a.error) for a in attempts] == [  # type: ignore[union-attr]
        (1, 503, None),
        (2, 503, None),
        (3, 200, None),
    ]
    waits = [attempt.wait for attempt in attempts]  # type: ignore[union-attr]
    assert waits[2] is None
    assert all(wait is not None and wait >= 0 for wait in waits[:2])
    assert isinstance(ended, CallEnded)
    assert (ended.operation, ended.method, ended.url_template) == ("get_user", "GET", USER_PATH)
    assert (ended.status, ended.error, ended.retries_taken, ended.outcome_unknown) == (
        200,
        None,
        2,
        False,
    )
    assert ended.elapsed >= sum(attempt.elapsed for attempt in attempts)  # type: ignore[union-attr]


def test_an_error_status_ends_the_call_with_the_exception_it_raises(
    identity_server: IdentityServer, make_api: ApiFactory
) -> None:
    recorder = Recorder()

    with pytest.raises(NotFoundException) as raised:
        make_api(identity_server.url, hooks=[recorder]).get_user("acme", "nobody@example.com")

    (attempt,) = recorder.of(AttemptEnded)
    assert isinstance(attempt, AttemptEnded)
    assert (attempt.status, attempt.wait) == (404, None)
    (ended,) = recorder.of(CallEnded)
    assert isinstance(ended, CallEnded)
    assert (ended.status, ended.error, ended.retries_taken) == (404, raised.value, 0)
    assert ended.outcome_unknown is False


def test_a_create_answered_503_is_not_retried_and_ends_with_outcome_unknown(
    identity_server: IdentityServer, make_api: ApiFactory
) -> None:
    identity_server.inject(status=503, match="POST /org/acme/keys")
    recorder = Recorder()

    with pytest.raises(ServiceException):
        make_api(identity_server.url, hooks=[recorder]).create_client_key(
            "acme", ClientKeyRequest(client_name="ci", default_role_id="r")
        )

    assert [type(event) for event in recorder.events] == [CallStarted, AttemptEnded, CallEnded]
    ended = recorder.events[-1]
    assert isinstance(ended, CallEnded)
    assert (ended.status, ended.retries_taken, ended.outcome_unknown) == (503, 0, True)


def test_an_attempt_without_a_response_reports_its_error_and_no_status(
    make_api: ApiFactory,
) -> None:
    with IdentityServer() as server:
        url = server.url  # stopped at the end of the block: nothing listens there any more
    recorder = Recorder()

    with pytest.raises(ApiConnectionError) as raised:
        make_api(url, hooks=[recorder], retries=1).get_client_key_list("acme")

    attempts = recorder.of(AttemptEnded)
    assert [(a.attempt, a.status) for a in attempts] == [(1, None), (2, None)]  # type: ignore[attr-defined]
    assert all(isinstance(a.error, ApiConnectionError) for a in attempts)  # type: ignore[attr-defined]
    ended = recorder.events[-1]
    assert isinstance(ended, CallEnded)
    assert (ended.status, ended.error, ended.retries_taken) == (None, raised.value, 1)
    assert ended.outcome_unknown is False  # the connection was never made


def test_a_hook_that_raises_is_logged_and_the_call_goes_on(
    identity_server: IdentityServer, make_api: ApiFactory, caplog: pytest.LogCaptureFixture
) -> None:
    identity_server.inject(status=503, match="GET /org/acme/keys")
    recorder = Recorder()

    with caplog.at_level(logging.WARNING, logger="katanemo_identity"):
        keys = make_api(identity_server.url, hooks=[Broken(), recorder]).get_client_key_list("acme")

    assert keys == []
    # The hook after the broken one still saw everything.
    assert [type(event) for event in recorder.events] == [
        CallStarted,
        AttemptEnded,
        AttemptEnded,
        CallEnded,
    ]
    failures = [record for record in caplog.records if record.name == "katanemo_identity"]
    assert [record.getMessage() for record in failures] == [
        f"Broken.{method} raised during get_client_key_list(); the call goes on"
        for method in ("call_started", "attempt_ended", "attempt_ended", "call_ended")
    ]
    assert all(record.exc_info is not None for record in failures)


def test_no_event_but_call_started_carries_a_path_value(
    identity_server: IdentityServer, make_api: ApiFactory
) -> None:
    recorder = Recorder()
    api = make_api(identity_server.url, hooks=[recorder])
    api.create_user_for_account("acme", UserRequest(account_id="acme", user_id=EMAIL))
    api.update_user(EMAIL, "acme", UserRequest(account_id="acme", tags={"t": ["x"]}))

    for event in recorder.events:
        fields = dataclasses.asdict(event)
        if isinstance(event, CallStarted):
            fields.pop("url")
        assert "ann" not in repr(fields)


def test_the_body_of_a_response_read_later_is_not_awaited_by_call_ended(
    identity_server: IdentityServer, make_api: ApiFactory
) -> None:
    recorder = Recorder()

    response = make_api(
        identity_server.url, hooks=[recorder]
    ).get_client_key_list_without_preload_content("acme")

    try:
        assert [type(event) for event in recorder.events] == [
            CallStarted,
            AttemptEnded,
            CallEnded,
        ]
        ended = recorder.events[-1]
        assert isinstance(ended, CallEnded)
        assert ended.status == 200
    finally:
        assert response.read() == b"[]"
        response.release_conn()


def test_a_hook_may_itself_call_the_api(
    identity_server: IdentityServer, make_api: ApiFactory
) -> None:
    recorder = Recorder()
    inner_api = make_api(identity_server.url, hooks=[recorder])

    class CallsBack(Hook):
        def __init__(self) -> None:
            self.busy = False

        def call_ended(self, event: CallEnded) -> None:
            if not self.busy:
                self.busy = True
                inner_api.get_client_key_list("other")

    make_api(identity_server.url, hooks=[CallsBack()]).get_client_key_list("acme")

    assert [type(event) for event in recorder.events] == [CallStarted, AttemptEnded, CallEnded]


def test_threads_sharing_a_client_each_see_their_own_calls(
    identity_server: IdentityServer, make_api: ApiFactory
) -> None:
    recorder = Recorder()
    lock = threading.Lock()

    class Locked(Recorder):
        def call_ended(self, event: CallEnded) -> None:
            with lock:
                recorder.events.append(event)

    api = make_api(identity_server.url, hooks=[Locked()])
    threads = [
        threading.Thread(target=api.get_client_key_list, args=(f"account-{index}",))
        for index in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(recorder.events) == 8
    assert all(isinstance(event, CallEnded) and event.status == 200 for event in recorder.events)


def test_the_documented_metrics_hook_counts_calls_and_fills_the_histogram(
    identity_server: IdentityServer,
) -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "observability.md").read_text()
    example = doc.split("<!-- hooks-metrics-example -->", 1)[1]
    code = example.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(code.replace('"https://api.katanemo.com"', repr(identity_server.url)), namespace)
    configuration = namespace["configuration"]
    metrics = namespace["metrics"]
    assert isinstance(configuration, Configuration)
    identity_server.inject(status=503, match="GET /org/acme/keys")

    with ApiClient(configuration) as client:
        api = IdentityApi(client)
        api.get_client_key_list("acme")
        api.get_client_key_list("acme")
        with pytest.raises(NotFoundException):
            api.get_user("acme", EMAIL)

    assert metrics.calls == {  # type: ignore[attr-defined]
        ("get_client_key_list", "200"): 2,
        ("get_user", "NotFoundException"): 1,
    }
    assert metrics.retries == {("get_client_key_list", "503"): 1}  # type: ignore[attr-defined]
    assert sum(metrics.latency["get_client_key_list"]) == 2  # type: ignore[attr-defined]
    assert sum(metrics.latency["get_user"]) == 1  # type: ignore[attr-defined]


class RequestRecorder(Recorder):
    """Keeps the request events too, and adds a header to every request."""

    def request_sending(self, event: RequestSending) -> None:
        event.extra_headers["X-Hook"] = f"sent-{event.resend_count}"
        self.events.append(event)

    def request_ended(self, event: RequestEnded) -> None:
        self.events.append(event)


def test_every_request_is_told_before_and_after_it_is_sent_retries_and_redirects_included(
    make_api: ApiFactory,
) -> None:
    moved = Reply(302, [("Location", "/org/acme/keys2")])
    busy = Reply.json(503, {"message": "busy"})
    recorder = RequestRecorder()
    with ScriptedServer(busy, moved, Reply.json(200, [])) as server:
        make_api(server.url, hooks=[recorder]).get_client_key_list("acme")

    assert [type(event).__name__ for event in recorder.events] == [
        "CallStarted",
        "RequestSending",
        "RequestEnded",
        "AttemptEnded",
        "RequestSending",
        "RequestEnded",
        "RequestSending",
        "RequestEnded",
        "AttemptEnded",
        "CallEnded",
    ]
    sending = [event for event in recorder.events if isinstance(event, RequestSending)]
    assert [(event.url, event.resend_count) for event in sending] == [
        (f"{server.url}/org/acme/keys", 0),
        (f"{server.url}/org/acme/keys", 1),
        (f"{server.url}/org/acme/keys2", 2),
    ]
    ended = [event for event in recorder.events if isinstance(event, RequestEnded)]
    assert [(e.status, e.error, e.protocol_version, e.resend_count) for e in ended] == [
        (503, None, "1.1", 0),
        (302, None, "1.1", 1),
        (200, None, "1.1", 2),
    ]
    assert all(event.elapsed >= 0 for event in ended)
    # What a hook adds is sent, on a redirect within the origin too.
    assert [request.headers["X-Hook"] for request in server.requests] == [
        "sent-0",
        "sent-1",
        "sent-2",
    ]


def test_a_request_that_fails_is_told_with_its_error(make_api: ApiFactory) -> None:
    with IdentityServer() as stopped:
        url = stopped.url
    recorder = RequestRecorder()

    with pytest.raises(ApiConnectionError) as raised:
        make_api(url, hooks=[recorder], retries=0).get_client_key_list("acme")

    (ended,) = [event for event in recorder.events if isinstance(event, RequestEnded)]
    assert (ended.status, ended.error, ended.protocol_version) == (None, raised.value, None)


def test_headers_a_hook_adds_stay_with_the_origin_but_trace_context(
    make_api: ApiFactory,
) -> None:
    class Adds(Hook):
        def request_sending(self, event: RequestSending) -> None:
            event.extra_headers.update(
                {"traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01", "baggage": "k=v"}
            )

    with ScriptedServer(Reply.json(200, {"clientKeyId": "key-1"})) as elsewhere:
        moved = Reply(302, [("Location", elsewhere.url + "/org/acme/key/key-1")])
        with ScriptedServer(moved) as server:
            make_api(server.url, hooks=[Adds()]).get_client_key("acme", "key-1")

    assert server.requests[0].headers["baggage"] == "k=v"
    assert "traceparent" in server.requests[0].headers
    assert elsewhere.requests[0].headers["traceparent"].startswith("00-111")
    assert "baggage" not in elsewhere.requests[0].headers


def test_an_invalid_header_a_hook_adds_is_logged_and_left_out(
    make_api: ApiFactory, caplog: pytest.LogCaptureFixture
) -> None:
    class Adds(Hook):
        def request_sending(self, event: RequestSending) -> None:
            event.extra_headers["X-Split"] = "a\r\nInjected: yes"
            event.extra_headers["X-Fine"] = "fine"

    with (
        ScriptedServer(Reply.json(200, [])) as server,
        caplog.at_level(logging.WARNING, logger="katanemo_identity"),
    ):
        make_api(server.url, hooks=[Adds()]).get_client_key_list(
            "acme", _headers={"x-fine": "the caller's"}
        )

    sent = server.requests[0].headers
    assert sent.get_all("X-Fine") == ["fine"]  # the hook's replaces the caller's, sent once
    assert "X-Split" not in sent
    assert "Injected" not in sent
    assert "X-Split" in caplog.text


class Interrupts(Recorder):
    """Records like a Recorder, and raises KeyboardInterrupt from one method."""

    def __init__(self, method: str) -> None:
        super().__init__()
        self.method = method

    def call_started(self, event: CallStarted) -> None:
        super().call_started(event)
        if self.method == "call_started":
            raise KeyboardInterrupt

    def request_sending(self, event: RequestSending) -> None:
        if self.method == "request_sending":
            raise KeyboardInterrupt

    def call_ended(self, event: CallEnded) -> None:
        super().call_ended(event)
        if self.method == "call_ended":
            raise KeyboardInterrupt


@pytest.mark.parametrize("method", ["call_started", "request_sending", "call_ended"])
def test_a_hook_raising_keyboard_interrupt_stops_the_call_after_every_hook_is_told_it_ended(
    identity_server: IdentityServer, make_api: ApiFactory, method: str
) -> None:
    before, after = RequestRecorder(), RequestRecorder()
    api = make_api(identity_server.url, hooks=[before, Interrupts(method), after])

    with pytest.raises(KeyboardInterrupt):
        api.get_client_key_list("acme")

    for recorder in (before, after):
        kinds = [type(event) for event in recorder.events]
        if recorder is after and method == "call_started":
            assert kinds == []  # never told the call started, so not told it ended
            continue
        assert kinds[0] is CallStarted
        assert kinds[-1] is CallEnded
        assert kinds.count(RequestSending) == kinds.count(RequestEnded)
        ended = recorder.events[-1]
        assert isinstance(ended, CallEnded)
        if method != "call_ended":
            assert isinstance(ended.error, KeyboardInterrupt)


def test_call_ended_hands_hooks_the_body_with_its_secrets_masked_and_the_caller_the_raw_one(
    make_api: ApiFactory,
) -> None:
    # A created key whose answer does not decode: the raw body is the
    # caller's only copy of the secret.
    answer = {"clientId": 7, "clientSecret": "s3cr3t-value"}
    recorder = Recorder()
    with ScriptedServer(Reply.json(201, answer)) as server:
        api = make_api(server.url, hooks=[recorder])
        with pytest.raises(ApiDecodeError) as raised:
            api.create_client_key("acme", ClientKeyRequest(client_name="ci", default_role_id="r"))

    assert "s3cr3t-value" in (raised.value.body or "")
    ended = recorder.events[-1]
    assert isinstance(ended, CallEnded)
    assert isinstance(ended.error, ApiDecodeError)
    assert ended.error is not raised.value
    assert "s3cr3t-value" not in (ended.error.body or "")
    assert '"clientSecret": "**********"' in (ended.error.body or "")
    assert (ended.error.status, ended.error.url) == (raised.value.status, raised.value.url)
    assert "s3cr3t-value" not in repr(dataclasses.astuple(ended)) + str(ended.error)
