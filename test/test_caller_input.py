"""Every argument and per-call option, wrong: the property, and each case it found.

The property lives in ``callerkit`` (``run_caller_input``) so that
``scripts/reliability_report.py`` runs it with more examples. The tests
after it pin down, one by one, the cases it found.
"""

from __future__ import annotations

import pytest
from callerkit import CREDENTIAL, run_caller_input

from katanemo_identity import ApiValueError, Configuration
from katanemo_identity.configuration import validate_header

#: Examples per CI run; the slow run and the report use more.
EXAMPLES = 300
SLOW_EXAMPLES = 5000


def test_every_wrong_argument_and_option_is_refused_before_sending() -> None:
    counts = run_caller_input(EXAMPLES)

    # Every argument and option was tried, or the property proved less than it claims.
    tried = {label.split(":")[0] for label in counts}
    assert {"account_id", "key_id", "user_id", "user_request", "client_key_request"} <= tried
    assert {"_request_timeout", "_total_timeout", "_headers", "_retries"} <= tried
    # ... and at least one option the SDK does not have (e.g. openapi-generator's).
    assert tried & {"_timeout", "_preload_content", "_request_auth", "_host_index", "timeout"}
    assert sum(counts.values()) == EXAMPLES


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_every_wrong_argument_and_option_is_refused_over_many_examples() -> None:
    counts = run_caller_input(SLOW_EXAMPLES)

    # The space is finite (about 3,000 combinations): hypothesis stops once
    # it has tried them all.
    assert sum(counts.values()) > 2000


@pytest.mark.parametrize(
    "host",
    [
        "http://admin:" + CREDENTIAL + "@127.0.0.1:99999",
        "http://admin:" + CREDENTIAL + "@[::1",
        "ftp://admin:" + CREDENTIAL + "@127.0.0.1",
        "admin:" + CREDENTIAL + "@127.0.0.1",
    ],
)
def test_invalid_host_with_user_info_is_refused_without_quoting_the_password(host: str) -> None:
    with pytest.raises(ApiValueError) as raised:
        Configuration(host=host)

    assert CREDENTIAL not in str(raised.value)
    assert "**********@" in str(raised.value)


@pytest.mark.parametrize(
    "name", ["Authorization: Bearer " + CREDENTIAL, "X-" + CREDENTIAL + "\n", ""]
)
def test_invalid_header_name_is_refused_without_quoting_it(name: str) -> None:
    with pytest.raises(ApiValueError) as raised:
        validate_header(name, "x")

    assert CREDENTIAL not in str(raised.value)


@pytest.mark.parametrize(
    "setting",
    [
        {"timeout": CREDENTIAL},
        {"timeout": (1.0, CREDENTIAL)},
        {"total_timeout": CREDENTIAL},
        {"retries": CREDENTIAL},
        {"retry_backoff_factor": CREDENTIAL},
        {"max_response_size": CREDENTIAL},
    ],
    ids=lambda setting: next(iter(setting)),
)
def test_string_in_a_numeric_setting_is_refused_by_its_type_alone(
    setting: dict[str, object],
) -> None:
    with pytest.raises(ApiValueError) as raised:
        Configuration(host="http://127.0.0.1:9", **setting)  # type: ignore[arg-type]

    assert CREDENTIAL not in str(raised.value)
    assert "not str" in str(raised.value)


@pytest.mark.parametrize("name", ["timeout", "total_timeout"])
def test_timeout_of_an_integer_too_large_for_a_float_is_refused(name: str) -> None:
    with pytest.raises(ApiValueError, match="finite number of seconds"):
        Configuration(host="http://127.0.0.1:9", **{name: 10**400})  # type: ignore[arg-type]
