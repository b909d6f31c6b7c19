"""What every measure of the bench shares: how much to measure, the results, the server.

``Settings`` (``FULL`` for the published numbers, ``QUICK`` for the smoke
run), ``Sample`` and ``Results`` (everything one run measured, filled by the
measure modules and read by their tables), the identities every subject
sends, ``CannedServer`` (``canned_server.py`` in a child process, so its CPU
is never the client's), and the cells of a Markdown table.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent

#: What every subject sends, and the canned server answers for.
ACCOUNT_ID = "acme"
USER_ID = "user-0@acme.example"
TOKEN = "bench-token"  # a fixed value the canned server ignores
USER_AGENT = "katanemo-identity-bench"

#: The four calls measured, in the order of the tables.
SCENARIOS = ("get_users_for_account", "get_client_key_list", "get_user", "create_client_key")


@dataclass
class Settings:
    """How much to measure."""

    users: int
    keys: int
    rounds: int
    list_calls: int
    small_calls: int
    threads: int
    thread_calls: int
    thread_rounds: int
    import_runs: int
    import_warmups: int
    mode: str


FULL = Settings(
    users=1000,
    keys=1000,
    rounds=9,
    list_calls=20,
    small_calls=300,
    threads=16,
    thread_calls=100,
    thread_rounds=5,
    import_runs=15,
    import_warmups=1,
    mode="default",
)
QUICK = Settings(
    users=10,
    keys=10,
    rounds=3,
    list_calls=3,
    small_calls=5,
    threads=4,
    thread_calls=3,
    thread_rounds=2,
    import_runs=1,
    import_warmups=0,
    mode="quick",
)


@dataclass
class Sample:
    """Medians of per-call client CPU and wall time, in milliseconds."""

    cpu_ms: float
    wall_ms: float


@dataclass
class Results:
    """Everything one run measured, by scenario and subject name."""

    subjects: list[str]
    per_call: dict[str, dict[str, Sample]] = field(default_factory=dict)
    threads: dict[str, float] = field(default_factory=dict)
    imports: dict[str, Sample] = field(default_factory=dict)
    import_statements: dict[str, str] = field(default_factory=dict)
    interpreter: Sample | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    #: ``get_user`` per tracing setup (``measure_tracing``).
    tracing: dict[str, Sample] = field(default_factory=dict)
    #: The command line's start-up, by the words after ``katanemo-identity``
    #: (``measure_cli``), and ``python -c pass`` in the same runs.
    cli: dict[str, Sample] = field(default_factory=dict)
    cli_interpreter: Sample | None = None


class CannedServer:
    """The canned server in a child process; stopped by closing its standard input."""

    def __init__(self, users: int, keys: int) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(BENCH_DIR / "canned_server.py"),
                "--users",
                str(users),
                "--keys",
                str(keys),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"canned server did not start: {line!r}")
        self.base_url = f"http://127.0.0.1:{int(line.split()[1])}"

    def close(self) -> None:
        """Stop the server and wait for it to exit."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def markdown_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def ratio_text(value: float, floor: float) -> str:
    return f"{value / floor:.2f}x" if floor > 0 else "n/a"


def met_text(ok: bool) -> str:
    return "met" if ok else "NOT met"


def version_of(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
