"""The SDK under network and server faults, through the public API, against loopback servers.

The scenarios live in ``faultkit.fault_cases()``; ``scripts/reliability_report.py``
runs the same ones to write the table in ``docs/RELIABILITY.md``.
"""

from __future__ import annotations

import json
import time
import tracemalloc

import pytest
from faultkit import (
    KEY,
    FaultCase,
    UnansweringAddressesHost,
    chunked_response,
    closing_api,
    connects_are_dropped,
    fault_cases,
    run_fault_case,
)
from servers import RawServer, Reply, ScriptedServer, http_response

from katanemo_identity import (
    ApiResponseTooLargeError,
    ApiTimeoutError,
    ClientKeyRequest,
    ServiceException,
)

CASES = fault_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.case_id for case in CASES])
def test_fault_raises_the_documented_error_after_the_documented_number_of_requests(
    case: FaultCase,
) -> None:
    if case.server is UnansweringAddressesHost and not connects_are_dropped():
        pytest.skip("connects to a full accept queue are refused here, not left unanswered")
    outcome = run_fault_case(case)

    assert outcome.problems(case) == []


def test_post_is_not_retried_after_503() -> None:
    with ScriptedServer(Reply.json(503, {"message": "down"}), Reply.json(200, KEY)) as server:
        with closing_api(server.url) as api, pytest.raises(ServiceException) as raised:
            api.create_client_key("acme", ClientKeyRequest(default_role_id="r", client_name="n"))

        assert server.methods == ["POST"]
        assert raised.value.outcome_unknown is True


def test_get_recovers_when_the_connection_is_reset_once() -> None:
    with RawServer(
        [RawServer.reset_before_response(), RawServer.send_raw(_list_response())]
    ) as server:
        with closing_api(server.url) as api:
            keys = api.get_client_key_list("acme")

        assert [key.client_key_id for key in keys] == ["key-1"]
        assert len(server.requests) == 2


def test_silent_server_ends_the_call_within_bounds_with_a_per_call_timeout() -> None:
    with RawServer(RawServer.never_answer(hold=2.0)) as server:
        with closing_api(server.url) as api:
            started = time.perf_counter()
            with pytest.raises(ApiTimeoutError):
                api.get_client_key_list("acme", _request_timeout=(1.0, 0.2), _retries=0)
            elapsed = time.perf_counter() - started

        assert len(server.requests) == 1
        assert elapsed < 5.0


def test_chunked_body_over_the_limit_is_not_held_in_memory() -> None:
    limit = 256 * 1024
    response = chunked_response(4 * 1024 * 1024)
    with RawServer(RawServer.send_raw(response)) as server:
        with closing_api(server.url, max_response_size=limit) as api:
            tracemalloc.start()
            try:
                with pytest.raises(ApiResponseTooLargeError) as raised:
                    api.get_client_key_list("acme")
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()

        assert raised.value.limit == limit
        assert raised.value.status == 200
        # The whole body is 4 MB; the client held about the limit and one read.
        assert peak < 4 * limit


def test_body_at_the_limit_is_accepted() -> None:
    body = b"[" + b" " * 1022 + b"]"
    reply = Reply(200, (("Content-Type", "application/json"),), body)
    with (
        ScriptedServer(reply) as server,
        closing_api(server.url, max_response_size=len(body)) as api,
    ):
        assert api.get_client_key_list("acme") == []


def _list_response() -> bytes:
    return http_response(200, json.dumps([KEY]).encode(), [("Content-Type", "application/json")])
