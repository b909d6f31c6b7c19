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

One module per job: ``_arguments`` (the parser and the checks argparse cannot
do), ``_commands`` (``keys`` and ``users``), ``_serve``, ``_demo``, and
``_output`` (tables, JSON, error lines, exit statuses); this module runs them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from katanemo_identity.cli._arguments import build_parser, check_arguments
from katanemo_identity.cli._output import (
    ACCOUNT_ENV,
    EXIT_API_ERROR,
    EXIT_CONNECTION,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Command,
    Output,
    UsageError,
    report_error,
    report_interrupted,
    report_usage_error,
)


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
    except KeyboardInterrupt:
        return report_interrupted(output.err, writes=args.writes, as_json=output.as_json)
    except BrokenPipeError:  # the reader went away, as in ``katanemo-identity demo | head``
        _discard_stdout()
        return EXIT_API_ERROR
    except Exception as error:
        # The SDK's errors; its exceptions module is imported by the command
        # that raised one, not here, so that --help imports nothing of the SDK.
        from katanemo_identity.exceptions import OpenApiException

        if not isinstance(error, OpenApiException):
            raise
        return report_error(error, output.err, writes=args.writes, as_json=output.as_json)


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
