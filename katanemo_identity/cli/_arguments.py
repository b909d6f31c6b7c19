"""The command line's grammar: the parser of every subcommand, and the checks argparse cannot do.

Nothing here imports the SDK: ``--help``, ``--version`` and a usage error cost
only argparse, and each subcommand imports what it uses when it runs
(``_command``).
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import sys
from typing import NoReturn, cast

from katanemo_identity._version import __version__
from katanemo_identity.cli._output import (
    ACCOUNT_ENV,
    HOST_ENV,
    PROG,
    TOKEN_ENV,
    Command,
    Output,
    UsageError,
)


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

    serve = commands.add_parser(
        "serve",
        help="run the reference server in the foreground",
        description=(
            "Run the reference server (katanemo_identity.testing.IdentityServer) in the "
            "foreground until Ctrl-C or SIGTERM: all eight operations over real HTTP, with the "
            "state in memory unless --db is given."
        ),
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default %(default)s; ::1 or [::1] for IPv6)",
    )
    serve.add_argument(
        "--port",
        default="8080",
        help="port to listen on, 0 to 65535 (default %(default)s); 0 picks a free one",
    )
    token = serve.add_mutually_exclusive_group()
    token.add_argument("--token", help="require 'Authorization: Bearer TOKEN' on every request")
    token.add_argument(
        "--token-file", metavar="PATH", help="read --token from this file ('-': standard input)"
    )
    serve.add_argument(
        "--db", metavar="PATH", help="keep state in this SQLite file (default: in memory)"
    )
    serve.set_defaults(run=_command("_serve", "run_serve"), writes=False, parser=serve)

    demo = commands.add_parser(
        "demo",
        parents=[
            _connection_options(
                host_help="base URL of a server to run on (default: an embedded one)"
            )
        ],
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
    demo.set_defaults(run=_command("_demo", "run_demo"), writes=True, parser=demo)

    both = (_connection_options(), _account_options())
    actions = {
        group: commands.add_parser(group, help=help_text).add_subparsers(
            dest="action", required=True, metavar="ACTION"
        )
        for group, help_text in (
            ("keys", "list, get, create or delete client keys"),
            ("users", "list, get, invite or update users"),
        )
    }
    added: dict[tuple[str, str], argparse.ArgumentParser] = {}
    for group, action, help_text, positional, writes in _ACTIONS:
        added[group, action] = _add(
            actions[group], action, help_text, f"{group}_{action}", *both, writes=writes
        )
        if positional is not None:
            added[group, action].add_argument(positional, metavar=positional.upper())
    added["keys", "create"].add_argument(
        "--name", required=True, help="the key's name, unique in the account"
    )
    added["keys", "create"].add_argument("--role", required=True, help="the role the key acts with")
    _user_fields(added["users", "invite"])
    _user_fields(added["users", "update"])
    # add_conformance is typed for plain parsers, as conformance.add_parser is; here it gets a Parser.
    add_conformance(cast("argparse._SubParsersAction[argparse.ArgumentParser]", commands))
    return parser


#: The actions of ``keys`` and ``users``, in the order ``--help`` lists them:
#: (group, action, help, the positional argument's dest or None, whether it writes).
_ACTIONS: tuple[tuple[str, str, str, str | None, bool], ...] = (
    ("keys", "list", "list the account's client keys", None, False),
    ("keys", "get", "show one client key", "key_id", False),
    ("keys", "create", "create a key; its secret is shown once", None, True),
    ("keys", "delete", "delete a client key", "key_id", True),
    ("users", "list", "list the account's users", None, False),
    ("users", "get", "show one user", "email", False),
    ("users", "invite", "invite a user by email", "email", True),
    ("users", "update", "change only the roles/tags given", "email", True),
)


def add_conformance(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``conformance`` subcommand (``katanemo_identity.conformance.add_parser``)."""
    parser = commands.add_parser(
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
    parser.add_argument("--token", help=f"access token (else ${TOKEN_ENV})")
    parser.add_argument("--account", required=True, help="the account to work in")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--call-timeout",
        metavar="SECONDS",
        help="the most one call may take, retries included (the SDK's total_timeout, 120 s)",
    )
    parser.add_argument(
        "--budget",
        metavar="SECONDS",
        help="the most the checks may take in all; clean-up still runs after it (no limit)",
    )
    parser.set_defaults(run=_command("katanemo_identity.conformance", "run_command"), writes=True)


def _command(module: str, name: str) -> Command:
    """The command ``name`` of ``module`` (a sibling of this one, or a full name), imported to run.

    So that each subcommand imports only what it uses, and ``--help`` nothing.
    """
    full_name = module if "." in module else f"{__package__}.{module}"

    def command(args: argparse.Namespace, output: Output) -> int:
        run: Command = getattr(importlib.import_module(full_name), name)
        return run(args, output)

    command.__qualname__ = command.__name__ = name
    return command


def _connection_options(
    host_help: str = f"base URL of the API (${HOST_ENV}, else the public API)",
) -> Parser:
    options = Parser(add_help=False)
    group = options.add_argument_group("connection")
    group.add_argument("--host", help=host_help)
    token = group.add_mutually_exclusive_group()
    token.add_argument("--token", help=f"access token (${TOKEN_ENV}); see also --token-file")
    token.add_argument(
        "--token-file",
        metavar="PATH",
        help="read the access token from this file ('-': standard input), "
        "so it stays out of ps and shell history",
    )
    group.add_argument("--timeout", metavar="SECONDS", help="connect and read timeout (10 s, 60 s)")
    group.add_argument("--retries", metavar="N", help="retries of a failed request (2; 0 disables)")
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
    run: str,
    *parents: Parser,
    writes: bool = False,
) -> argparse.ArgumentParser:
    action = actions.add_parser(name, help=help_text, parents=list(parents))
    action.set_defaults(run=_command("_commands", run), parser=action, writes=writes)
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

    Converts ``--port``, ``--retries`` and the seconds of ``--timeout``,
    ``--call-timeout`` and ``--budget`` to numbers here, not
    in argparse, so that a value that is no number is told in the same words
    as one out of range.

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
    if getattr(args, "port", None) is not None:
        port = _number(int, args.port)
        if port is None or not 0 <= port <= 65535:
            raise UsageError(
                f"--port must be a whole number from 0 to 65535, not {args.port}", where
            )
        args.port = port
    for dest in ("timeout", "call_timeout", "budget"):
        if getattr(args, dest, None) is not None:
            seconds = _number(float, getattr(args, dest))
            if seconds is None or not 0 < seconds < math.inf:
                named = "--" + dest.replace("_", "-")
                raise UsageError(
                    f"{named} must be a number of seconds > 0, not {getattr(args, dest)}", where
                )
            setattr(args, dest, seconds)
    if getattr(args, "retries", None) is not None:
        retries = _number(int, args.retries)
        if retries is None or retries < 0:
            raise UsageError(f"--retries must be a whole number >= 0, not {args.retries}", where)
        args.retries = retries
    if args.command != "serve" and getattr(args, "host", None) is not None:
        from katanemo_identity.configuration import validate_host
        from katanemo_identity.exceptions import ApiValueError

        try:
            validate_host(args.host)
        except ApiValueError as error:
            raise UsageError("--" + str(error), where) from None


def _number(kind: type[int] | type[float], text: str) -> int | float | None:
    # int() and float() also take other scripts' digits and underscores: no command line means them.
    if not text.isascii() or "_" in text:
        return None
    try:
        return kind(text.strip())
    except ValueError:
        return None


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
