"""What every check shares: the suite's state, and how evidence is gathered and worded.

Evidence names statuses, models and fields, never the values of fields, and
``Checks.result`` masks the kit's own tokens in it, whatever a server echoes.
Before a write to an existing key, a check calls ``confirm_own_key``.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import BaseModel

from katanemo_identity._conformance.catalog import (
    DOCUMENTED_ERROR_MODELS,
    Check,
    CheckFailed,
    Outcome,
)
from katanemo_identity._conformance.clock import Limited
from katanemo_identity._conformance.report import Result
from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.configuration import Configuration
from katanemo_identity.exceptions import ApiContractError, ApiException, OpenApiException
from katanemo_identity.models.client_key_request import ClientKeyRequest
from katanemo_identity.models.error import Error
from katanemo_identity.models.user_request import UserRequest

_Model = TypeVar("_Model", bound=BaseModel)

#: The statuses that answer about the id a request names: every 4xx but
#: 401, 403 and 429, which a server sends without looking the id up.
ABOUT_THE_ID: frozenset[int] = frozenset(range(400, 500)) - {401, 403, 429}


class Checks:
    """The state the checks share (the key and user they made), and their helpers."""

    def __init__(self, api: Limited, account: str, run_id: str) -> None:
        #: ``self.api().get_user(...)``: each call limited to what is left of the budget.
        self.api = api
        self.account = account
        self.run_id = run_id
        self.configuration = api.configuration
        self.clock = api.clock
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
        self.token = token_of(self.configuration)
        self.wrong_token = "conformance-wrong-token-" + secrets.token_hex(8)

    def result(self, check: Check, outcome: Outcome, evidence: str) -> Result:
        return Result(check, outcome, self.mask(evidence))

    def mask(self, text: str) -> str:
        """Hide the kit's tokens in ``text``: a server may echo them back."""
        for secret in (self.token, self.wrong_token):
            if secret:
                # Only where it stands alone, as a token is sent: a short
                # token ("t") must not mask every letter of the evidence.
                pattern = f"(?<!{_BEARER_CHARACTER}){re.escape(secret)}(?!{_BEARER_CHARACTER}|=)"
                text = re.sub(pattern, MASK, text)
        return text

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
            names.append(self.api().get_client_key(self.account, key_id).client_name)
        with contextlib.suppress(OpenApiException):
            names += [
                key.client_name
                for key in self.api().get_client_key_list(self.account)
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
        expected = named_statuses(statuses)
        try:
            yield evidence
        except ApiContractError:
            raise
        except ApiException as error:
            status = error.status or 0
            if status not in statuses:
                raise CheckFailed(f"{what} -> {status}, expected {expected}") from None
            wanted = model or documented_model(status)
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


class Skip(CheckFailed):
    """The check cannot run against this server; the message says why."""


#: What each ``Check.needs`` entry is, by the check that makes it.
MADE_BY = {
    "key": "the key create-key makes",
    "user": "the user invite-user makes",
    "deleted": "the key delete-key deletes",
}

#: What a token is replaced with in everything the kit prints.
MASK = "**********"

#: A character a bearer token may hold (RFC 7235 ``token68``; ``=`` only as its end's padding).
_BEARER_CHARACTER = r"[A-Za-z0-9\-._~+/]"


def token_of(configuration: Configuration) -> str | None:
    """Return the token ``configuration`` sends, or None."""
    authorization = configuration.authorization()
    if authorization is None:
        return None
    return authorization.partition(" ")[2] or authorization


def without(model: type[_Model], **fields: Any) -> _Model:
    """Build ``model`` without validation, so a required field can be left out on purpose."""
    return model.model_construct(**fields)


def as_sent(failure: str, *fields: tuple[str, object, object]) -> None:
    """Fail the check unless each field's value (found, wanted) is the one wanted.

    Raises:
        CheckFailed: ``failure``, then each field missing or different, by name
            only: evidence never carries a value.
    """
    wrong = [
        f"{name} is missing" if found is None else f"{name} is not what was sent"
        for name, found, wanted in fields
        if found != wanted
    ]
    if wrong:
        raise CheckFailed(failure + ", ".join(wrong))


def documented_model(status: int) -> type[BaseModel]:
    return DOCUMENTED_ERROR_MODELS.get(status, Error)


def named_statuses(statuses: Collection[int]) -> str:
    if isinstance(statuses, range):
        return f"{statuses.start // 100}xx"
    if statuses == ABOUT_THE_ID:
        return "a 4xx about the id (not 401, 403 or 429)"
    return " or ".join(map(str, statuses))


def describe(error: OpenApiException) -> str:
    if isinstance(error, ApiContractError):
        return (
            f"{error.status}: contract rule {error.rule!r} broken at {error.field}: {error.detail}"
        )
    if isinstance(error, ApiException):
        return (
            f"{error.status} {type(error).__name__}: {error.detail or error.message or ''}".strip()
        )
    return f"{type(error).__name__}: {error}"
