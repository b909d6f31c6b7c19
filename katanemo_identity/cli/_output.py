"""What the command writes: results, notes and errors, and the exit status for each outcome.

Results go to stdout, as a table or with ``--json`` as JSON and nothing else; notes and
errors go to stderr, an error as one line (one JSON object with ``--json``) that names
arguments as the command line does.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    # The SDK is imported by the commands that call it, not to parse or print help.
    from katanemo_identity.exceptions import OpenApiException

PROG = "katanemo-identity"


#: Environment variable read for ``--account`` when it is not given.
ACCOUNT_ENV = "KATANEMO_IDENTITY_ACCOUNT"

#: ``Configuration``'s environment variables for the host and the token, named again here so
#: that parsing the command line and printing its help need not import the SDK.
HOST_ENV = "KATANEMO_IDENTITY_HOST"
TOKEN_ENV = "KATANEMO_IDENTITY_TOKEN"  # noqa: S105 (a variable name, not a secret)


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
    from katanemo_identity.exceptions import ApiConnectionError, ApiException, ApiTimeoutError

    if isinstance(error, ApiException):
        what = f"{error.status} {error.reason or 'HTTP error'}"
        said = error.message or error.detail
        sentences = [f"{what}: {said}" if said else what, error.advice]
    elif isinstance(error, ApiConnectionError) and error.proxy is not None:
        # The proxy's fault, not the server's: --host is not what to check.
        sentences = [str(error), error.advice]
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
    from katanemo_identity.exceptions import ApiConnectionError, ApiException

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


def report_interrupted(err: TextIO, *, writes: bool, as_json: bool = False) -> int:
    """Write that Ctrl-C stopped the command, as one line or as JSON; return 130.

    Args:
        err: The stream to write to (stderr).
        writes: Whether the command was changing something, which may then
            have been applied (``outcome_unknown`` in the JSON).
        as_json: Write one JSON object (``error_document``) instead of a line.
    """
    if as_json:
        document = error_document(
            "interrupted",
            kind="KeyboardInterrupt",
            status=None,
            outcome_unknown=writes,
            code=EXIT_INTERRUPTED,
        )
        print(json.dumps(document, ensure_ascii=False), file=err, flush=True)
    else:
        print(f"{PROG}: interrupted", file=err, flush=True)
    return EXIT_INTERRUPTED


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


#: The SDK's names for path values, and the command line's for the same.
_SDK_NAMES = {"account_id": "--account", "key_id": "KEY_ID", "user_id": "EMAIL"}


_SDK_PREFIX = re.compile(r"^\w+\(\): (account_id|key_id|user_id) ")


def in_cli_words(message: str) -> str:
    """Name an argument as the command line does: ``get_user(): user_id ...`` -> ``EMAIL ...``."""
    return _SDK_PREFIX.sub(lambda found: _SDK_NAMES[found.group(1)] + " ", message)
