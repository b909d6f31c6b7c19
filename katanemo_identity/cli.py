"""The ``katanemo-identity`` command: everyday jobs, a local server, and a demo.

::

    katanemo-identity serve [--host 127.0.0.1] [--port 8080] [--token T] [--db PATH]
    katanemo-identity demo [--host URL --token T]
    katanemo-identity keys  list | get KEY_ID | create --name N --role R | delete KEY_ID
    katanemo-identity users list | get EMAIL | invite EMAIL | update EMAIL

Every call goes through the public SDK (``Configuration``, ``ApiClient``,
``IdentityApi`` and the models); this module only parses arguments and
prints. Results go to stdout, as a table or, with ``--json``, as JSON and
nothing else. Errors go to stderr as one line, and the exit status says what
kind of failure it was (see ``EXIT_*``). ``docs/cli.md`` has examples.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from katanemo_identity import conformance
from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.api_client import ApiClient
from katanemo_identity.configuration import HOST_ENV, TOKEN_ENV, Configuration, __version__
from katanemo_identity.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
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
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_request:  # argparse's way out: --help, --version, bad usage
        return _status(exit_request)
    output = Output(sys.stdout, sys.stderr, as_json=getattr(args, "json", False))
    run: Command = args.run
    try:
        return run(args, output)
    except SystemExit as exit_request:  # a command's own usage check (``args.parser.error``)
        return _status(exit_request)
    except OpenApiException as error:
        return report_error(error, output.err, writes=args.writes)
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
    parser = argparse.ArgumentParser(
        prog=PROG, description="Manage the users and client keys of a Katanemo Identity account."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the reference server in the foreground")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=8080, help="port to listen on; 0 picks a free one"
    )
    serve.add_argument(
        "--token", type=_non_empty, help="require 'Authorization: Bearer TOKEN' on every request"
    )
    serve.add_argument("--db", metavar="PATH", help="keep state in this SQLite file")
    serve.set_defaults(run=run_serve, writes=False)

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
    demo.set_defaults(run=run_demo, writes=True)

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
    conformance.add_parser(commands)
    return parser


def _connection_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("connection")
    group.add_argument("--host", help=f"base URL of the API (${HOST_ENV}, else the public API)")
    group.add_argument("--token", help=f"access token (${TOKEN_ENV})")
    group.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="connect and read timeout (10 s, 60 s)"
    )
    group.add_argument(
        "--retries", type=int, metavar="N", help="retries of a failed request (2; 0 disables)"
    )
    return options


def _account_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
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
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    run: Command,
    *parents: argparse.ArgumentParser,
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


def _non_empty(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("must not be empty")
    return text


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


def connect(args: argparse.Namespace) -> ApiClient:
    """Build an ``ApiClient`` from ``--host``, ``--token``, ``--timeout`` and ``--retries``.

    Unset options fall back as in ``Configuration``: ``$KATANEMO_IDENTITY_HOST``
    and ``$KATANEMO_IDENTITY_TOKEN``, then the SDK's defaults.

    Raises:
        ApiValueError: a host, timeout or retry count the SDK refuses.
    """
    configuration = Configuration(host=args.host, access_token=args.token)
    if args.timeout is not None:
        configuration.timeout = args.timeout
    if args.retries is not None:
        configuration.retries = args.retries
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
    """``serve``: run the reference server until Ctrl-C or SIGTERM."""
    from katanemo_identity.testing import IdentityServer

    try:
        server = IdentityServer(args.host, args.port, access_token=args.token, db=args.db)
        server.start()
    except (OSError, sqlite3.Error) as error:  # the port is taken, the --db file cannot be opened
        print(f"{PROG}: error: cannot serve on {args.host}:{args.port}: {error}", file=output.err)
        return EXIT_API_ERROR
    try:
        output.say(f"Katanemo Identity reference server listening on {server.url}")
        if args.db:
            output.say(f"State is kept in {args.db}")
        output.say("Press Ctrl-C to stop.")
        with _sigterm_as_interrupt():
            threading.Event().wait()  # until Ctrl-C (or SIGTERM) raises KeyboardInterrupt here
    except KeyboardInterrupt:
        output.say("Stopped.")
    finally:
        server.stop()
    return EXIT_OK


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    # ``docker stop``, systemd and process managers ask with SIGTERM, not Ctrl-C:
    # treat it the same, so the server closes its connections and database.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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
        with connect(args) as client:
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


def report_error(error: OpenApiException, err: TextIO, *, writes: bool = True) -> int:
    """Write ``error`` to ``err`` as one line and return the exit status for it.

    Args:
        error: Any exception the SDK raises.
        err: The stream to write to (stderr).
        writes: Whether the failed call was meant to change something.

    Returns:
        ``EXIT_API_ERROR`` for an ``ApiException``, ``EXIT_CONNECTION`` for an
        ``ApiConnectionError`` (timeouts included), ``EXIT_USAGE`` for an
        argument the SDK refused before sending.
    """
    print(f"{PROG}: error: {describe_error(error, writes=writes)}", file=err, flush=True)
    if isinstance(error, ApiException):
        return EXIT_API_ERROR
    if isinstance(error, ApiConnectionError):
        return EXIT_CONNECTION
    return EXIT_USAGE


__all__ = [
    "ACCOUNT_ENV",
    "EXIT_API_ERROR",
    "EXIT_CONNECTION",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
]
