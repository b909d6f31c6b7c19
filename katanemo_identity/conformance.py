"""The conformance kit: contract checks of any Katanemo Identity API server.

::

    katanemo-identity conformance --host URL [--token T] --account A [--json]
        [--call-timeout SECONDS] [--budget SECONDS]

    KATANEMO_IDENTITY_HOST=URL KATANEMO_IDENTITY_ACCOUNT=A \\
        pytest --pyargs katanemo_identity.testing.conformance_tests

    report = katanemo_identity.conformance.run(Configuration(host=URL), "A")

``run`` drives a server through this SDK's public surface only, with the
client in strict contract mode, and checks each documented outcome of every
operation (``CHECKS``): successes, the documented error statuses with their
error-body models, reads that repeat, accounts kept apart, requests without
a valid token refused. It is meant for servers that may be wrong, in
accounts that may hold real keys, so:

- it writes only in the account it is given, under names that start with
  ``conformance-<run id>``, and before any write to an existing key it
  confirms the key is the run's own (its name carries the run id); a write
  it cannot confirm is not sent, and the check fails saying so;
- it deletes every key of the run at the end, even when a check fails, the
  run's budget is spent or the run is interrupted, and proves it by listing
  the account again; what it cannot prove gone is in ``Report.left_behind``
  (invited users always are: the API cannot delete them);
- its evidence names statuses, models and fields, never field values, and
  never its own token, even when a server echoes it.

This module is the kit's public face: ``run`` and the command, over the
names it re-exports from ``katanemo_identity._conformance`` (``CHECKS``, the
report), where the kit lives, one module per job and none importing this one.
See ``docs/conformance.md``.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import secrets
from typing import TYPE_CHECKING

from katanemo_identity._conformance.catalog import (
    CHECKS,
    CLEAN_UP_SECONDS,
    OUT_OF_TIME,
    Check,
    CheckFailed,
)

# Not exported, but ``Result``'s annotation names it, resolved here where ``Result`` says it lives.
from katanemo_identity._conformance.catalog import Outcome as Outcome
from katanemo_identity._conformance.clock import Clock, Limited
from katanemo_identity._conformance.report import Report, Result, RunInterrupted
from katanemo_identity._conformance.suite import Suite, interrupts_held
from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.api_client import ApiClient
from katanemo_identity.configuration import Configuration

__all__ = [
    "CHECKS",
    "CLEAN_UP_SECONDS",
    "OUT_OF_TIME",
    "Check",
    "CheckFailed",
    "Report",
    "Result",
    "RunInterrupted",
    "add_parser",
    "run",
    "run_command",
]


def run(configuration: Configuration, account: str, *, budget: float | None = None) -> Report:
    """Run every check of ``CHECKS`` against the server ``configuration`` points at.

    The checks use a copy of ``configuration`` with ``strict_contract`` on
    and retries off, so every answer is judged as sent; each call is limited
    by ``configuration.total_timeout``. Keys the run created are then
    deleted (by a tolerant client with the configured retries, within
    ``CLEAN_UP_SECONDS`` of its own), whatever happened before, and the
    account is listed again to prove it.

    Args:
        configuration: Where the server is, and its token. With a token, the
            ``unauthorized`` and ``no-token`` checks run; without, they are
            skipped.
        account: The account to work in; nothing is written anywhere else.
        budget: Seconds the checks may take in all; the checks not started
            when it is spent are skipped (``Report.out_of_time``). None: no limit.

    Returns:
        The report; ``report.passed`` tells whether every check ran and passed.

    Raises:
        ValueError: ``account`` is empty, or ``budget`` is not a number of seconds > 0.
        RunInterrupted: Ctrl-C; clean-up ran first (a second Ctrl-C during it
            is held until it ends), and the exception carries the report.
    """
    if not account:
        raise ValueError("account must name the account the checks may write in")
    if budget is not None and not 0 < budget < math.inf:
        raise ValueError(f"budget must be a number of seconds > 0, not {budget!r}")
    run_id = f"conformance-{secrets.token_hex(4)}"
    report = Report(configuration.host, account, run_id)
    strict = copy.copy(configuration)
    strict.strict_contract = True
    strict.retries = 0
    with ApiClient(strict) as client:
        suite = Suite(Limited(IdentityApi(client), strict, Clock(budget)), account, run_id)
        try:
            suite.run_all(report)
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            with interrupts_held() as held:
                report.results.append(suite.clean_up(configuration, report))
            report.notes.extend(suite.notes())
            if held:
                report.interrupted = True
                report.notes.append(
                    "Ctrl-C during clean-up was held until clean-up ended, so no key was "
                    "abandoned half way."
                )
    if report.interrupted:
        raise RunInterrupted(report)
    return report


# -- command line ------------------------------------------------------------------

#: The exit status of a run ended by Ctrl-C, as every subcommand's (``cli.EXIT_INTERRUPTED``).
_EXIT_INTERRUPTED = 130


def add_parser(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``conformance`` subcommand to the ``katanemo-identity`` command line."""
    from katanemo_identity.cli._arguments import add_conformance

    add_conformance(subcommands)


def run_command(args: argparse.Namespace, output: _Output) -> int:
    """``conformance``: run the suite, print the report, return 0 if every check passed.

    Returns:
        0 when every check ran and passed, 1 when one failed or the budget
        was spent, 130 when the run was interrupted (the report so far is
        printed all the same, in the chosen format).
    """
    configuration = Configuration(host=args.host, access_token=args.token)
    if getattr(args, "call_timeout", None) is not None:
        configuration.total_timeout = args.call_timeout
    try:
        report = run(configuration, args.account, budget=getattr(args, "budget", None))
        status = 0 if report.passed else 1
    except RunInterrupted as interruption:
        report, status = interruption.report, _EXIT_INTERRUPTED
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False), file=output.out)
    else:
        print(report.table(), file=output.out)
    output.out.flush()
    return status


if TYPE_CHECKING:
    from typing import Protocol, TextIO

    class _Output(Protocol):
        out: TextIO
