"""The conformance kit as pytest tests: one test per check of ``katanemo_identity.conformance``.

::

    KATANEMO_IDENTITY_HOST=https://identity.example.com \\
    KATANEMO_IDENTITY_ACCOUNT=conformance \\
    KATANEMO_IDENTITY_TOKEN=... \\
        pytest --pyargs katanemo_identity.testing.conformance_tests

The suite runs once, when the first test asks for its report; each test then
passes, fails (with the check's evidence) or is skipped as its check was.
Both the host and the account must be given: the suite writes in that account.
"""

from __future__ import annotations

import os

import pytest

from katanemo_identity.configuration import HOST_ENV, Configuration
from katanemo_identity.conformance import CHECKS, Report, run

#: Environment variable naming the account to work in (as the command line's ``--account``).
ACCOUNT_ENV = "KATANEMO_IDENTITY_ACCOUNT"


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
    return run(Configuration(host=host), account)


@pytest.mark.parametrize("check_id", [check.id for check in CHECKS])
def test_conformance(conformance_report: Report, check_id: str) -> None:
    """One check of the suite: its result, with the evidence when it did not pass."""
    result = conformance_report.result(check_id)
    if result.outcome == "skip":
        pytest.skip(result.evidence)
    assert result.outcome == "pass", f"{result.check.title}\n{result.evidence}"
