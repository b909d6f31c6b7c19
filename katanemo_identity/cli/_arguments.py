"""The command line's grammar: the parser of every subcommand, and the checks argparse cannot do."""

from __future__ import annotations

import argparse
import math
import os
import sys
from typing import NoReturn, cast

from katanemo_identity import conformance
from katanemo_identity.cli._commands import (
    keys_create,
    keys_delete,
    keys_get,
    keys_list,
    users_get,
    users_invite,
    users_list,
    users_update,
)
from katanemo_identity.cli._demo import run_demo
from katanemo_identity.cli._output import ACCOUNT_ENV, PROG, Command, UsageError
from katanemo_identity.cli._serve import run_serve
from katanemo_identity.configuration import HOST_ENV, TOKEN_ENV, __version__, validate_host
from katanemo_identity.exceptions import ApiValueError


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (``UsageError``), not usage and exit."""

    def error(self, message: str) -> NoReturn:
        """Raise ``UsageError`` for ``message``; ``main`` prints it as one line."""
        raise UsageError(message, self.prog)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the whole command line.

    ``--account`` defaults to ``$KATANEMO_IDENTITY_ACCOUNT``, read now, so
    build a new parser for each run.
    """
    parser = Parser(
        prog=PROG, description="Manage the users and client keys of a Katanemo Identity account."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the reference server in the foreground")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (127.0.0.1; ::1 for IPv6)"
    )
    serve.add_argument(
        "--port", type=int, default=8080, help="port to listen on, 0 to 65535; 0 picks a free one"
    )
    token = serve.add_mutually_exclusive_group()
    token.add_argument("--token", help="require 'Authorization: Bearer TOKEN' on every request")
    token.add_argument(
        "--token-file", metavar="PATH", help="read --token from this file ('-': standard input)"
    )
    serve.add_argument("--db", metavar="PATH", help="keep state in this SQLite file")
    serve.set_defaults(run=run_serve, writes=False, parser=serve)

    connection = _connection_options()
    demo = commands.add_parser(
        "demo",
        parents=[connection],
        help="walk through all eight operations (on an embedded server unless --host is given)",
        description=(
            "Walk through all eight operations of the API. Runs on an embedded reference "
            f"server unless --host is given (${HOST_ENV} is not read: the demo writes to the "
            "account it runs in, so it leaves the machine only when asked to)."
        ),
    )
    demo.add_argument(
        "--account",
        default=os.environ.get(ACCOUNT_ENV) or "demo",
        help=f"the account to work in (${ACCOUNT_ENV}, else demo)",
    )
    demo.set_defaults(run=run_demo, writes=True, parser=demo)

    both = (connection, _account_options())
    keys = commands.add_parser("keys", help="list, get, create or delete client keys")
    key_actions = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    _add(key_actions, "list", "list the account's client keys", keys_list, *both)
    get_key = _add(key_actions, "get", "show one client key", keys_get, *both)
    get_key.add_argument("key_id", metavar="KEY_ID")
    create_key = _add(
        key_actions,
        "create",
        "create a key; its secret is shown once",
        keys_create,
        *both,
        writes=True,
    )
    create_key.add_argument("--name", required=True, help="the key's name, unique in the account")
    create_key.add_argument("--role", required=True, help="the role the key acts with")
    delete_key = _add(key_actions, "delete", "delete a client key", keys_delete, *both, writes=True)
    delete_key.add_argument("key_id", metavar="KEY_ID")

    users = commands.add_parser("users", help="list, get, invite or update users")
    user_actions = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    _add(user_actions, "list", "list the account's users", users_list, *both)
    get_user = _add(user_actions, "get", "show one user", users_get, *both)
    get_user.add_argument("email", metavar="EMAIL")
    invite = _add(
        user_actions, "invite", "invite a user by email", users_invite, *both, writes=True
    )
    invite.add_argument("email", metavar="EMAIL")
    _user_fields(invite)
    update = _add(
        user_actions,
        "update",
        "change only the roles/tags given",
        users_update,
        *both,
        writes=True,
    )
    update.add_argument("email", metavar="EMAIL")
    _user_fields(update)
    # conformance.add_parser is typed for plain parsers; at run time its parser is a Parser too.
    conformance.add_parser(cast("argparse._SubParsersAction[argparse.ArgumentParser]", commands))
    return parser


def _connection_options() -> Parser:
    options = Parser(add_help=False)
    group = options.add_argument_group("connection")
    group.add_argument("--host", help=f"base URL of the API (${HOST_ENV}, else the public API)")
    token = group.add_mutually_exclusive_group()
    token.add_argument("--token", help=f"access token (${TOKEN_ENV}); see also --token-file")
    token.add_argument(
        "--token-file",
        metavar="PATH",
        help="read the access token from this file ('-': standard input), "
        "so it stays out of ps and shell history",
    )
    group.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="connect and read timeout (10 s, 60 s)"
    )
    group.add_argument(
        "--retries", type=int, metavar="N", help="retries of a failed request (2; 0 disables)"
    )
    group.add_argument(
        "--debug",
        action="store_true",
        help="log each request and response on stderr, secrets masked",
    )
    return options


def _account_options() -> Parser:
    options = Parser(add_help=False)
    from_env = os.environ.get(ACCOUNT_ENV) or None
    options.add_argument(
        "--account",
        default=from_env,
        required=from_env is None,
        help=f"the account (organization) id (${ACCOUNT_ENV})",
    )
    options.add_argument("--json", action="store_true", help="print JSON for scripts")
    return options


def _add(
    actions: argparse._SubParsersAction[Parser],
    name: str,
    help_text: str,
    run: Command,
    *parents: Parser,
    writes: bool = False,
) -> argparse.ArgumentParser:
    action = actions.add_parser(name, help=help_text, parents=list(parents))
    action.set_defaults(run=run, parser=action, writes=writes)
    return action


def _user_fields(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role", dest="roles", action="append", metavar="ROLE", help="a role id; repeat for more"
    )
    parser.add_argument(
        "--tag",
        dest="tags",
        action="append",
        type=_tag,
        metavar="KEY=VALUE",
        help="a tag; repeat the key for more values",
    )


#: Each argument that must not be empty, by its ``dest``, and how the command line names it.
_NAMED = {
    "account": "--account",
    "token": "--token",
    "name": "--name",
    "role": "--role",
    "roles": "--role",
    "key_id": "KEY_ID",
    "email": "EMAIL",
    "host": "--host",
}


def check_arguments(args: argparse.Namespace) -> None:
    """Check what argparse cannot, and read ``--token-file``; say what is wrong in CLI words.

    Raises:
        UsageError: an empty value, a port out of range, a timeout or retry
            count the SDK would refuse, a ``--host`` that is not a URL, or a
            ``--token-file`` that cannot be read or is empty.
    """
    parser = getattr(args, "parser", None)
    where = parser.prog if parser is not None else f"{PROG} {args.command}"
    if getattr(args, "token_file", None) is not None:
        args.token = read_token_file(args.token_file, where)
    for dest, named in _NAMED.items():
        value = getattr(args, dest, None)
        values = value if isinstance(value, list) else [value]
        if any(item == "" for item in values):
            raise UsageError(f"{named} must not be empty", where)
    port = getattr(args, "port", None)
    if port is not None and not 0 <= port <= 65535:
        raise UsageError(f"--port must be a whole number from 0 to 65535, not {port}", where)
    timeout = getattr(args, "timeout", None)
    if timeout is not None and not 0 < timeout < math.inf:
        raise UsageError(f"--timeout must be a number of seconds > 0, not {timeout:g}", where)
    retries = getattr(args, "retries", None)
    if retries is not None and retries < 0:
        raise UsageError(f"--retries must be a whole number >= 0, not {retries}", where)
    if args.run is not run_serve and getattr(args, "host", None) is not None:
        try:
            validate_host(args.host)
        except ApiValueError as error:
            raise UsageError("--" + str(error), where) from None


def read_token_file(path: str, where: str = PROG) -> str:
    """Return the token in ``path`` (``-``: standard input), without surrounding whitespace.

    Raises:
        UsageError: the file cannot be read, or holds nothing but whitespace.
    """
    shown = "standard input" if path == "-" else path
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as file:
                text = file.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise UsageError(f"--token-file: cannot read {shown}: {reason}", where) from None
    token = text.strip()
    if not token:
        raise UsageError(f"--token-file: {shown} holds no token", where)
    return token


def _tag(text: str) -> tuple[str, str]:
    key, separator, value = text.partition("=")
    if not separator or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key, value
