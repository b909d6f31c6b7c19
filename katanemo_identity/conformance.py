"""The conformance kit: contract checks of any Katanemo Identity API server.

::

    katanemo-identity conformance --host URL [--token T] --account A [--json]

    KATANEMO_IDENTITY_HOST=URL KATANEMO_IDENTITY_ACCOUNT=A \\
        pytest --pyargs katanemo_identity.testing.conformance_tests

    report = katanemo_identity.conformance.run(Configuration(host=URL), "A")

``run`` drives a server through this SDK's public surface only, with the
client in strict contract mode, and checks each documented outcome of every
operation (``CHECKS``): successes, the documented error statuses with their
error-body models, reads that repeat, accounts kept apart. It writes only in
the account it is given, under names that start with ``conformance-<run id>``,
and deletes every key it created, even when a check fails or the run is
interrupted. Invited users cannot be removed (the API has no operation for
it); the report names them. See ``docs/conformance.md``.
"""

from __future__ import annotations

import argparse
import copy
import json
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel

from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.api_client import ApiClient
from katanemo_identity.configuration import Configuration
from katanemo_identity.exceptions import (
    ApiContractError,
    ApiException,
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
    Check("get-key-unknown", "get_client_key of an unknown id is a 4xx with the documented body"),
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
    Check("get-user-unknown", "get_user of an unknown userId is a 4xx with the documented body"),
    Check(
        "update-user-unknown", "update_user of an unknown userId is a 4xx with the documented body"
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
    Check(
        "delete-key", "delete_client_key answers 200 with a JSON string; the key is gone", ("key",)
    ),
    Check(
        "delete-key-unknown",
        "deleting a deleted key is a 4xx with the documented body",
        ("deleted",),
    ),
    Check("clean-up", "every key the run created is deleted again"),
)


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
        results: One per check of ``CHECKS``, in order.
        left_behind: What the run created and could not remove (invited users).
    """

    host: str
    account: str
    run_id: str
    results: list[Result] = field(default_factory=list)
    left_behind: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no check failed."""
        return all(result.outcome != "fail" for result in self.results)

    def result(self, check_id: str) -> Result:
        """Return the result of the check named ``check_id``.

        Raises:
            KeyError: no such check.
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
        lines.append(
            f"{self.host}, account {self.account}: {counts['pass']} passed, "
            f"{counts['fail']} failed, {counts['skip']} skipped."
        )
        if self.left_behind:
            lines.append(
                "Left in the account (the API cannot delete users): "
                + ", ".join(_printable(item) for item in self.left_behind)
            )
        return "\n".join(lines)


class CheckFailed(Exception):
    """A check's expectation was not met; the message is the evidence."""


def run(configuration: Configuration, account: str) -> Report:
    """Run every check of ``CHECKS`` against the server ``configuration`` points at.

    The checks use a copy of ``configuration`` with ``strict_contract`` on
    and retries off, so every answer is judged as sent. Keys created are
    deleted at the end (by a tolerant client with the configured retries),
    whatever happened before.

    Args:
        configuration: Where the server is, and its token. With a token, the
            ``unauthorized`` check runs; without, it is skipped.
        account: The account to work in; nothing is written anywhere else.

    Returns:
        The report; ``report.passed`` tells whether every check passed.

    Raises:
        ValueError: ``account`` is empty.
    """
    if not account:
        raise ValueError("account must name the account the checks may write in")
    run_id = f"conformance-{secrets.token_hex(4)}"
    report = Report(configuration.host, account, run_id)
    strict = copy.copy(configuration)
    strict.strict_contract = True
    strict.retries = 0
    with ApiClient(strict) as client:
        suite = _Suite(IdentityApi(client), account, run_id, strict)
        try:
            suite.run_all(report)
        finally:
            report.results.append(suite.clean_up(configuration, report))
    return report


class _Suite:
    """The checks, and the state they share (the key and user they made)."""

    def __init__(
        self, api: IdentityApi, account: str, run_id: str, configuration: Configuration
    ) -> None:
        self.api = api
        self.account = account
        self.run_id = run_id
        self.configuration = configuration
        self.key_name = f"{run_id}-key"
        self.user_id = f"{run_id}-ada@example.com"
        self.missing = f"{run_id}-missing"
        self.made: set[str] = set()  # "key", "user", "deleted"
        self.key_id = ""
        self.created_key_ids: list[str] = []
        self.deleted_key_ids: set[str] = set()

    # -- running -----------------------------------------------------------

    def run_all(self, report: Report) -> None:
        for check in CHECKS:
            if check.id == "clean-up":
                continue
            report.results.append(self.run_one(check))

    def run_one(self, check: Check) -> Result:
        missing = [need for need in check.needs if need not in self.made]
        if missing:
            return Result(check, "skip", f"needs {_MADE_BY[missing[0]]}, which did not pass")
        method: Callable[[], str] = getattr(self, "check_" + check.id.replace("-", "_"))
        try:
            return Result(check, "pass", method())
        except _Skip as reason:
            return Result(check, "skip", str(reason))
        except CheckFailed as failure:
            return Result(check, "fail", str(failure))
        except OpenApiException as error:
            return Result(check, "fail", _describe(error))

    def clean_up(self, configuration: Configuration, report: Report) -> Result:
        """Delete every key the run created; name the users it could not remove."""
        check = CHECKS[-1]
        tolerant = copy.copy(configuration)
        tolerant.strict_contract = False
        deleted: list[str] = []
        problems: list[str] = []
        with ApiClient(tolerant) as client:
            api = IdentityApi(client)
            ids = list(self.created_key_ids)
            try:
                ids += [
                    key.client_key_id
                    for key in api.get_client_key_list(self.account)
                    if key.client_key_id and (key.client_name or "").startswith(self.run_id)
                ]
            except OpenApiException as error:
                problems.append(f"listing keys: {_describe(error)}")
            for key_id in dict.fromkeys(ids):
                if key_id in self.deleted_key_ids:
                    continue
                try:
                    api.delete_client_key(self.account, key_id)
                    deleted.append(key_id)
                except ApiException as error:
                    if error.status != 404:  # a 404: it was never made, or is gone already
                        problems.append(f"deleting {key_id}: {_describe(error)}")
                except OpenApiException as error:
                    problems.append(f"deleting {key_id}: {_describe(error)}")
            try:
                report.left_behind = [
                    user.user_id
                    for user in api.get_users_for_account(self.account)
                    if user.user_id and user.user_id.startswith(self.run_id)
                ]
            except OpenApiException as error:
                problems.append(f"listing users: {_describe(error)}")
        if problems:
            return Result(check, "fail", "; ".join(problems))
        return Result(
            check,
            "pass",
            f"{len(self.deleted_key_ids) + len(deleted)} key(s) of this run deleted; "
            f"{len(report.left_behind)} invited user(s) remain",
        )

    # -- helpers -------------------------------------------------------------

    def where(self, method: str, *segments: str) -> str:
        return f"{method} /org/{self.account}/" + "/".join(segments)

    @contextmanager
    def expect_error(
        self, what: str, statuses: Sequence[int] | range, model: type[BaseModel] | None
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

    # -- client keys ---------------------------------------------------------

    def check_create_key(self) -> str:
        what = self.where("POST", "keys")
        response = self.api.create_client_key_with_http_info(
            self.account, ClientKeyRequest(client_name=self.key_name, default_role_id="reader")
        )
        created = response.data
        if created.client_id:
            self.created_key_ids.append(created.client_id)
        if not created.client_id or not created.client_secret:
            raise CheckFailed(f"{what} -> {response.status_code} without clientId and clientSecret")
        self.key_id = created.client_id
        self.made.add("key")
        return f"{what} -> {response.status_code} ClientKeyResponse with clientId, clientSecret"

    def check_create_key_invalid(self) -> str:
        what = self.where("POST", "keys") + " without defaultRoleId"
        incomplete = _without(ClientKeyRequest, client_name=f"{self.run_id}-invalid")
        with self.expect_error(what, [400], BadRequestException) as evidence:
            self._keep(self.api.create_client_key(self.account, incomplete))
        return evidence[0]

    def check_create_key_duplicate(self) -> str:
        what = self.where("POST", "keys") + " with the same clientName"
        again = ClientKeyRequest(client_name=self.key_name, default_role_id="reader")
        with self.expect_error(what, [409], ConflictException) as evidence:
            self._keep(self.api.create_client_key(self.account, again))
        return evidence[0]

    def _keep(self, created: object) -> None:
        # A server that wrongly accepts a bad create has made a key: delete it later.
        key_id = getattr(created, "client_id", None)
        if isinstance(key_id, str) and key_id:
            self.created_key_ids.append(key_id)

    def check_get_key(self) -> str:
        what = self.where("GET", "key", self.key_id)
        response = self.api.get_client_key_with_http_info(self.account, self.key_id)
        key = response.data
        found = (key.client_key_id, key.client_name, key.account_id)
        wanted = (self.key_id, self.key_name, self.account)
        if found != wanted:
            raise CheckFailed(
                f"{what} -> (clientKeyId, clientName, accountId) {found}, not {wanted}"
            )
        return f"{what} -> {response.status_code} ClientKeyObject of the key"

    def check_list_keys(self) -> str:
        what = self.where("GET", "keys")
        response = self.api.get_client_key_list_with_http_info(self.account)
        ours = [key for key in response.data if key.client_key_id == self.key_id]
        if len(ours) != 1 or ours[0].client_name != self.key_name:
            raise CheckFailed(f"{what} -> the new key listed {len(ours)} time(s)")
        return f"{what} -> {response.status_code} list of {len(response.data)}, the new key once"

    def check_get_key_unknown(self) -> str:
        what = self.where("GET", "key", self.missing)
        with self.expect_error(what, range(400, 500), None) as evidence:
            self.api.get_client_key(self.account, self.missing)
        return evidence[0]

    # -- users ---------------------------------------------------------------

    def check_invite_user(self) -> str:
        what = self.where("POST", "user")
        response = self.api.create_user_for_account_with_http_info(
            self.account, UserRequest(account_id=self.account, user_id=self.user_id)
        )
        user = response.data
        self.made.add("user")
        if (user.account_id, user.user_id) != (self.account, self.user_id):
            raise CheckFailed(
                f"{what} -> (accountId, userId) {(user.account_id, user.user_id)}, "
                f"not {(self.account, self.user_id)}"
            )
        return f"{what} -> {response.status_code} UserResponse of the user"

    def check_invite_invalid(self) -> str:
        what = self.where("POST", "user") + " without accountId"
        incomplete = _without(UserRequest, user_id=f"{self.run_id}-invalid@example.com")
        with self.expect_error(what, [400], BadRequestException) as evidence:
            self.api.create_user_for_account(self.account, incomplete)
        return evidence[0]

    def check_invite_duplicate(self) -> str:
        what = self.where("POST", "user") + " with the same userId"
        with self.expect_error(what, [409], ConflictException) as evidence:
            self.api.create_user_for_account(
                self.account, UserRequest(account_id=self.account, user_id=self.user_id)
            )
        return evidence[0]

    def check_get_user(self) -> str:
        what = self.where("GET", "user", self.user_id)
        response = self.api.get_user_with_http_info(self.account, self.user_id)
        user = response.data
        if (user.account_id, user.user_id) != (self.account, self.user_id):
            raise CheckFailed(f"{what} -> (accountId, userId) {(user.account_id, user.user_id)}")
        return f"{what} -> {response.status_code} UserResponse of the user"

    def check_list_users(self) -> str:
        what = self.where("GET", "user")
        response = self.api.get_users_for_account_with_http_info(self.account)
        ours = [user for user in response.data if user.user_id == self.user_id]
        if len(ours) != 1:
            raise CheckFailed(f"{what} -> the user listed {len(ours)} time(s)")
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
            if (user.roles, user.tags) != (change.roles, change.tags):
                raise CheckFailed(f"{what}: {source} has roles/tags {(user.roles, user.tags)}")
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
        with self.expect_error(what, range(400, 500), None) as evidence:
            self.api.get_user(self.account, unknown)
        return evidence[0]

    def check_update_user_unknown(self) -> str:
        unknown = f"{self.missing}@example.com"
        what = self.where("PUT", "user", unknown)
        with self.expect_error(what, range(400, 500), None) as evidence:
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
        if self.configuration.authorization() is None:
            raise _Skip("no token given: the server is taken to need none")
        wrong = copy.copy(self.configuration)
        wrong.access_token = "conformance-wrong-token-" + secrets.token_hex(8)
        outcomes: list[str] = []
        with ApiClient(wrong) as client:
            api = IdentityApi(client)
            account, key_id, user_id = self.account, self.key_id or self.missing, self.user_id
            user = UserRequest(
                account_id=account, user_id=f"{self.run_id}-unauthorized@example.com"
            )
            calls: list[tuple[str, Callable[[], object]]] = [
                (
                    "create_client_key",
                    lambda: self._keep(
                        api.create_client_key(
                            account,
                            ClientKeyRequest(
                                client_name=f"{self.run_id}-unauthorized", default_role_id="r"
                            ),
                        )
                    ),
                ),
                ("get_client_key_list", lambda: api.get_client_key_list(account)),
                ("get_client_key", lambda: api.get_client_key(account, key_id)),
                ("delete_client_key", lambda: api.delete_client_key(account, key_id)),
                ("create_user_for_account", lambda: api.create_user_for_account(account, user)),
                ("get_users_for_account", lambda: api.get_users_for_account(account)),
                ("get_user", lambda: api.get_user(account, user_id)),
                (
                    "update_user",
                    lambda: api.update_user(user_id, account, UserRequest(account_id=account)),
                ),
            ]
            for name, call in calls:
                with self.expect_error(name, [401], UnauthorizedException):
                    call()
                outcomes.append(name)
        return f"all {len(outcomes)} operations with a wrong token -> 401 UnauthorizedException"

    def check_delete_key(self) -> str:
        what = self.where("DELETE", "key", self.key_id)
        response = self.api.delete_client_key_with_http_info(self.account, self.key_id)
        self.deleted_key_ids.add(self.key_id)
        self.made.add("deleted")
        with self.expect_error("then GET of the key", range(400, 500), None):
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
        with self.expect_error(what, range(400, 500), None) as evidence:
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


def _without(model: type[_Model], **fields: Any) -> _Model:
    """Build ``model`` without validation, so a required field can be left out on purpose."""
    return model.model_construct(**fields)


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


def _statuses(statuses: Sequence[int] | range) -> str:
    if isinstance(statuses, range):
        return f"{statuses.start // 100}xx"
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


def add_parser(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``conformance`` subcommand to the ``katanemo-identity`` command line."""
    from katanemo_identity.cli._arguments import add_conformance

    add_conformance(subcommands)


def run_command(args: argparse.Namespace, output: _Output) -> int:
    """``conformance``: run the suite, print the report, return 0 if every check passed else 1."""
    report = run(Configuration(host=args.host, access_token=args.token), args.account)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False), file=output.out)
    else:
        print(report.table(), file=output.out)
    output.out.flush()
    return 0 if report.passed else 1


if TYPE_CHECKING:
    from typing import Protocol, TextIO

    class _Output(Protocol):
        out: TextIO
