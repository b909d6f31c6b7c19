"""What the kit checks: ``CHECKS``, each a ``Check``, and the document's error models.

The public names here are ``katanemo_identity.conformance``'s, and say so in
their ``__module__``; this module is below the checks that use them, so that
nothing in the kit imports its own public face.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from katanemo_identity.models.bad_request_exception import BadRequestException
from katanemo_identity.models.conflict_exception import ConflictException
from katanemo_identity.models.internal_server_error_exception import (
    InternalServerErrorException,
)
from katanemo_identity.models.too_many_requests_exception import TooManyRequestsException
from katanemo_identity.models.unauthorized_exception import UnauthorizedException

#: Where users import the public names of the kit from.
PUBLIC_MODULE = "katanemo_identity.conformance"

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


class CheckFailed(Exception):
    """A check's expectation was not met; the message is the evidence."""


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


Check.__module__ = CheckFailed.__module__ = PUBLIC_MODULE
