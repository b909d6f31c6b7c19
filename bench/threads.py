"""Threads: ``get_user`` throughput of one client shared by many threads, and its table.

The floor is one bare urllib3 pool per thread; the SDK one shared client. The
floor is measured again with the timeout the SDK sets by default, since a
socket with a timeout polls before each read.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable

from common import Results, Settings, markdown_row, met_text, ratio_text
from subjects import FLOOR_WITH_TIMEOUT, Subject

#: Thread target: shared-client throughput at least this fraction of the floor's.
THREAD_TARGET = 0.90


def measure_threads(subjects: list[Subject], settings: Settings, results: Results) -> None:
    """Measure get_user throughput with ``settings.threads`` threads, median of rounds."""
    rates: dict[str, list[float]] = {subject.name: [] for subject in subjects}
    for round_index in range(settings.thread_rounds):
        order = subjects[round_index % len(subjects) :] + subjects[: round_index % len(subjects)]
        for subject in order:
            calls, close = subject.build_threaded(settings.threads)
            try:
                for call in calls:  # open every connection before the clock starts
                    call()
                rates[subject.name].append(_run_threads(calls, settings.thread_calls))
            finally:
                close()
    results.threads = {name: statistics.median(values) for name, values in rates.items()}


def _run_threads(calls: list[Callable[[], object]], per_thread: int) -> float:
    barrier = threading.Barrier(len(calls) + 1)
    failures: list[BaseException] = []

    def work(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            for _ in range(per_thread):
                call()
        except BaseException as error:  # reported below, after every thread is joined
            failures.append(error)

    workers = [threading.Thread(target=work, args=(call,)) for call in calls]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"a thread failed: {failures[0]!r}") from failures[0]
    return len(calls) * per_thread / elapsed


def render_threads(results: Results, settings: Settings) -> list[str]:
    """Return the lines of the throughput table, with its target."""
    floor, sdk = results.subjects[0], results.subjects[1]
    other = results.subjects[2] if len(results.subjects) > 2 else None
    thread_ratio = results.threads[sdk] / results.threads[floor]
    lines = [
        "",
        f"`get_user` throughput, {settings.threads} threads (calls/s; the floor is "
        f"{settings.threads} bare urllib3 pools, one per thread; the SDK is one shared client):",
        "",
        markdown_row(["client", "calls/s", "ratio to floor", "target"]),
        markdown_row(["---"] * 4),
        markdown_row([floor, f"{results.threads[floor]:.0f}", "1.00x", ""]),
        markdown_row(
            [
                sdk,
                f"{results.threads[sdk]:.0f}",
                f"{thread_ratio:.2f}x",
                f">= {THREAD_TARGET:.2f}x: {met_text(thread_ratio >= THREAD_TARGET)}",
            ]
        ),
    ]
    timed_floor = results.threads[FLOOR_WITH_TIMEOUT]
    lines.append(
        markdown_row(
            [
                FLOOR_WITH_TIMEOUT,
                f"{timed_floor:.0f}",
                ratio_text(timed_floor, results.threads[floor]),
                f"the SDK is {results.threads[sdk] / timed_floor:.2f}x of this",
            ]
        )
    )
    if other:
        lines.append(
            markdown_row(
                [
                    other,
                    f"{results.threads[other]:.0f}",
                    ratio_text(results.threads[other], results.threads[floor]),
                    "",
                ]
            )
        )
    return lines
