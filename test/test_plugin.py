"""The pytest plugin's fixtures, used from a test file outside this package's own tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

TESTING_DOC = Path(__file__).resolve().parent.parent / "docs" / "testing.md"


def documented_example() -> str:
    """The example test file in docs/testing.md, as a user would copy it."""
    found = re.search(
        r"<!-- example-test-file -->\n```python\n(.*?)```", TESTING_DOC.read_text(), re.S
    )
    assert found, "docs/testing.md has no example test file"
    return found.group(1)


USER_TESTS = """
import pytest

from katanemo_identity import ClientKeyRequest, ServiceException, UserRequest
from katanemo_identity.testing import IdentityServer


def test_fixtures_reach_a_running_server(identity_server, identity_api):
    assert isinstance(identity_server, IdentityServer)
    identity_api.create_client_key("acme", ClientKeyRequest(client_name="ci", default_role_id="r"))
    assert [key.client_name for key in identity_api.get_client_key_list("acme")] == ["ci"]
    assert identity_server.requests[0].method == "POST"


def test_each_test_gets_a_fresh_server(identity_api):
    assert identity_api.get_client_key_list("acme") == []


def test_fault_injection_is_usable(identity_server, identity_api):
    fault = identity_server.inject(status=500, match="POST /org/acme/user")
    with pytest.raises(ServiceException):
        identity_api.create_user_for_account(
            "acme", UserRequest(account_id="acme", user_id="ada@example.com")
        )
    assert fault.hits == 1
    assert identity_api.get_users_for_account("acme") == []
"""


OVERRIDE_CONFTEST = """
import pytest
from katanemo_identity import Configuration


@pytest.fixture
def identity_configuration(identity_server):
    return Configuration(host=identity_server.url, retries=0)
"""

OVERRIDE_TESTS = """
import pytest
from katanemo_identity import ServiceException


def test_no_retry_with_the_overridden_configuration(identity_server, identity_api):
    identity_server.inject(status=503, times=None)
    with pytest.raises(ServiceException):
        identity_api.get_client_key_list("acme")
    assert len(identity_server.requests) == 1
"""


def test_fixtures_and_the_documented_example_work_in_a_project_outside_the_package(
    pytester: pytest.Pytester,
) -> None:
    # One subprocess for both scenarios: starting pytest is the slow part.
    pytester.makepyfile(test_user_project=USER_TESTS, test_documented_example=documented_example())
    override = pytester.mkpydir("override")
    (override / "conftest.py").write_text(OVERRIDE_CONFTEST)
    (override / "test_override.py").write_text(OVERRIDE_TESTS)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")

    result.assert_outcomes(passed=7)
    result.stdout.fnmatch_lines(
        [
            "*test_no_retry_with_the_overridden_configuration PASSED*",
            "*test_a_lost_answer_to_a_create_is_reconciled PASSED*",
            "*test_fault_injection_is_usable PASSED*",
        ]
    )


UNFIRED_TESTS = """
import pytest
from katanemo_identity import NotFoundException, ServiceException


def test_a_typo_in_match_is_reported(identity_server, identity_api):
    identity_server.inject(status=503, match="GET /org/acme/users")  # the path is /user
    identity_api.get_users_for_account("acme")


def test_the_decoded_path_matches(identity_server, identity_api):
    fault = identity_server.inject(status=500, times=None, match="GET /org/acme/user/ada@example.com")
    with pytest.raises(ServiceException):
        identity_api.get_user("acme", "ada@example.com")
    assert fault.hits == 3  # the first try and two retries
    assert "%40" in identity_server.requests[0].path  # sent percent-encoded


@pytest.mark.identity_allow_unfired_faults
def test_the_marker_allows_unfired_faults(identity_server, identity_api):
    identity_server.inject(status=503, match="DELETE /")


def test_cleared_faults_are_not_reported(identity_server, identity_api):
    identity_server.inject(status=503)
    identity_server.clear_faults()


def test_a_failing_test_is_not_reported_twice(identity_server, identity_api):
    identity_server.inject(status=503, match="PUT /")
    with pytest.raises(NotFoundException):
        identity_api.get_user("acme", "nobody@example.com")
    assert False, "the body's own failure"
"""


def test_a_fault_that_never_fired_fails_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_unfired=UNFIRED_TESTS)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")

    result.assert_outcomes(passed=4, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*test_a_typo_in_match_is_reported ERROR*",
            "*identity_server: 1 injected fault(s) never fired:",
            "*Fault(status=503, match='GET /org/acme/users', times=1, hits=0)",
            "*Requests received:",
            "*GET /org/acme/user",
            "*identity_allow_unfired_faults*",
        ]
    )
    assert "match='PUT /'" not in result.stdout.str()  # the failed test's fault is not reported


def test_the_ini_option_turns_the_unfired_check_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_unfired=UNFIRED_TESTS)
    pytester.makeini("[pytest]\nidentity_fail_on_unfired_faults = false\n")

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=4, failed=1)


def documented_block(marker: str) -> str:
    found = re.search(rf"<!-- {marker} -->\n```python\n(.*?)```", TESTING_DOC.read_text(), re.S)
    assert found, f"docs/testing.md has no {marker} block"
    return found.group(1)


FLAKY_TEST = """
def test_my_code_survives_a_flaky_api(identity_server, identity_api):
    identity_server.inject(status=503, times=2, match="GET /org/acme/keys")
    assert identity_api.get_client_key_list("acme") == []
    assert len(identity_server.requests) == 3
    assert identity_api.api_client.configuration.retry_backoff_factor == 0.0
"""


def test_the_instant_retries_conftest_keeps_the_retries(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(documented_block("instant-retries"))
    pytester.makepyfile(test_flaky=FLAKY_TEST)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=1)
