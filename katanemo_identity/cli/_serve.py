"""``serve``: the reference server in the foreground, until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sqlite3
import threading
from collections.abc import Iterator
from types import FrameType

from katanemo_identity.cli._output import EXIT_API_ERROR, EXIT_OK, PROG, Output


def run_serve(args: argparse.Namespace, output: Output) -> int:
    """``serve``: run the reference server until SIGINT (Ctrl-C) or SIGTERM."""
    from katanemo_identity.testing import IdentityServer

    # An IPv6 address is written with brackets in a URL, and may be given so: [::1].
    host = args.host[1:-1] if args.host.startswith("[") and args.host.endswith("]") else args.host
    shown = f"[{host}]:{args.port}" if ":" in host else f"{host}:{args.port}"
    with _signals_as_interrupt(signal.SIGINT, signal.SIGTERM):
        server = IdentityServer(host, args.port, access_token=args.token, db=args.db)
        try:
            server.start()
        except sqlite3.Error as error:  # the --db cannot be opened
            print(f"{PROG}: error: cannot open --db {args.db}: {error}", file=output.err)
            return EXIT_API_ERROR
        except OSError as error:  # the port is taken, the address is not this machine's
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
