"""The suite: every check in the order of ``CHECKS``, then clean-up, proved by a new listing."""

from __future__ import annotations

import copy
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from katanemo_identity._conformance.access import AccessChecks
from katanemo_identity._conformance.catalog import (
    CHECKS,
    CLEAN_UP_SECONDS,
    OUT_OF_TIME,
    Check,
    CheckFailed,
)
from katanemo_identity._conformance.checking import ABOUT_THE_ID, MADE_BY, Skip, describe
from katanemo_identity._conformance.clock import Clock, Limited
from katanemo_identity._conformance.keys import KeyChecks
from katanemo_identity._conformance.report import Report, Result
from katanemo_identity._conformance.users import UserChecks
from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.api_client import ApiClient
from katanemo_identity.configuration import Configuration
from katanemo_identity.exceptions import ApiException, ApiTimeoutError, OpenApiException


class Suite(KeyChecks, UserChecks, AccessChecks):
    """Every check, and what runs them: ``run_all``, then ``clean_up``."""

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
            return Result(check, "skip", f"needs {MADE_BY[missing[0]]}, which did not pass")
        method: Callable[[], str] = getattr(self, "check_" + check.id.replace("-", "_"))
        try:
            return self.result(check, "pass", method())
        except Skip as reason:
            return self.result(check, "skip", str(reason))
        except CheckFailed as failure:
            return self.result(check, "fail", str(failure))
        except OpenApiException as error:
            evidence = describe(error)
            if isinstance(error, ApiTimeoutError) and self.clock.spent():
                evidence += f" (the run's budget of {self.clock.seconds:g} s ran out)"
            return self.result(check, "fail", evidence)

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

    def clean_up(self, configuration: Configuration, report: Report) -> Result:
        """Delete every key of the run, prove it by listing again, and fill ``left_behind``."""
        check = CHECKS[-1]
        tolerant = copy.copy(configuration)
        tolerant.strict_contract = False
        problems: list[str] = []
        deleted = left_alone = 0
        with ApiClient(tolerant) as client:
            api = Limited(IdentityApi(client), tolerant, Clock(CLEAN_UP_SECONDS))
            ours = self._listed_keys(api(), problems)
            targets = dict(ours or {})
            for key_id in dict.fromkeys(self.created_key_ids):
                if key_id in targets:
                    continue
                try:
                    name = api().get_client_key(self.account, key_id).client_name or ""
                except ApiException as error:
                    if error.status not in ABOUT_THE_ID:
                        problems.append(f"reading key {key_id}: {describe(error)}")
                    continue  # a 404: gone already, or never made
                except OpenApiException as error:
                    problems.append(f"reading key {key_id}: {describe(error)}")
                    continue
                if name.startswith(self.run_id):
                    targets[key_id] = name
                else:
                    left_alone += 1
            for key_id in targets:
                try:
                    api().delete_client_key(self.account, key_id)
                    deleted += 1
                except ApiException as error:
                    if error.status != 404:  # a 404: gone already
                        problems.append(f"deleting {key_id}: {describe(error)}")
                except OpenApiException as error:
                    problems.append(f"deleting {key_id}: {describe(error)}")
            still = self._listed_keys(api(), problems)
            users = self._listed_users(api(), problems)
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
            problems.append(f"listing keys: {describe(error)}")
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
            problems.append(f"listing users: {describe(error)}")
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


@contextmanager
def interrupts_held() -> Iterator[list[int]]:
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
