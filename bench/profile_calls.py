"""Profile one call of the benchmark, for the SDK or the floor, to see where the time goes.

::

    python bench/profile_calls.py get_user --subject sdk --calls 2000 --profile
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python bench/profile_calls.py get_user --subject sdk --calls 200

With ``--profile`` the timed calls run under cProfile and the functions with
the most own time are printed. Without it the calls simply run, so an
outside profiler sees them: under callgrind, the instruction count of a run
with ``--calls N`` minus that of a run with ``--calls 0`` is the cost of N
calls, repeatable to a fraction of a percent where timings are not.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the sibling modules, found through the line above
import subjects


def main(argv: list[str] | None = None) -> int:
    """Run the chosen call ``--calls`` times after a warm-up; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=common.SCENARIOS)
    parser.add_argument("--subject", choices=("sdk", "floor"), default="sdk")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="run the calls under cProfile")
    parser.add_argument("--top", type=int, default=25, help="rows of the cProfile listing")
    arguments = parser.parse_args(argv)

    server = common.CannedServer(arguments.users, arguments.keys)
    try:
        make = subjects.sdk_subject if arguments.subject == "sdk" else subjects.floor_subject
        calls = make(server.base_url).build()
        call = getattr(calls, arguments.scenario)
        for _ in range(arguments.warmup):
            call()
        profiler = cProfile.Profile() if arguments.profile else None
        if profiler is not None:
            profiler.enable()
        for _ in range(arguments.calls):
            call()
        if profiler is not None:
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(arguments.top)
        calls.close()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
