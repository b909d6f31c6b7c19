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
"""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import importlib.metadata
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import urllib3
from pydantic import BaseModel, Field, TypeAdapter

if TYPE_CHECKING:
    from katanemo_identity.hooks import Hook

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / ".work"
DEFAULT_DOC = REPO_DIR / "docs" / "PERFORMANCE.md"

START_MARKER = "<!-- bench:start -->"
END_MARKER = "<!-- bench:end -->"
CLI_START_MARKER = "<!-- bench:cli:start -->"
CLI_END_MARKER = "<!-- bench:cli:end -->"

ACCOUNT_ID = "acme"
USER_ID = "user-0@acme.example"
TOKEN = "bench-token"  # a fixed value the canned server ignores
USER_AGENT = "katanemo-identity-bench"

#: Package name given to openapi-generator's client, so it cannot shadow anything.
GENERATED_PACKAGE = "openapi_identity"

#: Ratio targets from the issue: client CPU per call, as SDK / floor.
CPU_TARGET = 1.10
#: Import target: at most the floor plus this many milliseconds.
IMPORT_TARGET_MS = 60.0
#: Suffix of the import measures that also load what the first call needs.
FIRST_USE = " (first use)"
#: Thread target: shared-client throughput at least this fraction of the floor's.
THREAD_TARGET = 0.90
#: Command-line target: ``--version`` and ``--help`` at most this many milliseconds over
#: ``python -c pass``.
CLI_TARGET_MS = 50.0
#: The command lines timed, after ``katanemo-identity``.
CLI_COMMANDS = (("--version",), ("--help",), ("conformance", "--help"))

#: The floor with the timeout the SDK sets on every call by default; shown
#: beside the thread measure, since a socket with a timeout polls before each
#: read and that costs a little under contention.
FLOOR_WITH_TIMEOUT = "floor + the SDK's default timeout"
SDK_DEFAULT_TIMEOUT = urllib3.Timeout(connect=10.0, read=60.0)


# -- the floor's models: the same fields and aliases as the SDK's -------------


class FloorUser(BaseModel):
    """A user, as the floor decodes it."""

    account_id: str = Field(alias="accountId")
    service_id: str | None = Field(default=None, alias="serviceId")
    user_id: str | None = Field(default=None, alias="userId")
    is_admin: bool | None = Field(default=None, alias="isAdmin")
    is_active: bool | None = Field(default=None, alias="isActive")
    token: str | None = Field(default=None, alias="token")
    tags: dict[str, list[str]] | None = Field(default=None, alias="tags")
    roles: list[str] | None = Field(default=None, alias="roles")


class FloorClientKey(BaseModel):
    """A client key, as the floor decodes it."""

    account_id: str | None = Field(default=None, alias="accountId")
    roles: list[str] | None = Field(default=None, alias="roles")
    client_name: str | None = Field(default=None, alias="clientName")
    client_key_id: str | None = Field(default=None, alias="clientKeyId")
    service_id: str | None = Field(default=None, alias="serviceId")
    is_active: bool | None = Field(default=None, alias="isActive")


class FloorClientKeyRequest(BaseModel):
    """The create-key body, as the floor serializes it."""

    default_role_id: str = Field(alias="defaultRoleId")
    client_name: str = Field(alias="clientName")


class FloorClientKeyResponse(BaseModel):
    """The create-key answer, as the floor decodes it."""

    client_id: str | None = Field(default=None, alias="clientId")
    client_secret: str | None = Field(default=None, alias="clientSecret")


# -- subjects: the clients measured ------------------------------------------


@dataclass
class Calls:
    """The four measured calls of one client, each returning the decoded result."""

    get_users_for_account: Callable[[], Sequence[object]]
    get_client_key_list: Callable[[], Sequence[object]]
    get_user: Callable[[], object]
    create_client_key: Callable[[], object]
    close: Callable[[], None] = lambda: None


@dataclass
class Subject:
    """A client to measure: how to build it, and how to build one per thread."""

    name: str
    build: Callable[[], Calls]
    #: Returns the get_user call each of ``n`` threads makes, and a closer.
    build_threaded: Callable[[int], tuple[list[Callable[[], object]], Callable[[], None]]]
    import_statement: str
    #: The import plus what the first call needs loaded (the models, the client).
    first_use_statement: str
    import_path: str | None = None
    skipped: str | None = None


def floor_subject(base_url: str, timeout: urllib3.Timeout | None = None) -> Subject:
    """Return the floor: bare urllib3 pools and ``TypeAdapter.validate_json`` built once.

    With ``timeout``, the pools set it on every request, as the SDK always does.
    """
    users_adapter = TypeAdapter(list[FloorUser])
    keys_adapter = TypeAdapter(list[FloorClientKey])
    user_adapter = TypeAdapter(FloorUser)
    request_adapter = TypeAdapter(FloorClientKeyRequest)
    created_adapter = TypeAdapter(FloorClientKeyResponse)
    headers = {
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        "Authorization": "Bearer " + TOKEN,
    }
    post_headers = {**headers, "Content-Type": "application/json"}
    users_url = f"{base_url}/org/{ACCOUNT_ID}/user"
    keys_url = f"{base_url}/org/{ACCOUNT_ID}/keys"
    user_url = f"{base_url}/org/{ACCOUNT_ID}/user/{USER_ID.replace('@', '%40')}"
    key_request = FloorClientKeyRequest(defaultRoleId="roleId1", clientName="bench")

    def get(pool: urllib3.PoolManager, url: str) -> bytes:
        response = pool.request("GET", url, headers=headers)
        if response.status != 200:
            raise RuntimeError(f"GET {url}: {response.status}")
        return response.data

    def build() -> Calls:
        pool = urllib3.PoolManager()

        def create_client_key() -> FloorClientKeyResponse:
            body = request_adapter.dump_json(key_request, by_alias=True, exclude_none=True)
            response = pool.request("POST", keys_url, body=body, headers=post_headers)
            if response.status != 200:
                raise RuntimeError(f"POST {keys_url}: {response.status}")
            return created_adapter.validate_json(response.data)

        return Calls(
            get_users_for_account=lambda: users_adapter.validate_json(get(pool, users_url)),
            get_client_key_list=lambda: keys_adapter.validate_json(get(pool, keys_url)),
            get_user=lambda: user_adapter.validate_json(get(pool, user_url)),
            create_client_key=create_client_key,
            close=pool.clear,
        )

    def build_threaded(threads: int) -> tuple[list[Callable[[], object]], Callable[[], None]]:
        pools = [
            urllib3.PoolManager() if timeout is None else urllib3.PoolManager(timeout=timeout)
            for _ in range(threads)
        ]

        def call_with(pool: urllib3.PoolManager) -> Callable[[], object]:
            return lambda: user_adapter.validate_json(get(pool, user_url))

        def close() -> None:
            for pool in pools:
                pool.clear()

        return [call_with(pool) for pool in pools], close

    return Subject(
        "floor (urllib3 + pydantic)" if timeout is None else FLOOR_WITH_TIMEOUT,
        build,
        build_threaded,
        "import urllib3, pydantic",
        "import urllib3; from pydantic import BaseModel, Field, TypeAdapter",
    )


def sdk_subject(base_url: str) -> Subject:
    """Return this SDK, one ``ApiClient`` per subject (shared by every thread)."""
    import katanemo_identity

    def new_client(pool_size: int = 16) -> katanemo_identity.ApiClient:
        configuration = katanemo_identity.Configuration(
            host=base_url,
            access_token=TOKEN,
            user_agent=USER_AGENT,
            connection_pool_maxsize=pool_size,
        )
        return katanemo_identity.ApiClient(configuration)

    key_request = katanemo_identity.ClientKeyRequest(default_role_id="roleId1", client_name="bench")

    def build() -> Calls:
        client = new_client()
        api = katanemo_identity.IdentityApi(client)
        return Calls(
            get_users_for_account=lambda: api.get_users_for_account(ACCOUNT_ID),
            get_client_key_list=lambda: api.get_client_key_list(ACCOUNT_ID),
            get_user=lambda: api.get_user(ACCOUNT_ID, USER_ID),
            create_client_key=lambda: api.create_client_key(ACCOUNT_ID, key_request),
            close=client.close,
        )

    def build_threaded(threads: int) -> tuple[list[Callable[[], object]], Callable[[], None]]:
        client = new_client(max(threads, 1))
        api = katanemo_identity.IdentityApi(client)
        return [lambda: api.get_user(ACCOUNT_ID, USER_ID)] * threads, client.close

    return Subject(
        "katanemo_identity",
        build,
        build_threaded,
        "import katanemo_identity",
        "import katanemo_identity; katanemo_identity.IdentityApi",
    )


def generated_subject(base_url: str, package_dir: Path) -> Subject:
    """Return openapi-generator's python client, imported from ``package_dir``."""
    sys.path.insert(0, str(package_dir))
    generated = _import(GENERATED_PACKAGE)

    def new_client(pool_size: int = 16) -> object:
        configuration = generated.Configuration(host=base_url, access_token=TOKEN)
        # Its default pool is 5 per CPU; give it as many connections as ours.
        configuration.connection_pool_maxsize = pool_size
        client = generated.ApiClient(configuration)
        client.user_agent = USER_AGENT
        return client

    key_request = generated.ClientKeyRequest.from_dict(
        {"defaultRoleId": "roleId1", "clientName": "bench"}
    )

    def close(client: object) -> Callable[[], None]:
        return lambda: client.rest_client.pool_manager.clear()  # type: ignore[attr-defined]

    def build() -> Calls:
        client = new_client()
        api = generated.IdentityApi(client)
        return Calls(
            get_users_for_account=lambda: api.get_users_for_account(ACCOUNT_ID),
            get_client_key_list=lambda: api.get_client_key_list(ACCOUNT_ID),
            get_user=lambda: api.get_user(ACCOUNT_ID, USER_ID),
            create_client_key=lambda: api.create_client_key(ACCOUNT_ID, key_request),
            close=close(client),
        )

    def build_threaded(threads: int) -> tuple[list[Callable[[], object]], Callable[[], None]]:
        client = new_client(max(threads, 1))
        api = generated.IdentityApi(client)
        return [lambda: api.get_user(ACCOUNT_ID, USER_ID)] * threads, close(client)

    return Subject(
        "openapi-generator",
        build,
        build_threaded,
        f"import {GENERATED_PACKAGE}",
        f"import {GENERATED_PACKAGE}; {GENERATED_PACKAGE}.IdentityApi",
        import_path=str(package_dir),
    )


def _import(name: str) -> ModuleType:
    return __import__(name)


# -- openapi-generator's client ----------------------------------------------


def find_spec(explicit: str | None) -> Path | None:
    """Return the OpenAPI document: ``--spec``, the package's own copy, or the shared one."""
    if explicit:
        return Path(explicit)
    package_dir = REPO_DIR / "katanemo_identity"
    own = sorted(package_dir.glob("*.yaml")) + sorted(package_dir.glob("*.json"))
    if own:
        return own[0]
    shared = REPO_DIR.parent / "shared" / "spec" / "identity-api.yaml"
    return shared if shared.is_file() else None


def generate_client(spec: Path | None) -> tuple[Path | None, str]:
    """Generate openapi-generator's python client into ``bench/.work``, once per spec and version.

    Returns the directory to put on ``sys.path`` and the generator's
    version, or None and the reason it was skipped.
    """
    if spec is None or not spec.is_file():
        return None, "skipped: no OpenAPI document found (pass --spec)"
    if shutil.which("java") is None:
        return None, "skipped: Java is not installed"
    try:
        version = importlib.metadata.version("openapi-generator-cli")
    except importlib.metadata.PackageNotFoundError:
        return None, "skipped: the openapi-generator-cli package is not installed"
    command = shutil.which("openapi-generator-cli", path=str(Path(sys.executable).parent))
    command = command or shutil.which("openapi-generator-cli")
    if command is None:
        return None, "skipped: the openapi-generator-cli command is not on PATH"
    digest = hashlib.sha256(spec.read_bytes() + version.encode()).hexdigest()[:12]
    target = WORK_DIR / f"openapi-python-{digest}"
    if not (target / GENERATED_PACKAGE / "__init__.py").is_file():
        scratch = WORK_DIR / f"openapi-python-{digest}.tmp-{os.getpid()}"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                command,
                "generate",
                "-g",
                "python",
                "-i",
                str(spec),
                "-o",
                str(scratch),
                f"--additional-properties=packageName={GENERATED_PACKAGE}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            shutil.rmtree(scratch, ignore_errors=True)
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"skipped: openapi-generator failed ({last[0][:120]})"
        shutil.rmtree(target, ignore_errors=True)
        scratch.rename(target)
    return target, version


# -- the canned server -------------------------------------------------------


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


# -- measuring ---------------------------------------------------------------


@dataclass
class Sample:
    """Medians of per-call client CPU and wall time, in milliseconds."""

    cpu_ms: float
    wall_ms: float


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

SCENARIOS = ("get_users_for_account", "get_client_key_list", "get_user", "create_client_key")


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


def measure_imports(subjects: list[Subject], settings: Settings, results: Results) -> None:
    """Time ``python -c "import ..."`` in fresh interpreters, runs interleaved."""
    statements = {"interpreter start (python -c pass)": ("pass", None)}
    for subject in subjects:
        statements[subject.name] = (subject.import_statement, subject.import_path)
        statements[subject.name + FIRST_USE] = (subject.first_use_statement, subject.import_path)
        results.import_statements[subject.name] = subject.import_statement
        results.import_statements[subject.name + FIRST_USE] = subject.first_use_statement
    wall: dict[str, list[float]] = {name: [] for name in statements}
    cpu: dict[str, list[float]] = {name: [] for name in statements}
    # Warm-up runs fill the file cache and are not counted.
    for _ in range(settings.import_warmups + settings.import_runs):
        for name, (statement, path) in statements.items():
            environment = dict(os.environ)
            environment.pop("PYTHONPATH", None)
            if path is not None:
                environment["PYTHONPATH"] = path
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", statement], env=environment, check=True)
            elapsed = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall[name].append(elapsed * 1000)
            cpu[name].append(
                (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
            )
    for name in statements:
        counted = slice(settings.import_warmups, None)
        sample = Sample(
            statistics.median(cpu[name][counted]), statistics.median(wall[name][counted])
        )
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
    runs = {"pass": [sys.executable, "-c", "pass"]}
    runs.update({" ".join(words): [*command, *words] for words in CLI_COMMANDS})
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(settings.import_warmups + settings.import_runs):
        for name, argv in runs.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
            elapsed = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall[name].append(elapsed * 1000)
            cpu[name].append(
                (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
            )
    counted = slice(settings.import_warmups, None)
    for name in runs:
        sample = Sample(
            statistics.median(cpu[name][counted]), statistics.median(wall[name][counted])
        )
        if name == "pass":
            results.cli_interpreter = sample
        else:
            results.cli[name] = sample


def render_cli(results: Results, settings: Settings, *, alone: bool = False) -> str:
    """Return the command line's start-up as a Markdown table, with the run it came from."""
    base = results.cli_interpreter
    assert base is not None
    lines = [
        f"Measured {datetime.date.today().isoformat()} by `python bench/run.py"
        + (" --quick" if settings.mode == "quick" else "")
        + (" --cli-only" if alone else "")
        + f"`, Python {platform.python_version()}, katanemo-identity "
        f"{_version('katanemo-identity')}, median of {settings.import_runs} runs.",
        "",
        "Start-up of the command line in a fresh process against the interpreter's own "
        "(ms, median; CPU is the child's user + system):",
        "",
        _row(["command", "wall", "CPU", "over `python -c pass`", "ratio", "target"]),
        _row(["---"] * 6),
        _row(["`python -c pass`", f"{base.wall_ms:.1f}", f"{base.cpu_ms:.1f}", "", "1.00x", ""]),
    ]
    for name, sample in results.cli.items():
        over = sample.wall_ms - base.wall_ms
        target = (
            f"<= +{CLI_TARGET_MS:.0f} ms: {_met(over <= CLI_TARGET_MS)}"
            if name in ("--version", "--help")
            else ""
        )
        lines.append(
            _row(
                [
                    f"`katanemo-identity {name}`",
                    f"{sample.wall_ms:.1f}",
                    f"{sample.cpu_ms:.1f}",
                    f"{over:+.1f} ms",
                    _ratio(sample.wall_ms, base.wall_ms),
                    target,
                ]
            )
        )
    return "\n".join(lines) + "\n"


# -- tracing: the cost per call of katanemo_identity.otel.Tracing ------------

#: The tracing setups measured, by label.
TRACING_OFF = "off (no hooks)"
TRACING_API = "Tracing, opentelemetry-api only (no-op providers)"
TRACING_SDK = "Tracing, opentelemetry-sdk: operation + request spans, the duration metric"
TRACING_COMMON = "common set-up: an operation span + the urllib3 instrumentation (spans, metrics)"


@dataclass
class TracingSetup:
    """The hooks of one tracing setup, and what to switch on around its rounds alone."""

    hooks: list[Hook]
    around: Callable[[bool], None] = lambda on: None


def tracing_setups() -> tuple[dict[str, Callable[[], TracingSetup]], str | None]:
    """Return the tracing setups to measure, or why they cannot be (OpenTelemetry missing)."""
    try:
        from opentelemetry import context, trace
        from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor
        from opentelemetry.metrics import NoOpMeterProvider
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import (
            SimpleSpanProcessor,
            SpanExporter,
            SpanExportResult,
        )
        from opentelemetry.trace import NoOpTracerProvider, SpanKind

        from katanemo_identity.hooks import AttemptEnded, CallEnded, CallStarted, Hook
        from katanemo_identity.otel import Tracing
    except ImportError as error:
        return {}, f"skipped: {error.name} is not installed (pip install -e '.[test]')"

    class Discard(SpanExporter):
        """Accepts every span and keeps none: the cost measured is the SDK's, not an export's."""

        def export(self, spans: object) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    def providers() -> tuple[TracerProvider, MeterProvider]:
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(Discard()))
        return tracer_provider, MeterProvider(metric_readers=[InMemoryMetricReader()])

    class OperationSpan(Hook):
        """The span per call a hook made before request spans: CLIENT, HTTP attributes, an
        event per attempt, current while the call sends so the urllib3 spans nest under it."""

        def __init__(self, provider: TracerProvider) -> None:
            self.tracer = trace.get_tracer("bench", tracer_provider=provider)
            self.open: list[tuple[trace.Span, object]] = []

        def call_started(self, event: CallStarted) -> None:
            span = self.tracer.start_span(
                "IdentityApi." + event.operation,
                kind=SpanKind.CLIENT,
                attributes={
                    "http.request.method": event.method,
                    "server.address": "127.0.0.1",
                    "server.port": 80,
                    "url.scheme": "http",
                    "url.template": event.url_template,
                },
            )
            self.open.append((span, context.attach(trace.set_span_in_context(span))))

        def attempt_ended(self, event: AttemptEnded) -> None:
            self.open[-1][0].add_event(
                "attempt", {"katanemo_identity.attempt": event.attempt, "d": event.elapsed}
            )

        def call_ended(self, event: CallEnded) -> None:
            span, token = self.open.pop()
            span.set_attributes(
                {"http.response.status_code": event.status or 0, "http.request.resend_count": 0}
            )
            span.end()
            context.detach(token)  # type: ignore[arg-type]

    def sdk() -> TracingSetup:
        tracer_provider, meter_provider = providers()
        return TracingSetup([Tracing(tracer_provider, meter_provider=meter_provider)])

    def common() -> TracingSetup:
        tracer_provider, meter_provider = providers()
        instrumentor = URLLib3Instrumentor()

        def around(on: bool) -> None:
            # Instrumenting patches urllib3 for the whole process: on for this
            # setup's rounds only, so it costs the other setups nothing.
            if on:
                instrumentor.instrument(
                    tracer_provider=tracer_provider, meter_provider=meter_provider
                )
            else:
                instrumentor.uninstrument()

        return TracingSetup([OperationSpan(tracer_provider)], around)

    return {
        TRACING_OFF: lambda: TracingSetup([]),
        TRACING_API: lambda: TracingSetup(
            [Tracing(NoOpTracerProvider(), meter_provider=NoOpMeterProvider())]
        ),
        TRACING_SDK: sdk,
        TRACING_COMMON: common,
    }, None


def measure_tracing(base_url: str, settings: Settings, results: Results) -> None:
    """Time ``get_user`` with each tracing setup, rounds interleaved."""
    import katanemo_identity

    makers, skipped = tracing_setups()
    if skipped is not None:
        results.skipped["tracing"] = skipped
        return
    setups = {label: make() for label, make in makers.items()}
    apis: dict[str, katanemo_identity.IdentityApi] = {}
    for label, setup in setups.items():
        configuration = katanemo_identity.Configuration(
            host=base_url, access_token=TOKEN, user_agent=USER_AGENT, hooks=setup.hooks
        )
        apis[label] = katanemo_identity.IdentityApi(katanemo_identity.ApiClient(configuration))
    cpu: dict[str, list[float]] = {label: [] for label in apis}
    wall: dict[str, list[float]] = {label: [] for label in apis}
    try:
        for label, api in apis.items():  # warm up: connections, validators, tracers
            setups[label].around(True)
            try:
                for _ in range(max(2, settings.small_calls // 10)):
                    api.get_user(ACCOUNT_ID, USER_ID)
            finally:
                setups[label].around(False)
        for round_index in range(settings.rounds):
            labels = list(apis)
            labels = labels[round_index % len(labels) :] + labels[: round_index % len(labels)]
            for label in labels:
                api = apis[label]
                setups[label].around(True)
                try:
                    gc.collect()
                    cpu_start, wall_start = time.process_time(), time.perf_counter()
                    for _ in range(settings.small_calls):
                        api.get_user(ACCOUNT_ID, USER_ID)
                    cpu_spent = time.process_time() - cpu_start
                    wall_spent = time.perf_counter() - wall_start
                finally:
                    setups[label].around(False)
                cpu[label].append(cpu_spent / settings.small_calls * 1000)
                wall[label].append(wall_spent / settings.small_calls * 1000)
    finally:
        for api in apis.values():
            api.api_client.close()
    results.tracing = {
        label: Sample(statistics.median(cpu[label]), statistics.median(wall[label]))
        for label in apis
    }


def render_tracing(results: Results) -> list[str]:
    """Return the lines of the tracing table (or why it was skipped), and its target."""
    lines = [
        "",
        "`get_user` with tracing (`katanemo_identity.otel.Tracing` in `hooks`), per call:",
        "",
    ]
    if not results.tracing:
        return [*lines, results.skipped.get("tracing", "skipped")]
    off = results.tracing[TRACING_OFF]
    lines += [
        _row(["tracing", "client CPU (ms)", "wall (ms)", "CPU added per call (µs)"]),
        _row(["---"] * 4),
    ]
    for label, sample in results.tracing.items():
        added = "" if label == TRACING_OFF else f"{(sample.cpu_ms - off.cpu_ms) * 1000:+.0f}"
        lines.append(_row([label, f"{sample.cpu_ms:.3f}", f"{sample.wall_ms:.3f}", added]))
    ours, common = results.tracing[TRACING_SDK], results.tracing[TRACING_COMMON]
    lines += [
        "",
        f"Target: the SDK's tracing costs no more CPU per call than the common set-up: "
        f"{ours.cpu_ms:.3f} ms against {common.cpu_ms:.3f} ms, "
        f"{_met(ours.cpu_ms <= common.cpu_ms)}.",
    ]
    return lines


# -- reporting ---------------------------------------------------------------


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.2f}x" if floor > 0 else "n/a"


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def render(results: Results, settings: Settings, generator: str) -> str:
    """Return the results as Markdown: the machine, then one table per measure."""
    floor, sdk = results.subjects[0], results.subjects[1]
    other = results.subjects[2] if len(results.subjects) > 2 else None
    lines = [
        f"Measured {datetime.date.today().isoformat()} by `python bench/run.py`"
        + (" --quick" if settings.mode == "quick" else "")
        + f" ({settings.mode} mode).",
        "",
        f"- Machine: {_machine()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"urllib3 {_version('urllib3')}, pydantic {_version('pydantic')}, "
        f"pydantic-core {_version('pydantic-core')}, katanemo-identity {_version('katanemo-identity')}",
        f"- openapi-generator: {generator}",
        f"- Sizes: {settings.users} users, {settings.keys} keys; median of {settings.rounds} "
        f"rounds of {settings.list_calls} list calls or {settings.small_calls} small calls; "
        f"{settings.threads} threads x {settings.thread_calls} calls, median of "
        f"{settings.thread_rounds} rounds; imports median of {settings.import_runs} runs.",
        "",
        "Client CPU time per call (ms, `time.process_time()` in the client process), "
        "wall time per call (ms), and the ratio to the floor:",
        "",
    ]
    header = ["call", "floor CPU", "SDK CPU", "SDK / floor", "target", "floor wall", "SDK wall"]
    if other:
        header += ["generator CPU", "generator / floor", "generator wall"]
    lines += [_row(header), _row(["---"] * len(header))]
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
            f"<= {CPU_TARGET:.2f}x: {_met(ratio <= CPU_TARGET)}",
            f"{samples[floor].wall_ms:.3f}",
            f"{samples[sdk].wall_ms:.3f}",
        ]
        if other:
            row += [
                f"{samples[other].cpu_ms:.3f}",
                _ratio(samples[other].cpu_ms, samples[floor].cpu_ms),
                f"{samples[other].wall_ms:.3f}",
            ]
        lines.append(_row(row))

    thread_ratio = results.threads[sdk] / results.threads[floor]
    lines += [
        "",
        f"`get_user` throughput, {settings.threads} threads (calls/s; the floor is "
        f"{settings.threads} bare urllib3 pools, one per thread; the SDK is one shared client):",
        "",
        _row(["client", "calls/s", "ratio to floor", "target"]),
        _row(["---"] * 4),
        _row([floor, f"{results.threads[floor]:.0f}", "1.00x", ""]),
        _row(
            [
                sdk,
                f"{results.threads[sdk]:.0f}",
                f"{thread_ratio:.2f}x",
                f">= {THREAD_TARGET:.2f}x: {_met(thread_ratio >= THREAD_TARGET)}",
            ]
        ),
    ]
    timed_floor = results.threads[FLOOR_WITH_TIMEOUT]
    lines.append(
        _row(
            [
                FLOOR_WITH_TIMEOUT,
                f"{timed_floor:.0f}",
                _ratio(timed_floor, results.threads[floor]),
                f"the SDK is {results.threads[sdk] / timed_floor:.2f}x of this",
            ]
        )
    )
    if other:
        lines.append(
            _row(
                [
                    other,
                    f"{results.threads[other]:.0f}",
                    _ratio(results.threads[other], results.threads[floor]),
                    "",
                ]
            )
        )

    lines += render_tracing(results)

    assert results.interpreter is not None
    base = results.interpreter
    lines += [
        "",
        "`import` in a fresh interpreter (`python -c`; ms, median; CPU is the child's user + system):",
        "",
        _row(["statement", "wall", "CPU", "over the floor", "target"]),
        _row(["---"] * 5),
        _row(["`pass` (interpreter start)", f"{base.wall_ms:.1f}", f"{base.cpu_ms:.1f}", "", ""]),
    ]
    for name, sample in results.imports.items():
        first_use = name.endswith(FIRST_USE)
        reference = results.imports[floor + FIRST_USE if first_use else floor].wall_ms
        over = sample.wall_ms - reference
        is_floor = name in (floor, floor + FIRST_USE)
        if name == sdk:
            target = f"<= +{IMPORT_TARGET_MS:.0f} ms: {_met(over <= IMPORT_TARGET_MS)}"
        elif name == sdk + FIRST_USE:
            target = "reported (the cost moved to first use)"
        else:
            target = ""
        lines.append(
            _row(
                [
                    f"`{results.import_statements[name]}`",
                    f"{sample.wall_ms:.1f}",
                    f"{sample.cpu_ms:.1f}",
                    "" if is_floor else f"{over:+.1f} ms",
                    target,
                ]
            )
        )
    return "\n".join(lines) + "\n"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


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


# -- entry point -------------------------------------------------------------


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
