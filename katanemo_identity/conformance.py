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

See ``docs/conformance.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import math
import secrets
import signal
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel

from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.api_client import ApiClient
from katanemo_identity.configuration import Configuration, validate_total_timeout
from katanemo_identity.exceptions import (
    ApiContractError,
    ApiException,
    ApiTimeoutError,
    OpenApiException,
)
from katanemo_identity.models.bad_request_exception import BadRequestException
from katanemo_identity.models.client_key_object import ClientKeyObject
from katanemo_identity.models.client_key_request import ClientKeyRequest
from katanemo_identity.models.conflict_exception import ConflictException
from katanemo_identity.models.error import Error
from katanemo_identity.models.internal_server_error_exception import (
    InternalServerErrorException,
)
from katanemo_identity.models.too_many_requests_exception import TooManyRequestsException
from katanemo_identity.models.unauthorized_exception import UnauthorizedException
from katanemo_identity.models.user_request import UserRequest
from katanemo_identity.models.user_response import UserResponse

Outcome = Literal["pass", "fail", "skip"]

_Model = TypeVar("_Model", bound=BaseModel)


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

#: The statuses that answer about the id a request names: every 4xx but
#: 401, 403 and 429, which a server sends without looking the id up.
_ABOUT_THE_ID: frozenset[int] = frozenset(range(400, 500)) - {401, 403, 429}

#: How the evidence of a check the run's budget left no time for begins.
OUT_OF_TIME = "not run: the run's budget"

#: Seconds clean-up may take, on top of the run's budget: it always runs.
CLEAN_UP_SECONDS = 60.0


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
    run_id = f"conformance-{secrets.token_hex(4)}"
    report = Report(configuration.host, account, run_id)
    clock = _Clock(budget)
    strict = _limited(configuration, clock)
    strict.strict_contract = True
    strict.retries = 0
    with ApiClient(strict) as client:
        suite = _Suite(IdentityApi(client), account, run_id, strict, clock)
        try:
            suite.run_all(report)
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            with _interrupts_held() as held:
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


@contextmanager
def _interrupts_held() -> Iterator[list[int]]:
    """Hold SIGINT while the block runs; yields a list that receives each one held."""
    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield held  # only the main thread can set a signal handler (and receives SIGINT)
        return
    previous = signal.signal(signal.SIGINT, lambda number, frame: held.append(number))
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous)


class _Clock:
    """A budget of seconds, counted from now; None is no limit."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.ends = math.inf if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def spent(self) -> bool:
        return self.remaining() <= 0


class _Limited(Configuration):
    """A ``Configuration`` whose whole-call limit never outlasts a ``_Clock``."""

    clock: _Clock

    @property
    def total_timeout(self) -> float:
        # Read once per call by the request path: each call gets what is left.
        return max(min(self._total_timeout, self.clock.remaining()), 0.001)

    @total_timeout.setter
    def total_timeout(self, value: float) -> None:
        self._total_timeout = validate_total_timeout(value)


def _limited(configuration: Configuration, clock: _Clock) -> _Limited:
    limited = copy.copy(configuration)
    limited.__class__ = _Limited  # same state, one property more: no field is copied by hand
    assert isinstance(limited, _Limited)
    limited.clock = clock
    return limited


class _Suite:
    """The checks, and the state they share (the key and user they made)."""

    def __init__(
        self,
        api: IdentityApi,
        account: str,
        run_id: str,
        configuration: Configuration,
        clock: _Clock,
    ) -> None:
        self.api = api
        self.account = account
        self.run_id = run_id
        self.configuration = configuration
        self.clock = clock
        self.key_name = f"{run_id}-key"
        self.user_id = f"{run_id}-ada@example.com"
        self.missing = f"{run_id}-missing"
        self.made: set[str] = set()  # "key", "user", "deleted"
        self.key_id = ""
        #: Every key id a create answered with, whoever's key it turns out to be.
        self.created_key_ids: list[str] = []
        #: The names of everything the run asked the server to create.
        self.tried: list[str] = []
        #: What a later read showed again after it was created: "key", "user".
        self.seen_again: set[str] = set()
        self.token = _token(configuration)
        self.wrong_token = "conformance-wrong-token-" + secrets.token_hex(8)

    # -- running -----------------------------------------------------------

    def run_all(self, report: Report) -> None:
        for check in CHECKS:
            if check.id == "clean-up":
                continue
            if self.clock.spent():
                report.out_of_time = True
                report.results.append(
                    Result(check, "skip", f"{OUT_OF_TIME} of {self.clock.seconds:g} s was spent")
                )
                continue
            report.results.append(self.run_one(check))

    def run_one(self, check: Check) -> Result:
        missing = [need for need in check.needs if need not in self.made]
        if missing:
            return Result(check, "skip", f"needs {_MADE_BY[missing[0]]}, which did not pass")
        method: Callable[[], str] = getattr(self, "check_" + check.id.replace("-", "_"))
        try:
            return self.result(check, "pass", method())
        except _Skip as reason:
            return self.result(check, "skip", str(reason))
        except CheckFailed as failure:
            return self.result(check, "fail", str(failure))
        except OpenApiException as error:
            evidence = _describe(error)
            if isinstance(error, ApiTimeoutError) and self.clock.spent():
                evidence += f" (the run's budget of {self.clock.seconds:g} s ran out)"
            return self.result(check, "fail", evidence)

    def result(self, check: Check, outcome: Outcome, evidence: str) -> Result:
        return Result(check, outcome, self.mask(evidence))

    def mask(self, text: str) -> str:
        """Hide the kit's tokens in ``text``: a server may echo them back."""
        for token in (self.token, self.wrong_token):
            if token:
                text = text.replace(token, _MASK)
        return text

    def notes(self) -> list[str]:
        """What to say once about the server as a whole."""
        forgotten = [
            (operation, thing)
            for need, operation, thing in (
                ("key", "create_client_key", "the key"),
                ("user", "create_user_for_account", "the user"),
            )
            if need in self.made and need not in self.seen_again
        ]
        if not forgotten:
            return []
        operations = " and ".join(operation for operation, _ in forgotten)
        things = " or ".join(thing for _, thing in forgotten)
        return [
            f"This server does not remember writes: it answered {operations} with 200, yet no "
            f"later read showed {things} again (a stateless mock answers so). The checks that "
            "read back what was written fail for that reason alone."
        ]

    # -- the account's own ---------------------------------------------------

    def confirm_own_key(self, key_id: str, what: str, *, gone: bool = False) -> None:
        """Fail the check unless ``key_id`` names a key of this run, shown by a read of it.

        A read (``get_client_key``, the listing) must show the id under a
        name that starts with the run id, and none under another name. With
        ``gone``, an id that no read shows at all passes too: it was deleted.

        Raises:
            CheckFailed: the key is not shown as this run's; nothing was written.
        """
        names: list[str | None] = []
        with contextlib.suppress(OpenApiException):  # the listing may still show it
            names.append(self.api.get_client_key(self.account, key_id).client_name)
        with contextlib.suppress(OpenApiException):
            names += [
                key.client_name
                for key in self.api.get_client_key_list(self.account)
                if key.client_key_id == key_id
            ]
        if gone and not names:
            return
        shown = [name for name in names if name]
        if shown and all(name.startswith(self.run_id) for name in shown):
            return
        raise CheckFailed(
            f"{what}: not sent: no read shows key {key_id} as this run's (a clientName that "
            f"starts with {self.run_id}), so it was left alone"
        )

    def clean_up(self, configuration: Configuration, report: Report) -> Result:
        """Delete every key of the run, prove it by listing again, and fill ``left_behind``."""
        check = CHECKS[-1]
        tolerant = _limited(configuration, _Clock(CLEAN_UP_SECONDS))
        tolerant.strict_contract = False
        problems: list[str] = []
        deleted = left_alone = 0
        with ApiClient(tolerant) as client:
            api = IdentityApi(client)
            ours = self._listed_keys(api, problems)
            targets = dict(ours or {})
            for key_id in dict.fromkeys(self.created_key_ids):
                if key_id in targets:
                    continue
                try:
                    name = api.get_client_key(self.account, key_id).client_name or ""
                except ApiException as error:
                    if error.status not in _ABOUT_THE_ID:
                        problems.append(f"reading key {key_id}: {_describe(error)}")
                    continue  # a 404: gone already, or never made
                except OpenApiException as error:
                    problems.append(f"reading key {key_id}: {_describe(error)}")
                    continue
                if name.startswith(self.run_id):
                    targets[key_id] = name
                else:
                    left_alone += 1
            for key_id in targets:
                try:
                    api.delete_client_key(self.account, key_id)
                    deleted += 1
                except ApiException as error:
                    if error.status != 404:  # a 404: gone already
                        problems.append(f"deleting {key_id}: {_describe(error)}")
                except OpenApiException as error:
                    problems.append(f"deleting {key_id}: {_describe(error)}")
            still = self._listed_keys(api, problems)
            users = self._listed_users(api, problems)
        keys_left = list(still.values()) if still is not None else self.tried_keys()
        if still:
            problems.append(f"{len(still)} key(s) of this run still listed after deleting")
        users_left = users if users is not None else self.tried_users()
        report.left_behind = [self.mask(name) for name in keys_left + users_left]
        if problems:
            return self.result(check, "fail", "; ".join(problems))
        evidence = (
            f"{deleted} key(s) deleted here; a new listing shows no key of this run; "
            f"{len(users_left)} user(s) of this run remain (the API cannot delete users)"
        )
        if left_alone:
            evidence += (
                f"; {left_alone} key id(s) a create answered with belong to no key of this "
                "run: left alone"
            )
        return self.result(check, "pass", evidence)

    def _listed_keys(self, api: IdentityApi, problems: list[str]) -> dict[str, str] | None:
        """Return the listed keys whose names carry the run id (id: name); None if unlisted."""
        try:
            listed = api.get_client_key_list(self.account)
        except OpenApiException as error:
            problems.append(f"listing keys: {_describe(error)}")
            return None
        return {
            key.client_key_id: key.client_name
            for key in listed
            if key.client_key_id and key.client_name and key.client_name.startswith(self.run_id)
        }

    def _listed_users(self, api: IdentityApi, problems: list[str]) -> list[str] | None:
        try:
            listed = api.get_users_for_account(self.account)
        except OpenApiException as error:
            problems.append(f"listing users: {_describe(error)}")
            return None
        return list(
            dict.fromkeys(
                user.user_id
                for user in listed
                if user.user_id and user.user_id.startswith(self.run_id)
            )
        )

    def tried_keys(self) -> list[str]:
        return [name for name in dict.fromkeys(self.tried) if "@" not in name]

    def tried_users(self) -> list[str]:
        return [name for name in dict.fromkeys(self.tried) if "@" in name]

    # -- helpers -------------------------------------------------------------

    def where(self, method: str, *segments: str) -> str:
        return f"{method} /org/{self.account}/" + "/".join(segments)

    @contextmanager
    def expect_error(
        self, what: str, statuses: Collection[int], model: type[BaseModel] | None
    ) -> Iterator[list[str]]:
        """Expect the block to raise an error of one of ``statuses`` whose body is ``model``.

        ``model`` None means the one the document gives the status (``Error``
        for those it does not list). Yields a list that receives the evidence.
        """
        evidence: list[str] = []
        expected = _statuses(statuses)
        try:
            yield evidence
        except ApiContractError:
            raise
        except ApiException as error:
            status = error.status or 0
            if status not in statuses:
                raise CheckFailed(f"{what} -> {status}, expected {expected}") from None
            wanted = model or _documented_model(status)
            if not isinstance(error.data, wanted):
                raise CheckFailed(f"{what} -> {status} without a {wanted.__name__} body") from None
            evidence.append(f"{what} -> {status} {wanted.__name__}")
            return
        raise CheckFailed(f"{what} -> a success, expected {expected}")

    def create_key(self, api: IdentityApi, request: ClientKeyRequest) -> object:
        """Send a create of a key named by the run; keep the id a wrong server may answer."""
        self.tried.append(request.client_name)
        created = api.create_client_key(self.account, request)
        self._keep(created)
        return created

    def invite(self, api: IdentityApi, request: UserRequest) -> object:
        self.tried.append(request.user_id or "")
        return api.create_user_for_account(self.account, request)

    def _keep(self, created: object) -> None:
        # A server that wrongly accepts a bad create has made a key: delete it later.
        key_id = getattr(created, "client_id", None)
        if isinstance(key_id, str) and key_id:
            self.created_key_ids.append(key_id)

    # -- client keys ---------------------------------------------------------

    def check_create_key(self) -> str:
        what = self.where("POST", "keys")
        request = ClientKeyRequest(client_name=self.key_name, default_role_id="reader")
        self.tried.append(self.key_name)
        response = self.api.create_client_key_with_http_info(self.account, request)
        created = response.data
        self._keep(created)
        missing = [
            name
            for name, value in (
                ("clientId", created.client_id),
                ("clientSecret", created.client_secret),
            )
            if not value
        ]
        if missing or not created.client_id:
            raise CheckFailed(f"{what} -> {response.status_code} without {' and '.join(missing)}")
        self.key_id = created.client_id
        self.made.add("key")
        return f"{what} -> {response.status_code} ClientKeyResponse with clientId, clientSecret"

    def check_create_key_invalid(self) -> str:
        what = self.where("POST", "keys") + " without defaultRoleId"
        incomplete = _without(ClientKeyRequest, client_name=f"{self.run_id}-invalid")
        with self.expect_error(what, [400], BadRequestException) as evidence:
            self.create_key(self.api, incomplete)
        return evidence[0]

    def check_create_key_duplicate(self) -> str:
        what = self.where("POST", "keys") + " with the same clientName"
        again = ClientKeyRequest(client_name=self.key_name, default_role_id="reader")
        with self.expect_error(what, [409], ConflictException) as evidence:
            self.create_key(self.api, again)
        return evidence[0]

    def check_get_key(self) -> str:
        what = self.where("GET", "key", self.key_id)
        response = self.api.get_client_key_with_http_info(self.account, self.key_id)
        key = response.data
        if key.client_name == self.key_name:
            self.seen_again.add("key")
        wrong = _differences(
            ("clientKeyId", key.client_key_id, self.key_id),
            ("clientName", key.client_name, self.key_name),
            ("accountId", key.account_id, self.account),
        )
        if wrong:
            raise CheckFailed(f"{what} -> {response.status_code} ClientKeyObject whose {wrong}")
        return f"{what} -> {response.status_code} ClientKeyObject of the key"

    def check_list_keys(self) -> str:
        what = self.where("GET", "keys")
        response = self.api.get_client_key_list_with_http_info(self.account)
        if any(key.client_name == self.key_name for key in response.data):
            self.seen_again.add("key")
        ours = [key for key in response.data if key.client_key_id == self.key_id]
        if not ours:
            raise CheckFailed(f"{what} -> {response.status_code} without the new key's clientKeyId")
        if len(ours) > 1:
            raise CheckFailed(
                f"{what} -> {response.status_code} with the new key {len(ours)} times"
            )
        wrong = _differences(
            ("clientName", ours[0].client_name, self.key_name),
            ("accountId", ours[0].account_id, self.account),
        )
        if wrong:
            raise CheckFailed(
                f"{what} -> {response.status_code} with the new key once, whose {wrong}"
            )
        return f"{what} -> {response.status_code} list of {len(response.data)}, the new key once"

    def check_get_key_unknown(self) -> str:
        what = self.where("GET", "key", self.missing)
        with self.expect_error(what, _ABOUT_THE_ID, None) as evidence:
            self.api.get_client_key(self.account, self.missing)
        return evidence[0]

    # -- users ---------------------------------------------------------------

    def check_invite_user(self) -> str:
        what = self.where("POST", "user")
        self.tried.append(self.user_id)
        response = self.api.create_user_for_account_with_http_info(
            self.account, UserRequest(account_id=self.account, user_id=self.user_id)
        )
        user = response.data
        wrong = _differences(
            ("accountId", user.account_id, self.account), ("userId", user.user_id, self.user_id)
        )
        if wrong:
            raise CheckFailed(f"{what} -> {response.status_code} UserResponse whose {wrong}")
        self.made.add("user")
        return f"{what} -> {response.status_code} UserResponse of the user"

    def check_invite_invalid(self) -> str:
        what = self.where("POST", "user") + " without accountId"
        incomplete = _without(UserRequest, user_id=f"{self.run_id}-invalid@example.com")
        with self.expect_error(what, [400], BadRequestException) as evidence:
            self.invite(self.api, incomplete)
        return evidence[0]

    def check_invite_duplicate(self) -> str:
        what = self.where("POST", "user") + " with the same userId"
        with self.expect_error(what, [409], ConflictException) as evidence:
            self.invite(self.api, UserRequest(account_id=self.account, user_id=self.user_id))
        return evidence[0]

    def check_get_user(self) -> str:
        what = self.where("GET", "user", self.user_id)
        response = self.api.get_user_with_http_info(self.account, self.user_id)
        user = response.data
        if user.user_id == self.user_id:
            self.seen_again.add("user")
        wrong = _differences(
            ("accountId", user.account_id, self.account), ("userId", user.user_id, self.user_id)
        )
        if wrong:
            raise CheckFailed(f"{what} -> {response.status_code} UserResponse whose {wrong}")
        return f"{what} -> {response.status_code} UserResponse of the user"

    def check_list_users(self) -> str:
        what = self.where("GET", "user")
        response = self.api.get_users_for_account_with_http_info(self.account)
        ours = [user for user in response.data if user.user_id == self.user_id]
        if ours:
            self.seen_again.add("user")
        if not ours:
            raise CheckFailed(f"{what} -> {response.status_code} without the user's userId")
        if len(ours) > 1:
            raise CheckFailed(f"{what} -> {response.status_code} with the user {len(ours)} times")
        wrong = _differences(("accountId", ours[0].account_id, self.account))
        if wrong:
            raise CheckFailed(f"{what} -> {response.status_code} with the user once, whose {wrong}")
        return f"{what} -> {response.status_code} list of {len(response.data)}, the user once"

    def check_update_user(self) -> str:
        what = self.where("PUT", "user", self.user_id)
        change = UserRequest(
            account_id=self.account, roles=["conformance"], tags={"checked": ["yes"]}
        )
        response = self.api.update_user_with_http_info(self.user_id, self.account, change)
        answered = response.data
        stored = self.api.get_user(self.account, self.user_id)
        for user, source in ((answered, "the answer"), (stored, "a later get_user")):
            wrong = _differences(
                ("roles", user.roles, change.roles), ("tags", user.tags, change.tags)
            )
            if wrong:
                raise CheckFailed(f"{what} -> {response.status_code}; in {source}, {wrong}")
        return f"{what} -> {response.status_code} UserResponse with the roles and tags; get agrees"

    def check_update_user_invalid(self) -> str:
        what = self.where("PUT", "user", self.user_id) + " without accountId"
        incomplete = _without(UserRequest, roles=["conformance"])
        with self.expect_error(what, [400], BadRequestException) as evidence:
            self.api.update_user(self.user_id, self.account, incomplete)
        return evidence[0]

    def check_get_user_unknown(self) -> str:
        unknown = f"{self.missing}@example.com"
        what = self.where("GET", "user", unknown)
        with self.expect_error(what, _ABOUT_THE_ID, None) as evidence:
            self.api.get_user(self.account, unknown)
        return evidence[0]

    def check_update_user_unknown(self) -> str:
        unknown = f"{self.missing}@example.com"
        what = self.where("PUT", "user", unknown)
        with self.expect_error(what, _ABOUT_THE_ID, None) as evidence:
            self.api.update_user(unknown, self.account, UserRequest(account_id=self.account))
        return evidence[0]

    # -- across operations ---------------------------------------------------------

    def check_reads_repeat(self) -> str:
        reads: list[tuple[str, Callable[[], object]]] = [
            ("get_client_key", lambda: self.api.get_client_key(self.account, self.key_id)),
            ("get_user", lambda: self.api.get_user(self.account, self.user_id)),
            ("get_client_key_list", lambda: self._ours(self.api.get_client_key_list(self.account))),
            (
                "get_users_for_account",
                lambda: self._ours(self.api.get_users_for_account(self.account)),
            ),
        ]
        for name, read in reads:
            first, second = read(), read()
            if first != second:
                raise CheckFailed(f"{name} answered differently the second time")
        return "get_client_key, get_user and both lists (this run's entries) repeat exactly"

    def _ours(self, items: Sequence[ClientKeyObject | UserResponse]) -> list[object]:
        # Other writers may share the account: compare only this run's entries.
        return [
            item
            for item in items
            if (
                getattr(item, "client_name", None) or getattr(item, "user_id", None) or ""
            ).startswith(self.run_id)
        ]

    def check_accounts_apart(self) -> str:
        other = f"{self.account}-{self.run_id}-other"
        seen: list[str] = []
        with self.expect_error(f"GET /org/{other}/key/<key>", range(400, 500), None) as found:
            self.api.get_client_key(other, self.key_id)
        seen += found
        with self.expect_error(f"GET /org/{other}/user/<user>", range(400, 500), None) as found:
            self.api.get_user(other, self.user_id)
        seen += found
        listings: list[tuple[str, Callable[[], Sequence[ClientKeyObject | UserResponse]]]] = [
            ("keys", lambda: self.api.get_client_key_list(other)),
            ("user", lambda: self.api.get_users_for_account(other)),
        ]
        for name, listing in listings:
            try:
                items = listing()
            except ApiContractError:
                raise
            except ApiException as error:
                seen.append(f"GET /org/{other}/{name} -> {error.status}")
                continue
            if self._ours(items):
                raise CheckFailed(f"GET /org/{other}/{name} lists this run's {name}")
            seen.append(f"GET /org/{other}/{name} -> 200 without this run's")
        return "; ".join(seen)

    def check_unauthorized(self) -> str:
        if self.token is None:
            raise _Skip("no token given: the server is taken to need none")
        wrong = copy.copy(self.configuration)
        wrong.access_token = self.wrong_token
        return self._refused(wrong, "with a wrong token", "unauthorized")

    def check_no_token(self) -> str:
        if self.token is None:
            raise _Skip("no token given: the server is taken to need none")
        bare = copy.copy(self.configuration)
        bare.access_token = None
        return self._refused(bare, "without a token", "no-token")

    def _refused(self, configuration: Configuration, how: str, label: str) -> str:
        """Send all eight operations with ``configuration``; each must be a 401."""
        account, user_id = self.account, self.user_id
        key_id = self.missing
        if "key" in self.made:
            self.confirm_own_key(self.key_id, f"delete_client_key {how}")
            key_id = self.key_id
        with ApiClient(configuration) as client:
            api = IdentityApi(client)
            new_key = ClientKeyRequest(client_name=f"{self.run_id}-{label}", default_role_id="r")
            new_user = UserRequest(account_id=account, user_id=f"{self.run_id}-{label}@example.com")
            calls: list[tuple[str, Callable[[], object]]] = [
                ("create_client_key", lambda: self.create_key(api, new_key)),
                ("get_client_key_list", lambda: api.get_client_key_list(account)),
                ("get_client_key", lambda: api.get_client_key(account, key_id)),
                ("delete_client_key", lambda: api.delete_client_key(account, key_id)),
                ("create_user_for_account", lambda: self.invite(api, new_user)),
                ("get_users_for_account", lambda: api.get_users_for_account(account)),
                ("get_user", lambda: api.get_user(account, user_id)),
                (
                    "update_user",
                    lambda: api.update_user(user_id, account, UserRequest(account_id=account)),
                ),
            ]
            for name, call in calls:
                with self.expect_error(f"{name} {how}", [401], UnauthorizedException):
                    call()
        return f"all {len(calls)} operations {how} -> 401 UnauthorizedException"

    def check_delete_key(self) -> str:
        what = self.where("DELETE", "key", self.key_id)
        self.confirm_own_key(self.key_id, what)
        response = self.api.delete_client_key_with_http_info(self.account, self.key_id)
        self.made.add("deleted")
        with self.expect_error("then GET of the key", _ABOUT_THE_ID, None):
            self.api.get_client_key(self.account, self.key_id)
        listed = [
            k for k in self.api.get_client_key_list(self.account) if k.client_key_id == self.key_id
        ]
        if listed:
            raise CheckFailed(f"{what} -> {response.status_code}, yet the key is still listed")
        return (
            f"{what} -> {response.status_code} JSON string; then get is a 4xx and the list lacks it"
        )

    def check_delete_key_unknown(self) -> str:
        what = self.where("DELETE", "key", self.key_id) + " again"
        self.confirm_own_key(self.key_id, what, gone=True)
        with self.expect_error(what, _ABOUT_THE_ID, None) as evidence:
            self.api.delete_client_key(self.account, self.key_id)
        return evidence[0]


class _Skip(CheckFailed):
    """The check cannot run against this server; the message says why."""


#: What each ``Check.needs`` entry is, by the check that makes it.
_MADE_BY = {
    "key": "the key create-key makes",
    "user": "the user invite-user makes",
    "deleted": "the key delete-key deletes",
}

#: What a token is replaced with in everything the kit prints.
_MASK = "**********"


def _token(configuration: Configuration) -> str | None:
    """Return the token ``configuration`` sends, or None."""
    authorization = configuration.authorization()
    if authorization is None:
        return None
    return authorization.partition(" ")[2] or authorization


def _without(model: type[_Model], **fields: Any) -> _Model:
    """Build ``model`` without validation, so a required field can be left out on purpose."""
    return model.model_construct(**fields)


def _differences(*fields: tuple[str, object, object]) -> str:
    """Name each field whose value (found, wanted) is missing or differs; never the values."""
    wrong = [
        f"{name} is missing" if found is None else f"{name} is not what was sent"
        for name, found, wanted in fields
        if found != wanted
    ]
    return ", ".join(wrong)


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


def _documented_model(status: int) -> type[BaseModel]:
    return DOCUMENTED_ERROR_MODELS.get(status, Error)


def _statuses(statuses: Collection[int]) -> str:
    if isinstance(statuses, range):
        return f"{statuses.start // 100}xx"
    if statuses == _ABOUT_THE_ID:
        return "a 4xx about the id (not 401, 403 or 429)"
    return " or ".join(map(str, statuses))


def _describe(error: OpenApiException) -> str:
    if isinstance(error, ApiContractError):
        return (
            f"{error.status}: contract rule {error.rule!r} broken at {error.field}: {error.detail}"
        )
    if isinstance(error, ApiException):
        return (
            f"{error.status} {type(error).__name__}: {error.detail or error.message or ''}".strip()
        )
    return f"{type(error).__name__}: {error}"


def _printable(text: str) -> str:
    # Evidence quotes the server; keep its text from forging lines of the table.
    return "".join(char if char.isprintable() else " " for char in text)


# -- command line ------------------------------------------------------------------

#: The exit status of a run ended by Ctrl-C, as every subcommand's (``cli.EXIT_INTERRUPTED``).
_EXIT_INTERRUPTED = 130


def add_parser(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``conformance`` subcommand to the ``katanemo-identity`` command line."""
    parser = subcommands.add_parser(
        "conformance",
        help="run the contract checks against any Identity API server",
        description=(
            "Check that a server follows the Katanemo Identity API document: every operation "
            "in its documented outcomes. Writes only in --account, only to what the run "
            "created (keys it creates are deleted again; invited users cannot be), and exits "
            "1 if a check fails, 130 on Ctrl-C (after cleaning up and printing the report)."
        ),
    )
    parser.add_argument("--host", required=True, help="base URL of the server to check")
    parser.add_argument("--token", help="access token (else $KATANEMO_IDENTITY_TOKEN)")
    parser.add_argument("--account", required=True, help="the account to work in")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--call-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="the most one call may take, retries included (the SDK's total_timeout, 120 s)",
    )
    parser.add_argument(
        "--budget",
        type=_seconds,
        metavar="SECONDS",
        help="the most the checks may take in all; clean-up still runs after it (no limit)",
    )
    parser.set_defaults(run=run_command, writes=True)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds > 0")
    return value


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
