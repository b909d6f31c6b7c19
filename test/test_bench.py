"""The benchmark script still runs: ``bench/run.py --quick`` exits 0 and writes a well-formed table.

Nothing here looks at a timing; the numbers are the benchmark's business, not
the test suite's.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

# The benchmark reads its server's CPU time with ``resource`` (POSIX only).
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("resource") is None, reason="the resource module does not exist here"
)

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = ("get_users_for_account", "get_client_key_list", "get_user", "create_client_key")
NUMBER = re.compile(r"^\d+(\.\d+)?$")
RATIO = re.compile(r"^\d+\.\d\dx$")


def run_bench(*options: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run ``bench/run.py --quick`` with ``options``; it must exit 0."""
    finished = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick", *options],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=cwd,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return finished


def _tables(block: str) -> list[list[list[str]]]:
    """Split Markdown into tables, each a list of rows of stripped cells."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*block.splitlines(), ""]:
        if line.startswith("|"):
            assert line.endswith("|"), line
            current.append([cell.strip() for cell in line[1:-1].split("|")])
        elif current:
            tables.append(current)
            current = []
    return tables


TEMPLATE = (
    "# Performance\n\nprose before\n\n<!-- bench:start -->\nstale numbers\n"
    "<!-- bench:end -->\n\nprose between\n\n<!-- bench:cli:start -->\nstale start-up\n"
    "<!-- bench:cli:end -->\n\nprose after\n"
)


def assert_cli_table(text: str) -> None:
    """The command line's start-up table: ``python -c pass``, then each command, with a target."""
    block = text.split("<!-- bench:cli:start -->")[1].split("<!-- bench:cli:end -->")[0]
    (table,) = _tables(block)
    assert table[0] == ["command", "wall", "CPU", "over `python -c pass`", "ratio", "target"]
    assert [row[0] for row in table[2:]] == [
        "`python -c pass`",
        "`katanemo-identity --version`",
        "`katanemo-identity --help`",
        "`katanemo-identity conformance --help`",
    ]
    assert all(NUMBER.match(row[1]) and NUMBER.match(row[2]) for row in table[2:])
    assert all(re.match(r"^[+-]\d+\.\d ms$", row[3]) for row in table[3:])
    assert all(RATIO.match(row[4]) for row in table[2:])
    assert [row[5].split(":")[0] for row in table[3:]] == ["<= +50 ms", "<= +50 ms", ""]


def test_cli_only_measures_and_writes_the_command_lines_table_alone(tmp_path: Path) -> None:
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text(TEMPLATE)

    run_bench("--cli-only", "--doc", str(doc))

    text = doc.read_text()
    assert "stale numbers" in text  # the other tables are left as they were
    assert "stale start-up" not in text
    assert text.endswith("<!-- bench:cli:end -->\n\nprose after\n")
    assert_cli_table(text)


def test_quick_bench_exits_0_and_writes_a_well_formed_table_between_the_markers(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text(TEMPLATE)

    finished = run_bench("--no-generator", "--doc", str(doc))

    text = doc.read_text()
    assert text.startswith("# Performance\n\nprose before\n\n<!-- bench:start -->\n")
    assert text.endswith("<!-- bench:cli:end -->\n\nprose after\n")
    assert "stale numbers" not in text
    assert "stale start-up" not in text
    assert_cli_table(text)
    block = text.split("<!-- bench:start -->")[1].split("<!-- bench:end -->")[0]
    assert "skipped: --no-generator" in block
    assert "Python " in block
    assert "pydantic " in block
    assert "urllib3 " in block

    per_call, threads, tracing, imports = _tables(block)
    for table in (per_call, threads, tracing, imports):
        width = len(table[0])
        assert all(len(row) == width for row in table), table
        assert set(table[1]) == {"---"}
    assert [row[0].split(" ")[0] for row in per_call[2:]] == list(SCENARIOS)
    for row in per_call[2:]:
        floor_cpu, sdk_cpu, ratio, target = row[1:5]
        assert NUMBER.match(floor_cpu)
        assert NUMBER.match(sdk_cpu)
        assert RATIO.match(ratio)
        assert target.startswith("<= 1.10x: ")
    assert [row[0] for row in threads[2:]] == [
        "floor (urllib3 + pydantic)",
        "katanemo_identity",
        "floor + the SDK's default timeout",
    ]
    assert all(NUMBER.match(row[1]) for row in threads[2:])
    assert [row[0] for row in tracing[2:]] == [
        "off (no hooks)",
        "Tracing, opentelemetry-api only (no-op providers)",
        "Tracing, opentelemetry-sdk: operation + request spans, the duration metric",
        "common set-up: an operation span + the urllib3 instrumentation (spans, metrics)",
    ]
    assert all(NUMBER.match(row[1]) and NUMBER.match(row[2]) for row in tracing[2:])
    assert tracing[2][3] == ""
    assert all(re.match(r"^[+-]\d+$", row[3]) for row in tracing[3:])
    assert re.search(
        r"Target: the SDK's tracing costs no more CPU per call than the common set-up: "
        r"\d+\.\d+ ms against \d+\.\d+ ms, (met|NOT met)\.",
        block,
    )
    assert [row[0] for row in imports[2:]] == [
        "`pass` (interpreter start)",
        "`import urllib3, pydantic`",
        "`import urllib3; from pydantic import BaseModel, Field, TypeAdapter`",
        "`import katanemo_identity`",
        "`import katanemo_identity; katanemo_identity.IdentityApi`",
    ]
    assert all(NUMBER.match(row[1]) for row in imports[2:])
    # The table is printed as well as written.
    assert "| get_user |" in finished.stdout


def test_tracing_only_measures_the_tracing_setups_alone_and_writes_nothing(
    tmp_path: Path,
) -> None:
    finished = run_bench("--tracing-only", cwd=tmp_path)

    (tracing,) = _tables(finished.stdout)
    assert len(tracing) == 2 + 4
    assert "| get_user |" not in finished.stdout
    assert "Target: the SDK's tracing" in finished.stdout
    assert list(tmp_path.iterdir()) == []
