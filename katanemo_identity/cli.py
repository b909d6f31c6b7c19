"""The ``katanemo-identity`` command: everyday jobs, a local server, and a demo.

::

    katanemo-identity serve [--host 127.0.0.1] [--port 8080] [--token T | --token-file F] [--db PATH]
    katanemo-identity demo [--host URL --token T | --token-file F]
    katanemo-identity keys  list | get KEY_ID | create --name N --role R | delete KEY_ID
    katanemo-identity users list | get EMAIL | invite EMAIL | update EMAIL

Every call goes through the public SDK (``Configuration``, ``ApiClient``,
``IdentityApi`` and the models); this module only parses arguments and
prints. Results go to stdout, as a table or, with ``--json``, as JSON and
nothing else. Errors go to stderr as one line (one JSON object with
``--json``), naming arguments as the command line does, and the exit status
says what kind of failure it was (see ``EXIT_*``). ``docs/cli.md`` has
examples.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import secrets
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import FrameType
from typing import TYPE_CHECKING, NoReturn, TextIO, cast

from katanemo_identity import conformance
from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.api_client import ApiClient
from katanemo_identity.configuration import (
    HOST_ENV,
    TOKEN_ENV,
    Configuration,
    __version__,
    validate_host,
)
from katanemo_identity.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    ApiValueError,
    NotFoundException,
    OpenApiException,
)
from katanemo_identity.models.client_key_object import ClientKeyObject
from katanemo_identity.models.client_key_request import ClientKeyRequest
from katanemo_identity.models.user_request import UserRequest
from katanemo_identity.models.user_response import UserResponse

if TYPE_CHECKING:
    from katanemo_identity.testing import IdentityServer

PROG = "katanemo-identity"

#: Environment variable read for ``--account`` when it is not given.
ACCOUNT_ENV = "KATANEMO_IDENTITY_ACCOUNT"

#: The command did what was asked.
EXIT_OK = 0
#: The server answered with an error (4xx, 5xx) or an unusable body; or ``serve`` could not start.
EXIT_API_ERROR = 1
#: The command line, or a value in it, is wrong; nothing was sent.
EXIT_USAGE = 2
#: No answer: the connection was refused or lost, or the timeout ran out.
EXIT_CONNECTION = 3
#: Stopped by Ctrl-C (except ``serve``, for which Ctrl-C is the normal way to stop).
EXIT_INTERRUPTED = 130

CREATE_KEY_NOTE = (
    "Store the client secret now: it is shown only this once and cannot be fetched again."
)

#: A subcommand: parsed arguments and the output streams in, exit status out.
Command = Callable[[argparse.Namespace, "Output"], int]


class Output:
    """Where a command writes: results to ``out``, notes and errors to ``err``.

    Args:
        out: The stream for results (stdout).
        err: The stream for notes and error lines (stderr).
        as_json: Whether results are written as JSON instead of tables.
    """

    def __init__(self, out: TextIO, err: TextIO, *, as_json: bool = False) -> None:
        self.out = out
        self.err = err
        self.as_json = as_json

    def say(self, text: str = "") -> None:
        """Write one line of human-readable output to ``out``."""
        print(text, file=self.out, flush=True)

    def note(self, text: str) -> None:
        """Write a note for a person: to ``out`` with tables, to ``err`` with ``--json``."""
        print(text, file=self.err if self.as_json else self.out, flush=True)

    def json(self, document: object) -> None:
        """Write ``document`` to ``out`` as indented JSON."""
        print(json.dumps(document, indent=2, ensure_ascii=False), file=self.out, flush=True)

    def show(
        self, document: object, columns: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """Write a result: ``document`` as JSON with ``--json``, else ``rows`` as a table."""
        if self.as_json:
            self.json(document)
        else:
            print_table(self.out, columns, rows)


# -- entry point ---------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Args:
        argv: The arguments after the program name; ``sys.argv[1:]`` when None.

    Returns:
        One of the ``EXIT_*`` statuses (``--help`` and ``--version`` return 0).
        ``EXIT_API_ERROR`` too when stdout's reader has gone (``demo | head``).
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in arguments
    try:
        args = build_parser().parse_args(arguments)
        check_arguments(args)
    except SystemExit as exit_request:  # argparse's way out: --help, --version
        return _status(exit_request)
    except UsageError as error:
        return report_usage_error(error, sys.stderr, as_json=as_json)
    output = Output(sys.stdout, sys.stderr, as_json=getattr(args, "json", False))
    run: Command = args.run
    try:
        return run(args, output)
    except UsageError as error:  # a command's own usage check (``args.parser.error``)
        return report_usage_error(error, output.err, as_json=output.as_json)
    except OpenApiException as error:
        return report_error(error, output.err, writes=args.writes, as_json=output.as_json)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away, as in ``katanemo-identity demo | head``
        _discard_stdout()
        return EXIT_API_ERROR


def _status(exit_request: SystemExit) -> int:
    return exit_request.code if isinstance(exit_request.code, int) else EXIT_USAGE


def _discard_stdout() -> None:
    # Python flushes stdout once more at exit; with the reader gone that would
    # print a second traceback, so point the descriptor at /dev/null first.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (captured, closed)
        pass


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


class UsageError(Exception):
    """The command line, or a value in it, is wrong; nothing was sent.

    Args:
        message: What is wrong, in the command line's words.
        prog: The (sub)command it concerns, e.g. ``katanemo-identity keys list``.
    """

    def __init__(self, message: str, prog: str = PROG) -> None:
        super().__init__(message)
        self.message = message
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (``UsageError``), not usage and exit."""

    def error(self, message: str) -> NoReturn:
        """Raise ``UsageError`` for ``message``; ``main`` prints it as one line."""
        raise UsageError(message, self.prog)


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

#: The SDK's names for path values, and the command line's for the same.
_SDK_NAMES = {"account_id": "--account", "key_id": "KEY_ID", "user_id": "EMAIL"}


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


def _tags(pairs: Sequence[tuple[str, str]] | None) -> dict[str, list[str]] | None:
    if not pairs:
        return None
    tags: dict[str, list[str]] = {}
    for key, value in pairs:
        tags.setdefault(key, []).append(value)
    return tags


# -- client ------------------------------------------------------------------


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


# -- keys --------------------------------------------------------------------

KEY_COLUMNS = ("KEY ID", "NAME", "ROLES", "ACTIVE", "SERVICE")


def _key_row(key: ClientKeyObject) -> tuple[object, ...]:
    return (key.client_key_id, key.client_name, key.roles, key.is_active, key.service_id)


@_with_api
def keys_list(api: IdentityApi, args: argparse.Namespace, output: Output) -> int:
    """``keys list``: every client key of the account."""
    keys = api.get_client_key_list(args.account)
    output.show([key.to_dict() for key in keys], KEY_COLUMNS, [_key_row(key) for key in keys])
    return EXIT_OK


@_with_api
def keys_get(api: IdentityApi, args: argparse.Namespace, output: Output) -> int:
    """``keys get KEY_ID``: one client key (never its secret)."""
    key = api.get_client_key(args.account, args.key_id)
    output.show(key.to_dict(), KEY_COLUMNS, [_key_row(key)])
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


# -- users -------------------------------------------------------------------

USER_COLUMNS = ("USER ID", "ROLES", "TAGS", "ADMIN", "ACTIVE")


def _user_row(user: UserResponse) -> tuple[object, ...]:
    return (user.user_id, user.roles, user.tags, user.is_admin, user.is_active)


def _user_document(user: UserResponse) -> dict[str, object]:
    # A user's token is a credential: only ``users invite --json`` hands it out.
    document = user.to_dict()
    document.pop("token", None)
    return document


def _show_users(output: Output, users: Sequence[UserResponse]) -> None:
    output.show(
        [_user_document(user) for user in users], USER_COLUMNS, [_user_row(user) for user in users]
    )


def _show_user(output: Output, user: UserResponse) -> None:
    output.show(_user_document(user), USER_COLUMNS, [_user_row(user)])


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
    output.show(user.to_dict(), USER_COLUMNS, [_user_row(user)])
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


# -- serve -------------------------------------------------------------------


def run_serve(args: argparse.Namespace, output: Output) -> int:
    """``serve``: run the reference server until SIGINT (Ctrl-C) or SIGTERM."""
    from katanemo_identity.testing import IdentityServer

    shown = f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"
    with _signals_as_interrupt(signal.SIGINT, signal.SIGTERM):
        try:
            server = IdentityServer(args.host, args.port, access_token=args.token, db=args.db)
            server.start()
        except (OSError, sqlite3.Error) as error:  # the port is taken, the --db cannot be opened
            print(f"{PROG}: error: cannot serve on {shown}: {error}", file=output.err)
            return EXIT_API_ERROR
        try:
            output.say(f"Katanemo Identity reference server listening on {server.url}")
            if args.db:
                output.say(f"State is kept in {args.db}")
            output.say("Press Ctrl-C to stop.")
            threading.Event().wait()  # until SIGINT or SIGTERM raises KeyboardInterrupt here
        except KeyboardInterrupt:
            output.say("Stopped.")
        finally:
            server.stop()
    return EXIT_OK


@contextlib.contextmanager
def _signals_as_interrupt(*signals: signal.Signals) -> Iterator[None]:
    # Ctrl-C is SIGINT; ``docker stop``, systemd and process managers send
    # SIGTERM. Both must stop the server cleanly, however it was started: a
    # shell starts background jobs (``serve &``) with SIGINT ignored, and
    # Python then leaves it ignored, so the handler is set here explicitly.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, _raise_interrupt) for number in signals}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _raise_interrupt(signal_number: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


# -- demo --------------------------------------------------------------------


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
    show(KEY_COLUMNS, [_key_row(key) for key in api.get_client_key_list(account)])
    say(f"\n3. get_client_key: fetch key {key_id}")
    show(KEY_COLUMNS, [_key_row(api.get_client_key(account, key_id))])

    say(f"\n4. create_user_for_account: invite {ada} and {grace}")
    invited = [
        api.create_user_for_account(
            account, UserRequest(account_id=account, user_id=email, roles=[role])
        )
        for email, role in ((ada, "admin"), (grace, "viewer"))
    ]
    show(USER_COLUMNS, [_user_row(user) for user in invited])
    say("   Each is sent an email to verify; their tokens are never shown in tables.")
    say(f"\n5. update_user: give {grace} the editor role and a team tag")
    updated = api.update_user(
        grace,
        account,
        UserRequest(account_id=account, roles=["viewer", "editor"], tags={"team": ["platform"]}),
    )
    show(USER_COLUMNS, [_user_row(updated)])
    say(f"\n6. get_user: fetch {grace}")
    show(USER_COLUMNS, [_user_row(api.get_user(account, grace))])
    say("\n7. get_users_for_account: list the account's users")
    show(USER_COLUMNS, [_user_row(user) for user in api.get_users_for_account(account)])

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


# -- output ------------------------------------------------------------------


def print_table(
    out: TextIO, columns: Sequence[str], rows: Sequence[Sequence[object]], indent: str = ""
) -> None:
    """Write ``rows`` under ``columns`` as an aligned text table.

    Cells are shown by ``cell``: lists joined with commas, tags as
    ``key=value``, booleans as yes/no, missing values as ``-``. With no rows
    the header is followed by ``(none)``.

    Args:
        out: The stream to write to.
        columns: The column headings.
        rows: The rows, each with one value per column.
        indent: Written before every line.
    """
    cells = [[cell(value) for value in row] for row in rows]
    widths = [
        max([len(heading)] + [len(row[i]) for row in cells]) for i, heading in enumerate(columns)
    ]
    for line in [list(columns), *cells]:
        text = "  ".join(value.ljust(width) for value, width in zip(line, widths, strict=True))
        print(indent + text.rstrip(), file=out)
    if not cells:
        print(indent + "(none)", file=out)
    out.flush()


def cell(value: object) -> str:
    """Show one value in a table cell, on one line and free of control characters."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ";".join(f"{key}={','.join(map(str, values))}" for key, values in value.items())
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value)) or "-"
    return clean(str(value))


def clean(text: str) -> str:
    """Replace line breaks and other control characters, so server text cannot forge output."""
    return "".join(char if char.isprintable() else " " for char in text)


def describe_error(error: OpenApiException, *, writes: bool = True) -> str:
    """Say in one line what failed and what to do about it.

    Args:
        error: Any exception the SDK raises.
        writes: Whether the failed call was meant to change something; only
            then is an unknown outcome worth a warning.

    Returns:
        For an API error: status, reason, the server's message (or what the
        SDK found wrong) and the exception's advice. For a connection error:
        what happened and what to check. Otherwise: the message.
    """
    if isinstance(error, ApiException):
        what = f"{error.status} {error.reason or 'HTTP error'}"
        said = error.message or error.detail
        sentences = [f"{what}: {said}" if said else what, error.advice]
    elif isinstance(error, ApiTimeoutError):
        sentences = [str(error), "The server did not answer in time: retry, or raise --timeout"]
    elif isinstance(error, ApiConnectionError):
        sentences = [
            str(error),
            f"Check that the server is running and --host (or ${HOST_ENV}) is right",
        ]
    else:
        sentences = [str(error)]
    if writes and error.outcome_unknown:
        sentences.append("The change may have been applied: list to check before trying again")
    return clean(" ".join(sentence.rstrip(". ") + "." for sentence in sentences))


def report_error(
    error: OpenApiException, err: TextIO, *, writes: bool = True, as_json: bool = False
) -> int:
    """Write ``error`` to ``err`` as one line, or as JSON, and return the exit status for it.

    Args:
        error: Any exception the SDK raises.
        err: The stream to write to (stderr).
        writes: Whether the failed call was meant to change something.
        as_json: Write one JSON object (``error_document``) instead of a line.

    Returns:
        ``EXIT_API_ERROR`` for an ``ApiException``, ``EXIT_CONNECTION`` for an
        ``ApiConnectionError`` (timeouts included), ``EXIT_USAGE`` for an
        argument the SDK refused before sending.
    """
    if isinstance(error, ApiException):
        code = EXIT_API_ERROR
    elif isinstance(error, ApiConnectionError):
        code = EXIT_CONNECTION
    else:
        code = EXIT_USAGE
    message = describe_error(error, writes=writes)
    if code == EXIT_USAGE:
        message = in_cli_words(message)
    status = error.status if isinstance(error, ApiException) else None
    _write_error(
        err,
        message,
        as_json=as_json,
        kind=type(error).__name__,
        status=status,
        outcome_unknown=error.outcome_unknown,
        code=code,
    )
    return code


def report_usage_error(error: UsageError, err: TextIO, *, as_json: bool = False) -> int:
    """Write a usage error as one line (with where to find help), or as JSON; return 2."""
    message = f"{error.message} (see '{error.prog} --help')"
    _write_error(
        err,
        message,
        as_json=as_json,
        kind="UsageError",
        status=None,
        outcome_unknown=False,
        code=EXIT_USAGE,
    )
    return EXIT_USAGE


def error_document(
    message: str, *, kind: str, status: int | None, outcome_unknown: bool, code: int
) -> dict[str, object]:
    """The JSON object written to stderr for an error with ``--json``.

    Returns:
        ``{"error": kind, "message": ..., "status": HTTP status or None,
        "outcome_unknown": ..., "exit_status": ...}``.
    """
    return {
        "error": kind,
        "message": message,
        "status": status,
        "outcome_unknown": outcome_unknown,
        "exit_status": code,
    }


def _write_error(
    err: TextIO,
    message: str,
    *,
    as_json: bool,
    kind: str,
    status: int | None,
    outcome_unknown: bool,
    code: int,
) -> None:
    if as_json:
        document = error_document(
            message, kind=kind, status=status, outcome_unknown=outcome_unknown, code=code
        )
        print(json.dumps(document, ensure_ascii=False), file=err, flush=True)
    else:
        print(f"{PROG}: error: {message}", file=err, flush=True)


_SDK_PREFIX = re.compile(r"^\w+\(\): (account_id|key_id|user_id) ")


def in_cli_words(message: str) -> str:
    """Name an argument as the command line does: ``get_user(): user_id ...`` -> ``EMAIL ...``."""
    return _SDK_PREFIX.sub(lambda found: _SDK_NAMES[found.group(1)] + " ", message)


__all__ = [
    "ACCOUNT_ENV",
    "EXIT_API_ERROR",
    "EXIT_CONNECTION",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "build_parser",
    "main",
]
