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
