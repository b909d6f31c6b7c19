"""The everyday jobs: ``keys`` and ``users``, each a call of the public SDK, and ``connect``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.api_client import ApiClient
from katanemo_identity.cli._output import EXIT_OK, Command, Output, clean
from katanemo_identity.configuration import Configuration
from katanemo_identity.models.client_key_object import ClientKeyObject
from katanemo_identity.models.client_key_request import ClientKeyRequest
from katanemo_identity.models.user_request import UserRequest
from katanemo_identity.models.user_response import UserResponse

CREATE_KEY_NOTE = (
    "Store the client secret now: it is shown only this once and cannot be fetched again."
)


def connect(args: argparse.Namespace, *, proxy_from_env: bool = True) -> ApiClient:
    """Build an ``ApiClient`` from ``--host``, ``--token``, ``--timeout`` and ``--retries``.

    Unset options fall back as in ``Configuration``: ``$KATANEMO_IDENTITY_HOST``
    and ``$KATANEMO_IDENTITY_TOKEN``, then the SDK's defaults.

    Args:
        args: The parsed command line.
        proxy_from_env: False for the embedded server, which no proxy can reach.

    Raises:
        ApiValueError: a host, timeout or retry count the SDK refuses.
    """
    configuration = Configuration(
        host=args.host, access_token=args.token, proxy_from_env=proxy_from_env
    )
    if args.timeout is not None:
        configuration.timeout = args.timeout
    if args.retries is not None:
        configuration.retries = args.retries
    if args.debug:
        configuration.debug = True  # the logger writes to stderr when nothing else is set up
    return ApiClient(configuration)


def _with_api(action: Callable[[IdentityApi, argparse.Namespace, Output], int]) -> Command:
    def command(args: argparse.Namespace, output: Output) -> int:
        with connect(args) as client:
            return action(IdentityApi(client), args, output)

    command.__doc__ = action.__doc__
    return command


def _tags(pairs: Sequence[tuple[str, str]] | None) -> dict[str, list[str]] | None:
    if not pairs:
        return None
    tags: dict[str, list[str]] = {}
    for key, value in pairs:
        tags.setdefault(key, []).append(value)
    return tags


KEY_COLUMNS = ("KEY ID", "NAME", "ROLES", "ACTIVE", "SERVICE")


def key_row(key: ClientKeyObject) -> tuple[object, ...]:
    return (key.client_key_id, key.client_name, key.roles, key.is_active, key.service_id)


@_with_api
def keys_list(api: IdentityApi, args: argparse.Namespace, output: Output) -> int:
    """``keys list``: every client key of the account."""
    keys = api.get_client_key_list(args.account)
    output.show([key.to_dict() for key in keys], KEY_COLUMNS, [key_row(key) for key in keys])
    return EXIT_OK


@_with_api
def keys_get(api: IdentityApi, args: argparse.Namespace, output: Output) -> int:
    """``keys get KEY_ID``: one client key (never its secret)."""
    key = api.get_client_key(args.account, args.key_id)
    output.show(key.to_dict(), KEY_COLUMNS, [key_row(key)])
    return EXIT_OK


@_with_api
def keys_create(api: IdentityApi, args: argparse.Namespace, output: Output) -> int:
    """``keys create --name N --role R``: a new key, with its secret shown once."""
    created = api.create_client_key(
        args.account, ClientKeyRequest(client_name=args.name, default_role_id=args.role)
    )
    output.show(
        created.to_dict(),
        ("CLIENT ID", "CLIENT SECRET"),
        [(created.client_id, created.client_secret)],
    )
    output.note(CREATE_KEY_NOTE)
    return EXIT_OK


@_with_api
def keys_delete(api: IdentityApi, args: argparse.Namespace, output: Output) -> int:
    """``keys delete KEY_ID``: remove a client key."""
    message = api.delete_client_key(args.account, args.key_id)
    if output.as_json:
        output.json({"clientKeyId": args.key_id, "deleted": True, "message": message})
    else:
        output.say(f"Deleted key {clean(args.key_id)}.")
    return EXIT_OK


USER_COLUMNS = ("USER ID", "ROLES", "TAGS", "ADMIN", "ACTIVE")


def user_row(user: UserResponse) -> tuple[object, ...]:
    return (user.user_id, user.roles, user.tags, user.is_admin, user.is_active)


def _user_document(user: UserResponse) -> dict[str, object]:
    # A user's token is a credential: only ``users invite --json`` hands it out.
    document = user.to_dict()
    document.pop("token", None)
    return document


def _show_users(output: Output, users: Sequence[UserResponse]) -> None:
    output.show(
        [_user_document(user) for user in users], USER_COLUMNS, [user_row(user) for user in users]
    )


def _show_user(output: Output, user: UserResponse) -> None:
    output.show(_user_document(user), USER_COLUMNS, [user_row(user)])


@_with_api
def users_list(api: IdentityApi, args: argparse.Namespace, output: Output) -> int:
    """``users list``: every user of the account (tokens left out)."""
    _show_users(output, api.get_users_for_account(args.account))
    return EXIT_OK


@_with_api
def users_get(api: IdentityApi, args: argparse.Namespace, output: Output) -> int:
    """``users get EMAIL``: one user (token left out)."""
    _show_user(output, api.get_user(args.account, args.email))
    return EXIT_OK


@_with_api
def users_invite(api: IdentityApi, args: argparse.Namespace, output: Output) -> int:
    """``users invite EMAIL``: create a user; ``--json`` includes the new user's token."""
    user = api.create_user_for_account(
        args.account,
        UserRequest(
            account_id=args.account, user_id=args.email, roles=args.roles, tags=_tags(args.tags)
        ),
    )
    output.show(user.to_dict(), USER_COLUMNS, [user_row(user)])
    return EXIT_OK


@_with_api
def users_update(api: IdentityApi, args: argparse.Namespace, output: Output) -> int:
    """``users update EMAIL``: change only the roles and tags given."""
    if not args.roles and not args.tags:
        args.parser.error("nothing to update: give --role and/or --tag")
    user = api.update_user(
        args.email,
        args.account,
        UserRequest(account_id=args.account, roles=args.roles, tags=_tags(args.tags)),
    )
    _show_user(output, user)
    return EXIT_OK
