"""Recordings without secrets: vcrpy with ``katanemo_identity.testing.vcr_config``."""

from __future__ import annotations

from pathlib import Path

import pytest
import vcr

from katanemo_identity import ApiClient, ClientKeyRequest, Configuration, IdentityApi, UserRequest
from katanemo_identity._redact import MASK
from katanemo_identity.testing import IdentityServer, vcr_config
from katanemo_identity.testing._recording import mask_response

SERVER_TOKEN = "server-token-s3cr3t"


def ten_calls(api: IdentityApi) -> list[dict[str, object]]:
    """Make ten calls touching every operation; return what they decoded, as plain data."""
    key = api.create_client_key("acme", ClientKeyRequest(client_name="ci", default_role_id="r"))
    user = api.create_user_for_account(
        "acme", UserRequest(account_id="acme", user_id="ann@example.com")
    )
    results: list[object] = [
        key,
        user,
        api.get_client_key_list("acme"),
        api.get_client_key("acme", key.client_id or ""),
        api.get_user("acme", "ann@example.com"),
        api.get_users_for_account("acme"),
        api.update_user(
            "ann@example.com",
            "acme",
            UserRequest(account_id="acme", tags={"team": ["blue"]}),
        ),
        api.get_user("acme", "ann@example.com"),
        api.delete_client_key("acme", key.client_id or ""),
        api.get_client_key_list("acme"),
    ]
    return [_plain(result) for result in results]


def _plain(result: object) -> dict[str, object]:
    if isinstance(result, list):
        return {"items": [item.to_dict() for item in result]}
    if isinstance(result, str):
        return {"text": result}
    return result.to_dict()  # type: ignore[attr-defined, no-any-return]


def test_a_recorded_cassette_holds_no_credential_and_replays_without_the_server(
    tmp_path: Path,
) -> None:
    cassette = tmp_path / "calls.yaml"
    recorder = vcr.VCR(record_mode="once", **vcr_config())

    with IdentityServer(access_token=SERVER_TOKEN) as server:
        configuration = Configuration(host=server.url, access_token=SERVER_TOKEN, retries=0)
        with ApiClient(configuration) as client, recorder.use_cassette(str(cassette)):
            recorded = ten_calls(IdentityApi(client))
        secret = recorded[0]["clientSecret"]
        user_token = recorded[1]["token"]
        assert len(server.requests) == 10

    text = cassette.read_text()
    assert isinstance(secret, str)
    assert secret
    assert isinstance(user_token, str)
    assert user_token
    for credential in (SERVER_TOKEN, secret, user_token):
        assert credential not in text
    assert "authorization" not in text.lower()
    assert text.count(MASK) == 2  # the key's secret and the invited user's token

    # The server is gone: every answer now comes from the cassette.
    with ApiClient(configuration) as client, recorder.use_cassette(str(cassette)) as played:
        replayed = ten_calls(IdentityApi(client))
        assert played.play_count == 10
    expected = [dict(result) for result in recorded]
    expected[0]["clientSecret"] = MASK
    expected[1]["token"] = MASK
    assert replayed == expected


def test_a_call_not_in_the_cassette_fails_instead_of_reaching_the_network(
    tmp_path: Path,
) -> None:
    cassette = tmp_path / "calls.yaml"
    recorder = vcr.VCR(record_mode="once", **vcr_config())
    with IdentityServer() as server:
        configuration = Configuration(host=server.url, retries=0)
        with ApiClient(configuration) as client, recorder.use_cassette(str(cassette)):
            IdentityApi(client).get_client_key_list("acme")

    with (
        ApiClient(configuration) as client,
        recorder.use_cassette(str(cassette)),
        pytest.raises(vcr.errors.CannotOverwriteExistingCassetteException),
    ):
        IdentityApi(client).get_client_key_list("other")


def test_masking_a_response_fixes_its_length_and_masks_credential_headers() -> None:
    body = b'{"clientId":"c-1","clientSecret":"abc"}'
    response: dict[str, object] = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Length": [str(len(body))], "Set-Cookie": ["session=s3cr3t"]},
        "body": {"string": body},
    }

    masked = mask_response(response)

    assert masked["body"] == {
        "string": b'{"clientId":"c-1","clientSecret":"' + MASK.encode() + b'"}'
    }
    headers = masked["headers"]
    assert isinstance(headers, dict)
    assert headers["Set-Cookie"] == [MASK]
    assert headers["Content-Length"] == [str(len(masked["body"]["string"]))]  # type: ignore[index]


def test_a_body_that_is_not_text_is_recorded_unchanged() -> None:
    body = b"\xff\xfe not utf-8"
    response: dict[str, object] = {"headers": {}, "body": {"string": body}}

    assert mask_response(response)["body"] == {"string": body}


def test_a_retried_call_is_recorded_attempt_by_attempt_and_replayed_the_same(
    tmp_path: Path,
) -> None:
    cassette = tmp_path / "retried.yaml"
    recorder = vcr.VCR(record_mode="once", **vcr_config())
    with IdentityServer() as server:
        server.inject(status=503, match="GET /org/acme/keys")
        configuration = Configuration(host=server.url, retry_backoff_factor=0.0)
        with ApiClient(configuration) as client, recorder.use_cassette(str(cassette)):
            recorded = IdentityApi(client).get_client_key_list_with_http_info("acme")

    with ApiClient(configuration) as client, recorder.use_cassette(str(cassette)) as played:
        replayed = IdentityApi(client).get_client_key_list_with_http_info("acme")
        assert played.play_count == 2  # the 503, then the 200

    assert (replayed.status_code, replayed.data, replayed.retries_taken) == (
        recorded.status_code,
        recorded.data,
        1,
    )


def test_a_header_the_caller_set_is_masked_in_the_cassette(tmp_path: Path) -> None:
    cassette = tmp_path / "calls.yaml"
    recorder = vcr.VCR(record_mode="once", **vcr_config())
    with IdentityServer() as server:
        configuration = Configuration(host=server.url, retries=0)
        with (
            ApiClient(configuration, "X-Api-Key", "k3y-s3cr3t") as client,
            recorder.use_cassette(str(cassette)),
        ):
            IdentityApi(client).get_client_key_list("acme", _headers={"X-Session": "s3ss-s3cr3t"})

    text = cassette.read_text()
    assert "k3y-s3cr3t" not in text
    assert "s3ss-s3cr3t" not in text
    assert "application/json" in text  # the harmless Accept header is kept


def test_replaying_gives_every_connection_back_to_the_pool(tmp_path: Path) -> None:
    # One connection for the host: a replayed answer that kept its connection
    # would leave the next call waiting for it until its whole-call limit.
    cassette = tmp_path / "calls.yaml"
    recorder = vcr.VCR(record_mode="once", **vcr_config())
    with IdentityServer() as server:
        configuration = Configuration(
            host=server.url, retries=0, connection_pool_maxsize=1, total_timeout=5.0
        )
        with ApiClient(configuration) as client, recorder.use_cassette(str(cassette)):
            recorded = [IdentityApi(client).get_client_key_list("acme") for _ in range(3)]

    with ApiClient(configuration) as client, recorder.use_cassette(str(cassette)) as played:
        replayed = [IdentityApi(client).get_client_key_list("acme") for _ in range(3)]
        assert played.play_count == 3

    assert replayed == recorded == [[], [], []]
