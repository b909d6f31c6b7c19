"""A server that misbehaves in every way it can: the property, and each case it found.

The property itself lives in ``hostilekit`` (``run_hostile_server``), so that
``scripts/reliability_report.py`` runs the very same one with more examples;
runs are derandomized, the same examples every time. The tests below it pin
down, one by one, the cases the property found, each as the behaviour it
must keep.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from conftest import KEY, KEY_CREDENTIALS, ApiFactory
from hostilekit import (
    CALLS,
    LIMIT,
    SOCKET_SLACK,
    Answer,
    HostileServer,
    Observed,
    StatusLine,
    observe,
    run_hostile_server,
)
from servers import RawServer, Reply, ScriptedServer, http_response

from katanemo_identity import (
    ApiClient,
    ApiConnectionError,
    ApiException,
    ApiResponseTooLargeError,
    ApiTimeoutError,
    ApiTypeError,
    ApiValueError,
    ClientKeyRequest,
    Configuration,
    IdentityApi,
    InternalServerErrorException,
    TooManyRequestsException,
    UnauthorizedException,
    UserRequest,
)
from katanemo_identity.exceptions import parse_retry_after

#: Generated servers per CI run; the slow run and the report use more.
EXAMPLES = 100
SLOW_EXAMPLES = 3000

CLIENT_SECRET = str(KEY_CREDENTIALS["clientSecret"])


def test_every_promise_holds_against_a_hostile_server() -> None:
    counts = run_hostile_server(EXAMPLES)

    # The generated servers reached every kind of ending, or the property
    # proved less than it claims.
    assert counts["success"] > 0
    assert counts["ApiConnectionError (outcome unknown)"] > 0
    assert counts["ApiException"] > 0
    assert sum(counts.values()) == EXAMPLES


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a few minutes: some servers trickle for the whole-call limit
def test_every_promise_holds_against_many_hostile_servers() -> None:
    counts = run_hostile_server(SLOW_EXAMPLES)

    assert sum(counts.values()) == SLOW_EXAMPLES


# -- Retry-After --------------------------------------------------------------


@pytest.mark.parametrize("value", ["\u00b2", "\u00b9\u00b2\u00b3", "\u0663"])
def test_retry_after_of_unicode_digits_means_use_the_backoff(value: str) -> None:
    # str.isdigit() accepts them, float() does not (or reads an Arabic-Indic
    # digit as a number no HTTP server meant).
    assert parse_retry_after(value) is None


def test_429_with_a_retry_after_of_a_superscript_digit_is_retried(make_api: ApiFactory) -> None:
    limited = http_response(429, b"", [("Retry-After", "\u00b2")], reason="Too Many Requests")
    with RawServer(RawServer.send_raw(limited)) as server:
        api = make_api(server.url, retries=2)
        with pytest.raises(TooManyRequestsException) as raised:
            api.get_client_key_list("acme")

    assert len(server.requests) == 3
    assert raised.value.retry_after is None


# -- Secrets in what a server sends -------------------------------------------


def test_secret_cut_short_in_an_error_body_is_masked() -> None:
    body = b'{"clientId": "c", "clientSecret": "' + CLIENT_SECRET.encode()
    with ScriptedServer(Reply(401, (("Content-Type", "application/json"),), body)) as server:
        client = ApiClient(Configuration(host=server.url, retries=0))
        with client, pytest.raises(UnauthorizedException) as raised:
            IdentityApi(client).get_client_key_list("acme")

    assert CLIENT_SECRET not in str(raised.value)
    assert '"clientSecret": "**********"' in str(raised.value)


def test_secret_under_a_key_spelled_with_escapes_is_masked_in_the_debug_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # "client\u0053ecret" is "clientSecret" to a JSON parser, and so to the model.
    body = b'{"clientId": "c", "client\\u0053ecret": "' + CLIENT_SECRET.encode() + b'"}'
    with ScriptedServer(Reply(201, (("Content-Type", "application/json"),), body)) as server:
        client = ApiClient(Configuration(host=server.url, debug=True))
        with client, caplog.at_level(logging.DEBUG):
            created = IdentityApi(client).create_client_key(
                "acme", ClientKeyRequest(default_role_id="reader", client_name="ci")
            )

    assert created.client_secret == CLIENT_SECRET
    assert caplog.records
    assert CLIENT_SECRET not in caplog.text


def test_a_header_set_for_every_request_is_masked_in_the_debug_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with ScriptedServer(Reply.json(200, [KEY])) as server:
        client = ApiClient(Configuration(host=server.url, debug=True), "X-Api-Key", "k3y-s3cr3t")
        with client, caplog.at_level(logging.DEBUG):
            IdentityApi(client).get_client_key_list("acme", _headers={"X-Session": "s3ss-s3cr3t"})

    assert server.requests[0].headers["X-Api-Key"] == "k3y-s3cr3t"
    assert "k3y-s3cr3t" not in caplog.text
    assert "s3ss-s3cr3t" not in caplog.text
    # Headers known to carry no credential stay readable.
    assert "'Accept': 'application/json'" in caplog.text


# -- Cases found on the request path ------------------------------------------


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    """One hostile server for the cases below; each plays its own answers."""
    with HostileServer() as server:
        yield server


def answer(
    status: int,
    *headers: bytes,
    body: bytes = b"",
    framing: str = "length",
    encoding: str = "identity",
    interim: tuple[bytes, ...] = (),
) -> Answer:
    """An answer with a well-formed status line."""
    line = StatusLine(b"HTTP/1.1 %d Reason" % status, status)
    return Answer(interim, line, headers, body, encoding, framing, 1024)


def call(server: HostileServer, name: str, *answers: Answer) -> Observed:
    """Call operation ``name`` once against ``answers``; what happened."""
    return observe(server, next(each for each in CALLS if each.name == name), answers, False)


@pytest.mark.parametrize(
    "locations",
    [
        (b"http://[::1",),  # urljoin itself raises on it
        (b"http://", b"http://"),  # two headers, read as "http://, http://"
        (b"http://a b/",),
        (b"ftp://127.0.0.1/file",),
        (b"javascript:alert(1)",),
        (b"http://127.0.0.1:99999/",),
        (b"http://user:pass@127.0.0.1:1/",),
    ],
    ids=repr,
)
def test_redirect_that_is_not_followed_is_the_answer_itself(
    hostile: HostileServer, locations: tuple[bytes, ...]
) -> None:
    headers = [b"Location: " + location for location in locations]
    seen = call(hostile, "get_client_key_list", answer(302, *headers))

    # Not "refused before sending", not a ValueError: the server answered 302.
    assert type(seen.raised) is ApiException
    assert seen.raised.status == 302
    assert seen.raised.outcome_unknown is False
    assert seen.requests == 1


def test_cross_origin_redirect_carries_no_header_the_caller_set() -> None:
    with ScriptedServer(Reply.json(200, [KEY])) as other:
        location = (("Location", other.url + "/org/acme/keys"),)
        with ScriptedServer(Reply(302, location), Reply(302, location)) as origin:
            configuration = Configuration(host=origin.url, access_token="t0ken-s3cr3t")
            client = ApiClient(configuration, "X-Api-Key", "k3y-s3cr3t", cookie="s=c00kie")
            client.set_default_header("X-Default", "d3fault-s3cr3t")
            with client:
                keys = IdentityApi(client).get_client_key_list(
                    "acme", _headers={"X-Per-Call": "p3r-call-s3cr3t"}
                )

            assert origin.requests[0].headers["X-Api-Key"] == "k3y-s3cr3t"
        assert [key.client_key_id for key in keys] == ["key-1"]
        sent = other.requests[0].headers
        assert not {"Authorization", "Cookie", "X-Api-Key", "X-Default", "X-Per-Call"} & set(sent)
        assert sent["Accept"] == "application/json"
        assert sent["User-Agent"].startswith("katanemo-identity-python/")


def test_same_origin_redirect_keeps_the_headers_the_caller_set() -> None:
    location = (("Location", "/org/acme/keys-moved"),)
    with ScriptedServer(Reply(302, location), Reply.json(200, [KEY])) as origin:
        client = ApiClient(Configuration(host=origin.url), "X-Api-Key", "k3y-s3cr3t")
        with client:
            IdentityApi(client).get_client_key_list("acme")

    assert origin.requests[1].path == "/org/acme/keys-moved"
    assert origin.requests[1].headers["X-Api-Key"] == "k3y-s3cr3t"


@pytest.mark.parametrize("framing", ["endless", "close"])
def test_endless_body_of_a_retried_503_is_not_read_and_the_retry_is_sent(
    hostile: HostileServer, framing: str
) -> None:
    # "close": a body of no declared length, ended only by the server closing.
    seen = call(hostile, "get_client_key_list", answer(503, body=b"x" * LIMIT, framing=framing))

    assert seen.requests == 3
    assert isinstance(seen.raised, ApiException)
    assert seen.raised.status == 503
    assert seen.sent < seen.requests * (LIMIT + SOCKET_SLACK)


@pytest.mark.parametrize("status", [200, 399, 503])
def test_negative_content_length_beside_chunked_does_not_read_a_body_whole(
    hostile: HostileServer, status: int
) -> None:
    # Chunked decides where the body ends; the -1 must not make it "known".
    seen = call(
        hostile, "get_client_key_list", answer(status, b"Content-Length: -1", framing="endless")
    )

    assert isinstance(seen.raised, ApiResponseTooLargeError)
    assert seen.sent < seen.requests * (LIMIT + SOCKET_SLACK)
    assert seen.peak_memory < 4 * LIMIT + 8 * 1024 * 1024


@pytest.mark.parametrize(
    ("status", "outcome_unknown"), [(200, False), (404, False), (500, True), (503, True)]
)
def test_too_large_answer_reports_the_outcome_its_status_means(
    hostile: HostileServer, status: int, outcome_unknown: bool
) -> None:
    seen = call(hostile, "create_client_key", answer(status, body=b"x" * (LIMIT + 1)))

    assert isinstance(seen.raised, ApiResponseTooLargeError)
    assert seen.raised.status == status
    assert seen.raised.outcome_unknown is outcome_unknown


@pytest.mark.parametrize(
    "interim",
    [
        (b"HTTP/1.1 102 Processing\r\n\r\n",),
        (b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n",),
        (b"HTTP/1.1 100 Continue\r\n\r\n", b"HTTP/1.1 103 Early Hints\r\n\r\n"),
    ],
)
def test_interim_answers_before_the_final_one_are_skipped(
    hostile: HostileServer, interim: tuple[bytes, ...]
) -> None:
    created = json.dumps(KEY_CREDENTIALS).encode()
    seen = call(hostile, "create_client_key", answer(201, body=created, interim=interim))

    assert seen.raised is None
    assert seen.requests == 1


@pytest.mark.parametrize(
    "final",
    [
        answer(204),
        answer(204, b"Content-Encoding: gzip"),
        answer(200),
        answer(200, b"Content-Type: application/json", body=b"\r\n"),
        answer(200, b"Content-Type: application/json", body=b"", framing="chunked"),
    ],
    ids=["204", "204 gzip", "empty 200", "blank 200", "empty chunked 200"],
)
def test_delete_answered_without_a_body_succeeds_with_an_empty_message(
    hostile: HostileServer, final: Answer
) -> None:
    seen = call(hostile, "delete_client_key", final)

    assert seen.raised is None
    assert seen.result == ""
    assert seen.requests == 1


def test_delete_still_returns_the_message_the_server_sent(hostile: HostileServer) -> None:
    seen = call(hostile, "delete_client_key", answer(200, body=b'"Key deleted"'))

    assert seen.result == "Key deleted"


def test_empty_200_to_a_get_is_still_an_error(hostile: HostileServer) -> None:
    # A GET's answer is data the caller needs: no body is not a result.
    seen = call(hostile, "get_client_key", answer(200))

    assert type(seen.raised).__name__ == "ApiDecodeError"


@pytest.mark.parametrize("head", [b"Connection: close", b"Content-Length: 0x10"])
def test_trickle_to_the_end_of_the_connection_is_cut_off_by_the_whole_call_limit(
    make_api: ApiFactory, head: bytes
) -> None:
    # No usable length: the body ends when the server closes, which it never
    # does; one byte arrives inside every read timeout.
    response = b"HTTP/1.1 200 OK\r\n" + head + b"\r\n\r\n" + b"[" + b" " * 40
    with RawServer(RawServer.trickle(response, interval=0.1)) as server:
        api = make_api(server.url, timeout=(1.0, 0.5), total_timeout=0.8)
        with pytest.raises(ApiTimeoutError) as raised:
            api.get_client_key_list("acme")

    assert raised.value.expired == "total"
    assert raised.value.outcome_unknown is True


def test_rest_of_the_chain_is_typed_too_for_a_server_that_sends_nothing(
    hostile: HostileServer,
) -> None:
    seen = call(hostile, "create_user_for_account", answer(200, framing="nothing"))

    assert isinstance(seen.raised, ApiConnectionError)
    assert seen.raised.outcome_unknown is True
    assert seen.requests == 1


# -- Cases found on the caller's side -----------------------------------------


@pytest.mark.parametrize("headers", [[("X-Trace", "t-1")], "X-Trace: t-1", ("X-Trace",), 0, ""])
def test_headers_that_are_not_a_mapping_are_refused_before_sending(headers: object) -> None:
    with ScriptedServer(Reply.json(200, [KEY])) as server:
        with (
            ApiClient(Configuration(host=server.url)) as client,
            pytest.raises(ApiTypeError, match="_headers must be a mapping"),
        ):
            IdentityApi(client).get_client_key_list("acme", _headers=headers)  # type: ignore[arg-type]

        assert server.requests == []


class _Opaque:
    def __repr__(self) -> str:
        return "admin-s3cr3t"


@pytest.mark.parametrize(
    "body",
    [
        UserRequest.model_construct(account_id=_Opaque()),
        UserRequest.model_construct(account_id="acme", roles=[_Opaque()]),
        UserRequest.model_construct(account_id="acme", tags={"team": [_Opaque()]}),
    ],
    ids=["object", "object in a list", "object in a dict"],
)
def test_body_that_cannot_be_sent_as_json_is_refused_before_sending(body: UserRequest) -> None:
    # pydantic raised its own PydanticSerializationError, quoting the value.
    with ScriptedServer(Reply.json(200, {})) as server:
        with (
            ApiClient(Configuration(host=server.url)) as client,
            pytest.raises(ApiValueError, match="cannot be sent as JSON") as raised,
        ):
            IdentityApi(client).create_user_for_account("acme", body)

        assert server.requests == []
    assert "admin-s3cr3t" not in str(raised.value)


def test_interim_answers_are_skipped_for_every_status_the_server_then_sends(
    hostile: HostileServer,
) -> None:
    interim = (b"HTTP/1.1 103 Early Hints\r\n\r\n",)
    seen = call(hostile, "create_client_key", answer(500, body=b"{}", interim=interim))

    assert isinstance(seen.raised, InternalServerErrorException)
    assert seen.raised.outcome_unknown is True
