"""Start-up: ``import`` and the command line in fresh processes, and their tables.

``import`` of each subject (and what its first call loads) against ``import
urllib3, pydantic``; ``katanemo-identity --version``, ``--help`` and
``conformance --help`` against ``python -c pass``. Each statement runs in a
new interpreter, runs interleaved, the median of wall time and of the child's
CPU (user + system) reported.
"""

from __future__ import annotations

import datetime
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from common import Results, Sample, Settings, markdown_row, met_text, ratio_text, version_of
from subjects import Subject

#: Import target: at most the floor plus this many milliseconds.
IMPORT_TARGET_MS = 60.0
#: Suffix of the import measures that also load what the first call needs.
FIRST_USE = " (first use)"
#: Command-line target: ``--version`` and ``--help`` at most this many milliseconds over
#: ``python -c pass``.
CLI_TARGET_MS = 50.0
#: The command lines timed, after ``katanemo-identity``.
CLI_COMMANDS = (("--version",), ("--help",), ("conformance", "--help"))


def measure_imports(subjects: list[Subject], settings: Settings, results: Results) -> None:
    """Time ``python -c "import ..."`` in fresh interpreters, runs interleaved."""
    statements: dict[str, tuple[str, str | None]] = {
        "interpreter start (python -c pass)": ("pass", None)
    }
    for subject in subjects:
        statements[subject.name] = (subject.import_statement, subject.import_path)
        statements[subject.name + FIRST_USE] = (subject.first_use_statement, subject.import_path)
        results.import_statements[subject.name] = subject.import_statement
        results.import_statements[subject.name + FIRST_USE] = subject.first_use_statement
    runs = {}
    for name, (statement, path) in statements.items():
        environment = dict(os.environ)
        environment.pop("PYTHONPATH", None)
        if path is not None:
            environment["PYTHONPATH"] = path
        runs[name] = ([sys.executable, "-c", statement], environment)
    for name, sample in time_processes(runs, settings).items():
        if name.startswith("interpreter"):
            results.interpreter = sample
        else:
            results.imports[name] = sample


def measure_cli(settings: Settings, results: Results) -> None:
    """Time ``katanemo-identity ...`` against ``python -c pass``, fresh processes, interleaved.

    The console script installed beside this interpreter is run as a user runs
    it; without one, the same two lines it holds, through ``python -c``.
    """
    script = Path(sys.executable).with_name("katanemo-identity")
    command = (
        [str(script)]
        if script.exists()
        else [
            sys.executable,
            "-c",
            "import sys; from katanemo_identity.cli import main; sys.exit(main())",
        ]
    )
    runs: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "pass": ([sys.executable, "-c", "pass"], None)
    }
    runs.update({" ".join(words): ([*command, *words], None) for words in CLI_COMMANDS})
    for name, sample in time_processes(runs, settings).items():
        if name == "pass":
            results.cli_interpreter = sample
        else:
            results.cli[name] = sample


def time_processes(
    runs: Mapping[str, tuple[list[str], dict[str, str] | None]], settings: Settings
) -> dict[str, Sample]:
    """Run each command line (with its environment, None: this one's) to its end, interleaved.

    Returns the median wall time and child CPU of each, after
    ``settings.import_warmups`` uncounted rounds that fill the file cache.
    """
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(settings.import_warmups + settings.import_runs):
        for name, (argv, environment) in runs.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(argv, env=environment, stdout=subprocess.DEVNULL, check=True)
            elapsed = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall[name].append(elapsed * 1000)
            cpu[name].append(
                (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
            )
    counted = slice(settings.import_warmups, None)
    return {
        name: Sample(statistics.median(cpu[name][counted]), statistics.median(wall[name][counted]))
        for name in runs
    }


def render_cli(results: Results, settings: Settings, *, alone: bool = False) -> str:
    """Return the command line's start-up as a Markdown table, with the run it came from."""
    base = results.cli_interpreter
    assert base is not None
    lines = [
        f"Measured {datetime.date.today().isoformat()} by `python bench/run.py"
        + (" --quick" if settings.mode == "quick" else "")
        + (" --cli-only" if alone else "")
        + f"`, Python {platform.python_version()}, katanemo-identity "
        f"{version_of('katanemo-identity')}, median of {settings.import_runs} runs.",
        "",
        "Start-up of the command line in a fresh process against the interpreter's own "
        "(ms, median; CPU is the child's user + system):",
        "",
        markdown_row(["command", "wall", "CPU", "over `python -c pass`", "ratio", "target"]),
        markdown_row(["---"] * 6),
        markdown_row(
            ["`python -c pass`", f"{base.wall_ms:.1f}", f"{base.cpu_ms:.1f}", "", "1.00x", ""]
        ),
    ]
    for name, sample in results.cli.items():
        over = sample.wall_ms - base.wall_ms
        target = (
            f"<= +{CLI_TARGET_MS:.0f} ms: {met_text(over <= CLI_TARGET_MS)}"
            if name in ("--version", "--help")
            else ""
        )
        lines.append(
            markdown_row(
                [
                    f"`katanemo-identity {name}`",
                    f"{sample.wall_ms:.1f}",
                    f"{sample.cpu_ms:.1f}",
                    f"{over:+.1f} ms",
                    ratio_text(sample.wall_ms, base.wall_ms),
                    target,
                ]
            )
        )
    return "\n".join(lines) + "\n"


def render_imports(results: Results) -> list[str]:
    """Return the lines of the ``import`` table, with its target."""
    floor, sdk = results.subjects[0], results.subjects[1]
    assert results.interpreter is not None
    base = results.interpreter
    lines = [
        "",
        "`import` in a fresh interpreter (`python -c`; ms, median; CPU is the child's user + system):",
        "",
        markdown_row(["statement", "wall", "CPU", "over the floor", "target"]),
        markdown_row(["---"] * 5),
        markdown_row(
            ["`pass` (interpreter start)", f"{base.wall_ms:.1f}", f"{base.cpu_ms:.1f}", "", ""]
        ),
    ]
    for name, sample in results.imports.items():
        first_use = name.endswith(FIRST_USE)
        reference = results.imports[floor + FIRST_USE if first_use else floor].wall_ms
        over = sample.wall_ms - reference
        is_floor = name in (floor, floor + FIRST_USE)
        if name == sdk:
            target = f"<= +{IMPORT_TARGET_MS:.0f} ms: {met_text(over <= IMPORT_TARGET_MS)}"
        elif name == sdk + FIRST_USE:
            target = "reported (the cost moved to first use)"
        else:
            target = ""
        lines.append(
            markdown_row(
                [
                    f"`{results.import_statements[name]}`",
                    f"{sample.wall_ms:.1f}",
                    f"{sample.cpu_ms:.1f}",
                    "" if is_floor else f"{over:+.1f} ms",
                    target,
                ]
            )
        )
    return lines
