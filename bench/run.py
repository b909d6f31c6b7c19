"""Measure katanemo_identity against the floor that urllib3 and pydantic allow.

One run starts one canned server (``bench/canned_server.py``) in another
process and measures, in this process:

* client CPU time (``time.process_time``) and wall time per call of
  ``get_users_for_account`` (a list of users), ``get_client_key_list`` (a list
  of keys), ``get_user`` and ``create_client_key``, as the median of several
  rounds;
* throughput of one client shared by many threads;
* the CPU that tracing (``katanemo_identity.otel.Tracing`` in ``hooks``) adds
  to a ``get_user``, with OpenTelemetry's API alone (no-op providers) and with
  its SDK (spans made, then discarded; the metric recorded), against the same
  call without hooks and against the common set-up it replaces: an operation
  span made by a hook, under which the urllib3 instrumentation makes its own
  (``--tracing-only`` measures these alone);
* ``import`` in a fresh interpreter (``python -c``), median of several runs;
* the start-up of the command line (``katanemo-identity --version``, ``--help``)
  against ``python -c pass``, median of several runs, in a table of its own.

Each is measured for three subjects: the floor (a bare ``urllib3.PoolManager``
whose bytes go through a pydantic ``TypeAdapter(...).validate_json`` built
once, into equivalent models defined here; for threads, one bare pool per
thread), this SDK, and, where Java and the ``openapi-generator-cli`` package
are installed, openapi-generator's python client for the same OpenAPI
document, generated into ``bench/.work/`` (never committed).

``python bench/run.py`` makes the published numbers and writes them into
``docs/PERFORMANCE.md`` between the bench markers (the command line's table
between markers of its own). ``--quick`` runs tiny sizes in seconds, to prove
the script works; it writes a document only when ``--doc`` names one.
``--cli-only`` measures and writes the command line's table alone.

This file is the entry point: the options, the order of the measures, the
machine's header and the writing of the document. Each measure, with its
table, lives in a module of its own beside it (``calls``, ``threads``,
``tracing``, ``startup``), the clients in ``subjects`` and ``generated``,
and what they all share in ``common``; see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from calls import measure_calls, render_calls
from common import FULL, QUICK, REPO_DIR, CannedServer, Results, Settings, version_of
from generated import find_spec, generate_client, generated_subject
from startup import measure_cli, measure_imports, render_cli, render_imports
from subjects import SDK_DEFAULT_TIMEOUT, floor_subject, sdk_subject
from threads import measure_threads, render_threads
from tracing import measure_tracing, render_tracing

DEFAULT_DOC = REPO_DIR / "docs" / "PERFORMANCE.md"
START_MARKER = "<!-- bench:start -->"
END_MARKER = "<!-- bench:end -->"
CLI_START_MARKER = "<!-- bench:cli:start -->"
CLI_END_MARKER = "<!-- bench:cli:end -->"


def _machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
        if found:
            model = found.group(1).strip()
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}, {model}, {os.cpu_count()} CPUs"


def render(results: Results, settings: Settings, generator: str) -> str:
    """Return the results as Markdown: the machine, then one table per measure."""
    lines = [
        f"Measured {datetime.date.today().isoformat()} by `python bench/run.py`"
        + (" --quick" if settings.mode == "quick" else "")
        + f" ({settings.mode} mode).",
        "",
        f"- Machine: {_machine()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"urllib3 {version_of('urllib3')}, pydantic {version_of('pydantic')}, "
        f"pydantic-core {version_of('pydantic-core')}, katanemo-identity {version_of('katanemo-identity')}",
        f"- openapi-generator: {generator}",
        f"- Sizes: {settings.users} users, {settings.keys} keys; median of {settings.rounds} "
        f"rounds of {settings.list_calls} list calls or {settings.small_calls} small calls; "
        f"{settings.threads} threads x {settings.thread_calls} calls, median of "
        f"{settings.thread_rounds} rounds; imports median of {settings.import_runs} runs.",
        "",
    ]
    lines += render_calls(results, settings)
    lines += render_threads(results, settings)
    lines += render_tracing(results)
    lines += render_imports(results)
    return "\n".join(lines) + "\n"


def write_doc(
    path: Path, table: str, markers: tuple[str, str] = (START_MARKER, END_MARKER)
) -> None:
    """Put ``table`` between the ``markers`` of ``path``, creating either if missing."""
    start, end = markers
    block = f"{start}\n{table}{end}"
    text = path.read_text() if path.exists() else ""
    if start in text and end in text:
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = head + block + tail
    else:
        text = (text.rstrip("\n") + "\n\n" if text else "") + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, a few seconds (the CI smoke run)"
    )
    parser.add_argument("--users", type=int, help="users in the list response")
    parser.add_argument("--keys", type=int, help="keys in the list response")
    parser.add_argument("--rounds", type=int, help="rounds per call; the median is reported")
    parser.add_argument("--threads", type=int, help="threads sharing one client")
    parser.add_argument(
        "--doc",
        type=Path,
        help="Markdown file to write the table into (default: docs/PERFORMANCE.md, "
        "except with --quick, which writes none unless asked)",
    )
    parser.add_argument("--spec", help="OpenAPI document for openapi-generator's client")
    parser.add_argument(
        "--no-generator", action="store_true", help="leave out openapi-generator's client"
    )
    parser.add_argument(
        "--tracing-only",
        action="store_true",
        help="measure the tracing setups alone and print their table; writes no document",
    )
    parser.add_argument(
        "--cli-only",
        action="store_true",
        help="measure only the command line's start-up, and write only its table",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the table, and write it into the document; return 0."""
    arguments = parse_arguments(argv)
    base = QUICK if arguments.quick else FULL
    settings = Settings(
        **{
            **base.__dict__,
            **{
                name: value
                for name, value in (
                    ("users", arguments.users),
                    ("keys", arguments.keys),
                    ("rounds", arguments.rounds),
                    ("threads", arguments.threads),
                )
                if value is not None
            },
        }
    )
    doc = arguments.doc
    if doc is None and not arguments.quick:
        doc = DEFAULT_DOC
    if arguments.tracing_only:
        server = CannedServer(settings.users, settings.keys)
        try:
            results = Results([])
            measure_tracing(server.base_url, settings, results)
        finally:
            server.close()
        print("\n".join(render_tracing(results)).strip())
        return 0
    if arguments.cli_only:
        results = Results([])
        measure_cli(settings, results)
        cli_table = render_cli(results, settings, alone=True)
        print(cli_table)
        if doc is not None:
            write_doc(doc, cli_table, (CLI_START_MARKER, CLI_END_MARKER))
            print(f"wrote {doc}")
        return 0
    if arguments.no_generator:
        package_dir, generator = None, "skipped: --no-generator"
    else:
        package_dir, generator = generate_client(find_spec(arguments.spec))
    server = CannedServer(settings.users, settings.keys)
    try:
        subjects = [floor_subject(server.base_url), sdk_subject(server.base_url)]
        if package_dir is not None:
            subjects.append(generated_subject(server.base_url, package_dir))
            generator = (
                f"openapi-generator-cli {generator} (`-g python`), generated into bench/.work/"
            )
        results = Results([subject.name for subject in subjects])
        measure_calls(subjects, settings, results)
        measure_threads(
            [*subjects, floor_subject(server.base_url, SDK_DEFAULT_TIMEOUT)], settings, results
        )
        measure_tracing(server.base_url, settings, results)
        measure_imports(subjects, settings, results)
        measure_cli(settings, results)
    finally:
        server.close()
    table = render(results, settings, generator)
    cli_table = render_cli(results, settings)
    print(table)
    print(cli_table)
    if doc is not None:
        write_doc(doc, table)
        write_doc(doc, cli_table, (CLI_START_MARKER, CLI_END_MARKER))
        print(f"wrote {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
