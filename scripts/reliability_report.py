"""Run the fault, hostile-input, fork and soak checks at full size and rewrite docs/RELIABILITY.md.

The scenarios are the ones the test suite runs (``test/faultkit.py``,
``test/hostilekit.py``, ``test/callerkit.py``); only the sizes differ, so the
published table and the tests cannot drift apart::

    .venv/bin/python scripts/reliability_report.py            # full size
    .venv/bin/python scripts/reliability_report.py --quick    # the test suite's sizes

Only the section between the ``reliability-table`` markers is rewritten.
The script exits 1 when any check fails, after writing what it found.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "test"))

import callerkit  # noqa: E402  (found through the path set just above)
import faultkit  # noqa: E402
import forkkit  # noqa: E402
import hostilekit  # noqa: E402

DOCUMENT = ROOT / "docs" / "RELIABILITY.md"
BEGIN = "<!-- reliability-table: begin (scripts/reliability_report.py rewrites this section) -->"
END = "<!-- reliability-table: end -->"

PROPERTIES: tuple[tuple[str, Callable[[int], Counter[str]]], ...] = (
    (
        "Path parameters: arbitrary unicode, reserved, control, `..`, long",
        faultkit.run_path_parameters,
    ),
    ("Path parameters echoed by the reference server", faultkit.run_path_echo),
    ("CR/LF and control characters in the token and `_headers`", faultkit.run_header_injection),
    ("Valid models through `to_json`/`from_json` and the wire", faultkit.run_model_round_trips),
    ("Invalid user payloads (one field broken)", faultkit.run_invalid_payloads),
    (
        "Hostile server: status lines, 1xx, headers, framings, compression, every operation",
        hostilekit.run_hostile_server,
    ),
    ("Every argument and per-call option, of a wrong type or value", callerkit.run_caller_input),
)


def fault_rows() -> tuple[list[str], int]:
    """Run every fault scenario; return the table rows and how many failed."""
    rows = [
        "Fault | Method | Raised | Requests seen | Time (s) | Result",
        "----- | ------ | ------ | ------------- | -------- | ------",
    ]
    failures = 0
    for case in faultkit.fault_cases():
        outcome = faultkit.run_fault_case(case)
        problems = outcome.problems(case)
        failures += bool(problems)
        raised = type(outcome.raised).__name__ if outcome.raised is not None else "(success)"
        if outcome.raised is not None and outcome.raised.outcome_unknown:
            raised += ", outcome unknown"
        result = "as documented" if not problems else "**FAILED**: " + "; ".join(problems)
        rows.append(
            f"{case.name} | {case.method} | {raised} | {outcome.requests} | "
            f"{outcome.elapsed:.2f} | {result}"
        )
    return rows, failures


def property_rows(examples: int) -> tuple[list[str], int]:
    """Run every hostile-input property; return the table rows and how many failed."""
    rows = [
        "Input class | Cases | Outcome",
        "----------- | ----- | -------",
    ]
    failures = 0
    for name, run in PROPERTIES:
        try:
            counts = run(examples)
        except AssertionError as error:
            failures += 1
            rows.append(f"{name} | - | **FAILED**: {str(error).splitlines()[0]}")
            continue
        outcome = ", ".join(f"{label}: {count}" for label, count in sorted(counts.items()))
        if run is hostilekit.run_hostile_server:
            outcome += f"; {hostilekit.last_extremes}"
        rows.append(f"{name} | {sum(counts.values())} | {outcome}")
    return rows, failures


def fork_rows(forks: int) -> tuple[list[str], int]:
    """Fork after using a client, both ways; return the figures and 1 if any answer crossed."""
    rows = [
        "Way of forking | Forks | Calls checked (parent / children) | Wrong answers | Errors | Hung",
        "-------------- | ----- | --------------------------------- | ------------- | ------ | ----",
    ]
    failures = 0
    for name, run in (
        ("`os.fork()`, parent and child calling at once", forkkit.run_os_fork),
        ("`multiprocessing` pool, `fork` start method", forkkit.run_multiprocessing_pool),
    ):
        result = run(forks)
        wrong = result.parent.wrong + result.children.wrong
        errors = len(result.parent.errors) + len(result.children.errors)
        failures += bool(wrong or errors or result.hung)
        rows.append(
            f"{name} | {result.forks} | {result.parent.calls} / {result.children.calls} | "
            f"{wrong} | {errors} | {result.hung}"
        )
    return rows, failures


def soak_rows(creates: int, threads: int) -> tuple[list[str], int]:
    """Run the soak; return its figures as table rows and 1 if it broke a promise."""
    result = faultkit.run_soak(creates=creates, threads=threads, fault_rate=0.3)
    rows = [
        "Figure | Value",
        "------ | -----",
        f"Creates (keys and invites, two shared clients, {threads} threads) | {result.creates}",
        f"&nbsp;&nbsp;of which through a forwarding proxy (pproxy) | {result.through_proxy}",
        f"Create requests the server received (retries included) | {result.requests}",
        f"Faults injected | {result.total_faults}",
    ]
    rows += [
        f"&nbsp;&nbsp;{name} | {count}" for name, count in sorted(result.faults_injected.items())
    ]
    rows += [
        f"Reported done (each found exactly once, secret verified) | {result.done}",
        f"Failed, `outcome_unknown=True` | {result.failed_outcome_unknown}",
        f"&nbsp;&nbsp;of which sent through the proxy | {result.through_proxy_unknown}",
        f"&nbsp;&nbsp;of which applied all the same (found when listing) | {result.unknown_but_applied}",
        f"Failed, not applied (`outcome_unknown=False`, none found) | {result.failed_not_applied}",
        f"Duplicates found | {result.duplicates}",
        f"Broken promises | {len(result.violations)}",
        f"Wall time (s) | {result.elapsed:.1f}",
    ]
    rows += [f"Violation | {line}" for line in result.violations[:20]]
    return rows, int(bool(result.violations) or bool(result.duplicates))


def main(argv: list[str] | None = None) -> int:
    """Run the checks and rewrite the marked section of docs/RELIABILITY.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="use the test suite's sizes")
    parser.add_argument("--examples", type=int, default=None, help="examples per property")
    parser.add_argument("--creates", type=int, default=None, help="creates in the soak")
    options = parser.parse_args(argv)
    examples = options.examples or (100 if options.quick else 2000)
    creates = options.creates or (200 if options.quick else 10000)
    threads = 8 if options.quick else 16
    forks = 50 if options.quick else 500

    faults, fault_failures = fault_rows()
    properties, property_failures = property_rows(examples)
    fork_table, fork_failures = fork_rows(forks)
    soak, soak_failures = soak_rows(creates, threads)
    section = "\n".join(
        [
            BEGIN,
            "",
            f"### Faults ({len(faults) - 2} scenarios)",
            "",
            *faults,
            "",
            f"### Hostile input ({examples} generated examples per property)",
            "",
            *properties,
            "",
            "### Forked workers: every answer to the process that asked",
            "",
            *fork_table,
            "",
            "### Soak: nothing lost, nothing doubled",
            "",
            *soak,
            "",
            END,
        ]
    )
    text = DOCUMENT.read_text(encoding="utf-8")
    head, found_begin, rest = text.partition(BEGIN)
    _, found_end, tail = rest.partition(END)
    if not (found_begin and found_end):
        print(f"{DOCUMENT}: markers not found", file=sys.stderr)
        return 2
    DOCUMENT.write_text(head + section + tail, encoding="utf-8")
    failures = fault_failures + property_failures + fork_failures + soak_failures
    print(f"{DOCUMENT.relative_to(ROOT)} rewritten; {failures} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
