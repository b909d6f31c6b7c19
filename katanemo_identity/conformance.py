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

This module is the kit's public face (the checks, the report, ``run``, the
command); the checks themselves live in ``katanemo_identity._conformance``,
one module per kind. See ``docs/conformance.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.api_client import ApiClient
from katanemo_identity.configuration import Configuration
from katanemo_identity.models.bad_request_exception import BadRequestException
from katanemo_identity.models.conflict_exception import ConflictException
from katanemo_identity.models.internal_server_error_exception import (
    InternalServerErrorException,
)
from katanemo_identity.models.too_many_requests_exception import TooManyRequestsException
from katanemo_identity.models.unauthorized_exception import UnauthorizedException

Outcome = Literal["pass", "fail", "skip"]


@dataclass(frozen=True)
class Check:
    """One check of the suite.

    Attributes:
        id: A stable name, e.g. ``create-key``.
        title: What a conforming server does, in one line.
        needs: What the check works on, made by an earlier check (``key``,
            ``user``); without it the check is skipped.
    """

    id: str
    title: str
    needs: tuple[str, ...] = ()


#: The suite, in the order it runs.
CHECKS: tuple[Check, ...] = (
    Check("create-key", "create_client_key answers 200 with a clientId and a clientSecret"),
    Check("create-key-invalid", "a key request without defaultRoleId is a 400 BadRequestException"),
    Check(
        "create-key-duplicate",
        "a second key of the same clientName is a 409 ConflictException",
        ("key",),
    ),
    Check("get-key", "get_client_key answers 200 with the key's id, name and account", ("key",)),
    Check("list-keys", "get_client_key_list answers 200 and lists the new key once", ("key",)),
    Check(
        "get-key-unknown",
        "get_client_key of an unknown id is a 4xx about the id (not 401, 403, 429), "
        "with the documented body",
    ),
    Check("invite-user", "create_user_for_account answers 200 with the accountId and userId sent"),
    Check("invite-invalid", "an invite without accountId is a 400 BadRequestException"),
    Check(
        "invite-duplicate", "inviting the same userId again is a 409 ConflictException", ("user",)
    ),
    Check("get-user", "get_user answers 200 with the invited user", ("user",)),
    Check("list-users", "get_users_for_account answers 200 and lists the user once", ("user",)),
    Check(
        "update-user",
        "update_user answers 200 with the roles and tags sent, and keeps them",
        ("user",),
    ),
    Check(
        "update-user-invalid", "an update without accountId is a 400 BadRequestException", ("user",)
    ),
    Check(
        "get-user-unknown",
        "get_user of an unknown userId is a 4xx about the id, with the documented body",
    ),
    Check(
        "update-user-unknown",
        "update_user of an unknown userId is a 4xx about the id, with the documented body",
    ),
    Check(
        "reads-repeat",
        "reading the same key, user and lists twice gives the same answers",
        ("key", "user"),
    ),
    Check(
        "accounts-apart",
        "another account neither lists nor serves this account's key and user",
        ("key", "user"),
    ),
    Check("unauthorized", "every operation with a wrong token is a 401 UnauthorizedException"),
    Check("no-token", "every operation without a token is a 401 UnauthorizedException"),
    Check(
        "delete-key", "delete_client_key answers 200 with a JSON string; the key is gone", ("key",)
    ),
    Check(
        "delete-key-unknown",
        "deleting a deleted key is a 4xx about the id, with the documented body",
        ("deleted",),
    ),
    Check("clean-up", "every key the run created is deleted again, and a new listing shows it"),
)

#: How the evidence of a check the run's budget left no time for begins.
OUT_OF_TIME = "not run: the run's budget"

#: Seconds clean-up may take, on top of the run's budget: it always runs.
CLEAN_UP_SECONDS = 60.0

#: The error-body model the document gives each status it lists; the others
#: (its ``default`` response) carry an ``Error``. Kept here, from the
#: document, rather than taken from the client: the kit checks the client too.
DOCUMENTED_ERROR_MODELS: Mapping[int, type[BaseModel]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    409: ConflictException,
    429: TooManyRequestsException,
    500: InternalServerErrorException,
}


@dataclass(frozen=True)
class Result:
    """The outcome of one check, with its evidence.

    Attributes:
        check: The check.
        outcome: ``pass``, ``fail`` or ``skip``.
        evidence: What was sent and what came back (or why it was skipped).
    """

    check: Check
    outcome: Outcome
    evidence: str


@dataclass
class Report:
    """Every check's result for one server and account.

    Attributes:
        host: The server's base URL.
        account: The account the run worked in.
        run_id: The prefix of every name the run created, ``conformance-<hex>``.
        results: One per check of ``CHECKS``, in order (fewer when the run
            was interrupted: the checks that ran, then ``clean-up``).
        left_behind: The names (``clientName`` of keys, ``userId`` of users)
            of everything the run tried to create and cannot prove gone:
            every user it invited, and any key a listing still shows, or
            everything it tried to create when the account cannot be listed.
        notes: What the reader should know about the server as a whole
            (e.g. that it does not remember writes), each said once.
        interrupted: True when the run was interrupted (Ctrl-C).
        out_of_time: True when the run's budget was spent before every
            check had run.
    """

    host: str
    account: str
    run_id: str
    results: list[Result] = field(default_factory=list)
    left_behind: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False
    out_of_time: bool = False

    @property
    def passed(self) -> bool:
        """True when every check ran and none failed."""
        return (
            not self.interrupted
            and not self.out_of_time
            and all(result.outcome != "fail" for result in self.results)
        )

    def result(self, check_id: str) -> Result:
        """Return the result of the check named ``check_id``.

        Raises:
            KeyError: no such check, or it did not run (an interrupted run).
        """
        for result in self.results:
            if result.check.id == check_id:
                return result
        raise KeyError(check_id)

    def failed(self) -> list[str]:
        """Return the ids of the checks that failed, in order."""
        return [result.check.id for result in self.results if result.outcome == "fail"]

    def to_dict(self) -> dict[str, object]:
        """Return the report as a JSON-ready dict (what ``--json`` prints)."""
        counts = {outcome: 0 for outcome in ("pass", "fail", "skip")}
        for result in self.results:
            counts[result.outcome] += 1
        return {
            "host": self.host,
            "account": self.account,
            "runId": self.run_id,
            "passed": self.passed,
            "interrupted": self.interrupted,
            "outOfTime": self.out_of_time,
            "counts": counts,
            "checks": [
                {
                    "id": result.check.id,
                    "title": result.check.title,
                    "outcome": result.outcome,
                    "evidence": result.evidence,
                }
                for result in self.results
            ],
            "notes": self.notes,
            "leftBehind": self.left_behind,
        }

    def table(self) -> str:
        """Return the report as an aligned text table, with a summary line."""
        rows = [("CHECK", "RESULT", "EVIDENCE")] + [
            (result.check.id, result.outcome.upper(), _printable(result.evidence))
            for result in self.results
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(2)]
        lines = [
            f"{row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2]}".rstrip()
            for row in rows
        ]
        counts = self.to_dict()["counts"]
        assert isinstance(counts, dict)
        lines.append("")
        lines.extend(f"Note: {_printable(note)}" for note in self.notes)
        if self.interrupted:
            lines.append("Interrupted: the checks after the last one shown did not run.")
        lines.append(
            f"{self.host}, account {self.account}: {counts['pass']} passed, "
            f"{counts['fail']} failed, {counts['skip']} skipped."
        )
        if self.left_behind:
            lines.append(
                "Left in the account (users cannot be deleted; keys still listed): "
                + ", ".join(_printable(item) for item in self.left_behind)
            )
        return "\n".join(lines)


class CheckFailed(Exception):
    """A check's expectation was not met; the message is the evidence."""


class RunInterrupted(KeyboardInterrupt):
    """The run was interrupted (Ctrl-C); clean-up ran, and ``report`` holds what was done.

    Attributes:
        report: The results of the checks that ran, then ``clean-up``, with
            ``interrupted`` set and ``left_behind`` filled.
    """

    def __init__(self, report: Report) -> None:
        super().__init__("the conformance run was interrupted")
        self.report = report


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
    # The suite builds on this module's types (Check, Result, Report...), so
    # it is imported when it runs rather than at the top.
    from katanemo_identity._conformance.clock import Clock, limited
    from katanemo_identity._conformance.suite import Suite, interrupts_held

    run_id = f"conformance-{secrets.token_hex(4)}"
    report = Report(configuration.host, account, run_id)
    clock = Clock(budget)
    strict = limited(configuration, clock)
    strict.strict_contract = True
    strict.retries = 0
    with ApiClient(strict) as client:
        suite = Suite(IdentityApi(client), account, run_id, strict, clock)
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


def _printable(text: str) -> str:
    # Evidence quotes the server; keep its text from forging lines of the table.
    return "".join(char if char.isprintable() else " " for char in text)


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
