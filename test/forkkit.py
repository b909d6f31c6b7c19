"""Forked workers, for the fork tests and ``scripts/reliability_report.py``.

A process makes calls through one client (so its pool holds open
connections), then forks, again and again; parent and child each make
concurrent calls for users of their own, and every answer is checked against
the question. A connection shared across the fork would hand one process the
other's answer. Two ways to fork are run: ``os.fork()`` by hand, and a
``multiprocessing`` pool on the ``fork`` start method whose every task runs
in a freshly forked worker.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from conftest import USER
from servers import RecordedRequest, Reply, ScriptedServer

from katanemo_identity import ApiClient, Configuration, IdentityApi, OpenApiException

#: Concurrent calls each side makes after each fork.
CALLS_PER_SIDE = 5

#: Longest a child may take before it is killed and counted as hung.
CHILD_SECONDS = 30.0


def echo_user(request: RecordedRequest) -> Reply:
    """Answer ``GET .../user/<id>`` with that user, after a short pause.

    The pause keeps several requests in flight at once, which is when a
    shared connection would cross the answers.
    """
    user_id = request.path.rsplit("/", 1)[1]
    return Reply.json(200, dict(USER, userId=user_id), delay=0.002)


@dataclass
class Tally:
    """What one side of one fork saw: answers checked, wrong, and errors."""

    calls: int = 0
    wrong: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        """Count ``other``'s figures into this one."""
        self.calls += other.calls
        self.wrong += other.wrong
        self.errors += other.errors


def check_users(api: IdentityApi, tag: str, calls: int = CALLS_PER_SIDE) -> Tally:
    """Fetch ``calls`` distinct users at once; count every answer that is not the one asked."""
    asked = [f"{tag}-{index}" for index in range(calls)]

    def fetch(user_id: str) -> str | None:
        return api.get_user("acme", user_id).user_id

    tally = Tally()
    with ThreadPoolExecutor(calls) as pool:
        futures = [(user_id, pool.submit(fetch, user_id)) for user_id in asked]
        for user_id, future in futures:
            tally.calls += 1
            try:
                if future.result() != user_id:
                    tally.wrong += 1
            except OpenApiException as error:
                tally.errors.append(f"{type(error).__name__}: {error}")
    return tally


@dataclass
class ForkResult:
    """The figures of a fork run, parent and children added up."""

    forks: int
    parent: Tally
    children: Tally
    hung: int


def run_os_fork(forks: int) -> ForkResult:
    """Fork ``forks`` times by hand, calling from parent and child at once after each."""
    parent, children, hung = Tally(), Tally(), 0
    with ScriptedServer(responder=echo_user) as server:
        api = _api(server.url)
        parent.add(check_users(api, "warm-up"))
        for fork in range(forks):
            reader, writer = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: report through the pipe, never return into pytest
                status = 1
                try:
                    os.close(reader)
                    seen = check_users(api, f"child{fork}")
                    errors = "|".join(seen.errors).replace("\n", " ")
                    os.write(writer, f"{seen.calls} {seen.wrong} {errors}".encode())
                    status = 0
                finally:
                    os._exit(status)
            os.close(writer)
            parent.add(check_users(api, f"parent{fork}"))
            report = _read_child(reader, pid)
            if report is None:
                hung += 1
                continue
            calls, wrong, errors = [*report.split(" ", 2), ""][:3]
            children.add(
                Tally(int(calls), int(wrong), [error for error in errors.split("|") if error])
            )
        api.api_client.close()
    return ForkResult(forks, parent, children, hung)


# The pool's tasks run in forked workers and find the client here, made by
# the parent before the pool forked them.
_inherited_api: IdentityApi | None = None


def _pool_task(tag: str) -> tuple[int, int, list[str]]:
    assert _inherited_api is not None
    seen = check_users(_inherited_api, tag)
    return seen.calls, seen.wrong, seen.errors


def run_multiprocessing_pool(forks: int) -> ForkResult:
    """Run ``forks`` tasks on a fork-start pool, one fresh worker per task, the parent calling too."""
    global _inherited_api
    parent, children = Tally(), Tally()
    with ScriptedServer(responder=echo_user) as server:
        _inherited_api = _api(server.url)
        try:
            parent.add(check_users(_inherited_api, "warm-up"))
            context = multiprocessing.get_context("fork")
            with context.Pool(processes=2, maxtasksperchild=1) as pool:
                pending = pool.map_async(_pool_task, [f"task{task}" for task in range(forks)])
                round_ = 0
                while not pending.ready():
                    parent.add(check_users(_inherited_api, f"parent{round_}"))
                    round_ += 1
                for calls, wrong, errors in pending.get(timeout=CHILD_SECONDS):
                    children.add(Tally(calls, wrong, errors))
        finally:
            _inherited_api.api_client.close()
            _inherited_api = None
    return ForkResult(forks, parent, children, 0)


def _api(host: str) -> IdentityApi:
    configuration = Configuration(
        host=host, retries=0, timeout=(2.0, 5.0), connection_pool_maxsize=CALLS_PER_SIDE
    )
    return IdentityApi(ApiClient(configuration))


def _read_child(reader: int, pid: int) -> str | None:
    """Read a child's report and reap it; kill it and return None if it takes too long."""
    ends = time.monotonic() + CHILD_SECONDS
    chunks: list[bytes] = []
    try:
        while True:
            left = ends - time.monotonic()
            if left <= 0 or not select.select([reader], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return None
            chunk = os.read(reader, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(reader)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    return b"".join(chunks).decode()
