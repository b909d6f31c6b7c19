"""Per call: the client CPU time and wall time of each measured call, and their table.

Each subject's four calls (``common.SCENARIOS``) are first checked to decode
what the server sent, then timed in rounds, subjects interleaved round by
round so drift on a shared machine hits each alike; the median is reported,
the CPU against ``CPU_TARGET`` times the floor's.
"""

from __future__ import annotations

import gc
import statistics
import time

from common import SCENARIOS, USER_ID, Results, Sample, Settings, markdown_row, met_text, ratio_text
from subjects import Calls, Subject

#: Ratio targets from the issue: client CPU per call, as SDK / floor.
CPU_TARGET = 1.10


def check_results(name: str, calls: Calls, settings: Settings) -> None:
    """Fail loudly if a subject does not decode what the server sent."""
    users = calls.get_users_for_account()
    keys = calls.get_client_key_list()
    if len(users) != settings.users or len(keys) != settings.keys:
        raise RuntimeError(f"{name}: decoded {len(users)} users and {len(keys)} keys")
    if getattr(calls.get_user(), "user_id", None) != USER_ID:
        raise RuntimeError(f"{name}: get_user decoded the wrong user")
    if getattr(calls.create_client_key(), "client_id", None) != "ck_new":
        raise RuntimeError(f"{name}: create_client_key decoded the wrong answer")


def measure_calls(subjects: list[Subject], settings: Settings, results: Results) -> None:
    """Time each scenario per subject, rounds interleaved so drift hits every subject alike."""
    built = {subject.name: subject.build() for subject in subjects}
    try:
        for name, calls in built.items():
            check_results(name, calls, settings)
        for scenario in SCENARIOS:
            count = (
                settings.list_calls
                if "list" in scenario or "users" in scenario
                else (settings.small_calls)
            )
            cpu: dict[str, list[float]] = {name: [] for name in built}
            wall: dict[str, list[float]] = {name: [] for name in built}
            for calls in built.values():  # warm up: connections, validators
                for _ in range(max(2, count // 10)):
                    getattr(calls, scenario)()
            for round_index in range(settings.rounds):
                names = list(built)
                names = names[round_index % len(names) :] + names[: round_index % len(names)]
                for name in names:
                    call = getattr(built[name], scenario)
                    gc.collect()
                    cpu_start, wall_start = time.process_time(), time.perf_counter()
                    for _ in range(count):
                        call()
                    cpu[name].append((time.process_time() - cpu_start) / count * 1000)
                    wall[name].append((time.perf_counter() - wall_start) / count * 1000)
            results.per_call[scenario] = {
                name: Sample(statistics.median(cpu[name]), statistics.median(wall[name]))
                for name in built
            }
    finally:
        for calls in built.values():
            calls.close()


def render_calls(results: Results, settings: Settings) -> list[str]:
    """Return the lines of the per-call table, with its target."""
    floor, sdk = results.subjects[0], results.subjects[1]
    other = results.subjects[2] if len(results.subjects) > 2 else None
    header = ["call", "floor CPU", "SDK CPU", "SDK / floor", "target", "floor wall", "SDK wall"]
    if other:
        header += ["generator CPU", "generator / floor", "generator wall"]
    lines = [
        "Client CPU time per call (ms, `time.process_time()` in the client process), "
        "wall time per call (ms), and the ratio to the floor:",
        "",
        markdown_row(header),
        markdown_row(["---"] * len(header)),
    ]
    for scenario in SCENARIOS:
        samples = results.per_call[scenario]
        ratio = samples[sdk].cpu_ms / samples[floor].cpu_ms
        label = scenario
        if scenario == "get_users_for_account":
            label += f" ({settings.users} users)"
        elif scenario == "get_client_key_list":
            label += f" ({settings.keys} keys)"
        row = [
            label,
            f"{samples[floor].cpu_ms:.3f}",
            f"{samples[sdk].cpu_ms:.3f}",
            f"{ratio:.2f}x",
            f"<= {CPU_TARGET:.2f}x: {met_text(ratio <= CPU_TARGET)}",
            f"{samples[floor].wall_ms:.3f}",
            f"{samples[sdk].wall_ms:.3f}",
        ]
        if other:
            row += [
                f"{samples[other].cpu_ms:.3f}",
                ratio_text(samples[other].cpu_ms, samples[floor].cpu_ms),
                f"{samples[other].wall_ms:.3f}",
            ]
        lines.append(markdown_row(row))
    return lines
