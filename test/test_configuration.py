"""Configuration: documented defaults, environment fallbacks, and refusal of unusable values."""

from __future__ import annotations

import pytest
from servers import Reply, ScriptedServer

from katanemo_identity import ApiClient, ApiValueError, Configuration, IdentityApi
from katanemo_identity.configuration import __version__


def test_the_defaults_are_safe() -> None:
    configuration = Configuration()
    assert configuration.host == "https://api.katanemo.com"
    assert configuration.access_token is None
    assert configuration.verify_ssl is True
    assert configuration.retries == 2
    assert configuration.debug is False
    assert configuration.user_agent == f"katanemo-identity-python/{__version__}"
    connect, read = configuration.timeout  # type: ignore[misc]
    assert 0 < connect < 120
    assert 0 < read < 600


def test_host_and_token_default_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KATANEMO_IDENTITY_HOST", "http://identity.internal:8080/")
    monkeypatch.setenv("KATANEMO_IDENTITY_TOKEN", "env-token")
    configuration = Configuration()
    assert configuration.host == "http://identity.internal:8080"
    assert configuration.authorization() == "Bearer env-token"


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KATANEMO_IDENTITY_HOST", "http://identity.internal")
    monkeypatch.setenv("KATANEMO_IDENTITY_TOKEN", "env-token")
    configuration = Configuration(host="http://other.example", access_token="given")
    assert configuration.host == "http://other.example"
    assert configuration.authorization() == "Bearer given"


@pytest.mark.parametrize(
    "host",
    [
        "api.katanemo.com",
        "ftp://x.example",
        "http://",
        "https://user:pw@x.example",
        "http://x/?q=1",
        "http://x:0",
    ],
)
def test_an_unusable_host_is_refused(host: str) -> None:
    with pytest.raises(ApiValueError):
        Configuration(host=host)


@pytest.mark.parametrize("timeout", [0, -1, None, float("inf"), float("nan"), (1, 0), "5", True])
def test_a_timeout_that_could_hang_or_make_no_sense_is_refused(timeout: object) -> None:
    with pytest.raises(ApiValueError):
        Configuration(timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize("retries", [-1, 1.5, None, True])
def test_retries_must_be_a_whole_number_of_zero_or_more(retries: object) -> None:
    with pytest.raises(ApiValueError):
        Configuration(retries=retries)  # type: ignore[arg-type]


def test_a_single_number_timeout_and_a_pair_are_both_accepted() -> None:
    assert Configuration(timeout=5).timeout == 5.0
    assert Configuration(timeout=(2, 30)).timeout == (2.0, 30.0)


def test_the_repr_never_shows_the_token() -> None:
    configuration = Configuration(access_token="t0ken-s3cr3t")
    assert "t0ken-s3cr3t" not in repr(configuration)
    assert "<set>" in repr(configuration)


def test_a_token_callable_returning_a_non_string_is_refused() -> None:
    with pytest.raises(ApiValueError):
        Configuration(access_token=lambda: 42).authorization()  # type: ignore[arg-type,return-value]


def test_the_host_is_read_per_request() -> None:
    with (
        ScriptedServer(Reply.json(200, [])) as first,
        ScriptedServer(Reply.json(200, [])) as second,
    ):
        configuration = Configuration(host=first.url)
        with ApiClient(configuration) as client:
            api = IdentityApi(client)
            api.get_client_key_list("acme")
            configuration.host = second.url
            api.get_client_key_list("acme")
    assert len(first.requests) == 1
    assert len(second.requests) == 1


def test_a_custom_user_agent_is_sent() -> None:
    with (
        ScriptedServer(Reply.json(200, [])) as server,
        ApiClient(Configuration(host=server.url, user_agent="my-app/2")) as client,
    ):
        IdentityApi(client).get_client_key_list("acme")
    assert server.requests[0].headers["User-Agent"] == "my-app/2"


def test_set_default_changes_what_a_bare_client_uses() -> None:
    configuration = Configuration(host="http://identity.internal")
    Configuration.set_default(configuration)
    assert Configuration.get_default() is configuration
    with ApiClient() as client:
        assert client.configuration is configuration


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("connection_pool_maxsize", 0),
        ("max_response_size", 0),
        ("retry_backoff_factor", -1),
        ("retry_after_max", -0.5),
    ],
)
def test_other_numeric_settings_are_checked(name: str, value: object) -> None:
    with pytest.raises(ApiValueError, match=name):
        Configuration(**{name: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "headers",
    [[("Proxy-Authorization", "Basic x")], {"Bad Name": "v"}, {"Proxy-Authorization": "a\r\nb"}],
    ids=["not a mapping", "bad name", "CR LF in a value"],
)
def test_proxy_headers_that_could_not_be_sent_are_refused(headers: object) -> None:
    with pytest.raises(ApiValueError) as caught:
        Configuration(proxy_headers=headers)  # type: ignore[arg-type]
    assert "Basic x" not in str(caught.value)
    assert "a\r\nb" not in str(caught.value)
