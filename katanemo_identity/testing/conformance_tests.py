"""The conformance kit as pytest tests: one test per check of ``katanemo_identity.conformance``.

::

    KATANEMO_IDENTITY_HOST=https://identity.example.com \\
    KATANEMO_IDENTITY_ACCOUNT=conformance \\
    KATANEMO_IDENTITY_TOKEN=... \\
        pytest --pyargs katanemo_identity.testing.conformance_tests

The suite runs once, when the first test asks for its report; each test then
passes, fails (with the check's evidence) or is skipped as its check was.
Both the host and the account must be given: the suite writes in that account.
``KATANEMO_IDENTITY_CONFORMANCE_CALL_TIMEOUT`` limits each call and
``KATANEMO_IDENTITY_CONFORMANCE_BUDGET`` the whole run, in seconds (as the
command line's ``--call-timeout`` and ``--budget``); a check the budget left
no time for fails, saying so.
"""

from __future__ import annotations

import math
import os

import pytest

from katanemo_identity.configuration import HOST_ENV, Configuration
from katanemo_identity.conformance import CHECKS, OUT_OF_TIME, Report, run

#: Environment variable naming the account to work in (as the command line's ``--account``).
ACCOUNT_ENV = "KATANEMO_IDENTITY_ACCOUNT"

#: Environment variable: seconds one call may take (as ``--call-timeout``).
CALL_TIMEOUT_ENV = "KATANEMO_IDENTITY_CONFORMANCE_CALL_TIMEOUT"

#: Environment variable: seconds the checks may take in all (as ``--budget``).
BUDGET_ENV = "KATANEMO_IDENTITY_CONFORMANCE_BUDGET"


def _seconds(name: str) -> float | None:
    text = os.environ.get(name)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        pytest.fail(f"{name} must be a number of seconds > 0, not {text!r}", pytrace=False)
    return value


@pytest.fixture(scope="module")
def conformance_report() -> Report:
    """The report of one run of the suite against ``$KATANEMO_IDENTITY_HOST``.

    Returns:
        The report, shared by every test of this module.
    """
    host = os.environ.get(HOST_ENV)
    account = os.environ.get(ACCOUNT_ENV)
    if not host or not account:
        pytest.fail(
            f"set {HOST_ENV} (the server to check) and {ACCOUNT_ENV} (the account the checks "
            "may write in); the token is read from KATANEMO_IDENTITY_TOKEN",
            pytrace=False,
        )
    configuration = Configuration(host=host)
    call_timeout = _seconds(CALL_TIMEOUT_ENV)
    if call_timeout is not None:
        configuration.total_timeout = call_timeout
    return run(configuration, account, budget=_seconds(BUDGET_ENV))


@pytest.mark.parametrize("check_id", [check.id for check in CHECKS])
def test_conformance(conformance_report: Report, check_id: str) -> None:
    """One check of the suite: its result, with the evidence when it did not pass."""
    result = conformance_report.result(check_id)
    if result.outcome == "skip" and result.evidence.startswith(OUT_OF_TIME):
        pytest.fail(result.evidence, pytrace=False)
    if result.outcome == "skip":
        pytest.skip(result.evidence)
    assert result.outcome == "pass", f"{result.check.title}\n{result.evidence}"
