"""``demo``: all eight operations, on an embedded server unless ``--host`` is given."""

from __future__ import annotations

import argparse
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.cli._commands import (
    CREATE_KEY_NOTE,
    KEY_COLUMNS,
    USER_COLUMNS,
    connect,
    key_row,
    user_row,
)
from katanemo_identity.cli._output import EXIT_OK, Output, clean, describe_error, print_table
from katanemo_identity.exceptions import ApiException, NotFoundException
from katanemo_identity.models.client_key_request import ClientKeyRequest
from katanemo_identity.models.user_request import UserRequest

if TYPE_CHECKING:
    from katanemo_identity.testing import IdentityServer


def run_demo(args: argparse.Namespace, output: Output) -> int:
    """``demo``: all eight operations, on an embedded server unless ``--host`` is given."""
    if args.host is not None:
        with connect(args) as client:
            output.say(f"Katanemo Identity demo against {client.configuration.host}")
            walk_through(IdentityApi(client), args.account, output, suffix=secrets.token_hex(3))
        return EXIT_OK

    from katanemo_identity.testing import IdentityServer

    token = secrets.token_urlsafe(16)
    server: IdentityServer
    with IdentityServer(access_token=token) as server:
        args.host, args.token = server.url, token
        with connect(args, proxy_from_env=False) as client:
            output.say(
                f"Katanemo Identity demo against an embedded reference server at {server.url}"
            )
            walk_through(IdentityApi(client), args.account, output, suffix="")
    return EXIT_OK


def walk_through(api: IdentityApi, account: str, output: Output, *, suffix: str) -> None:
    """Call all eight operations once, in a sensible order, narrating each.

    Args:
        api: The API to call.
        account: The account to work in.
        output: Where to narrate.
        suffix: Appended to the names created, so runs against a shared
            server do not collide with earlier ones.

    Raises:
        OpenApiException: an operation failed other than in the two errors
            the demo shows on purpose.
    """
    key_name = f"ci-deploy{suffix and '-' + suffix}"
    ada = f"ada{suffix and '+' + suffix}@example.com"
    grace = f"grace{suffix and '+' + suffix}@example.com"
    say = output.say

    def show(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        print_table(output.out, columns, rows, indent="   ")

    say(f'Account "{account}"\n')

    say(f'1. create_client_key: create a key named "{key_name}" with role "deployer"')
    created = api.create_client_key(
        account, ClientKeyRequest(client_name=key_name, default_role_id="deployer")
    )
    show(("CLIENT ID", "CLIENT SECRET"), [(created.client_id, created.client_secret)])
    say(f"   {CREATE_KEY_NOTE}\n")
    key_id = created.client_id or ""

    say("2. get_client_key_list: list the account's keys (secrets are never listed)")
    show(KEY_COLUMNS, [key_row(key) for key in api.get_client_key_list(account)])
    say(f"\n3. get_client_key: fetch key {key_id}")
    show(KEY_COLUMNS, [key_row(api.get_client_key(account, key_id))])

    say(f"\n4. create_user_for_account: invite {ada} and {grace}")
    invited = [
        api.create_user_for_account(
            account, UserRequest(account_id=account, user_id=email, roles=[role])
        )
        for email, role in ((ada, "admin"), (grace, "viewer"))
    ]
    show(USER_COLUMNS, [user_row(user) for user in invited])
    say("   Each is sent an email to verify; their tokens are never shown in tables.")
    say(f"\n5. update_user: give {grace} the editor role and a team tag")
    updated = api.update_user(
        grace,
        account,
        UserRequest(account_id=account, roles=["viewer", "editor"], tags={"team": ["platform"]}),
    )
    show(USER_COLUMNS, [user_row(updated)])
    say(f"\n6. get_user: fetch {grace}")
    show(USER_COLUMNS, [user_row(api.get_user(account, grace))])
    say("\n7. get_users_for_account: list the account's users")
    show(USER_COLUMNS, [user_row(user) for user in api.get_users_for_account(account)])

    say(f"\n8. delete_client_key: delete key {key_id}")
    say(f"   {clean(api.delete_client_key(account, key_id))}")

    say(f"\nTyped errors: get_client_key on the deleted key {key_id}")
    try:
        api.get_client_key(account, key_id)
    except NotFoundException as error:
        say(f"   {type(error).__name__}: {describe_error(error)}")
    say(f"Typed errors: create_user_for_account for {ada} again")
    try:
        api.create_user_for_account(account, UserRequest(account_id=account, user_id=ada))
    except ApiException as error:
        say(f"   {type(error).__name__}: {describe_error(error)}")
    say("\nDone: all eight operations ran.")
