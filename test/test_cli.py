"""The ``katanemo-identity`` command, run in-process against a real reference server.

``main([...])`` is called with pytest's ``capsys`` capturing stdout and
stderr; ``serve`` and ``demo`` are also run as real subprocesses of
``python -m katanemo_identity``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import needs_posix_signals
from servers import RawServer, closed_port_url

from katanemo_identity import __version__
from katanemo_identity.cli import (
    ACCOUNT_ENV,
    EXIT_API_ERROR,
    EXIT_CONNECTION,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    main,
)
from katanemo_identity.configuration import HOST_ENV, TOKEN_ENV
from katanemo_identity.testing import IdentityServer

TOKEN = "cli-test-token"

OPERATIONS = (
    "create_client_key",
    "get_client_key_list",
    "get_client_key",
    "create_user_for_account",
    "update_user",
    "get_user",
    "get_users_for_account",
    "delete_client_key",
)


@dataclass
class Result:
    """What one run of the command left behind."""

    code: int
    out: str
    err: str

    def json(self) -> object:
        """Parse stdout, which must be one JSON document and nothing else."""
        return json.loads(self.out)


#: Runs the command against the test's server: ``cli(*argv, account=..., token=...)``.
Cli = Callable[..., Result]


@pytest.fixture(autouse=True)
def no_account_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ACCOUNT_ENV, raising=False)


@pytest.fixture
def server() -> Iterator[IdentityServer]:
    with IdentityServer(access_token=TOKEN) as running:
        yield running


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], server: IdentityServer) -> Cli:
    """Run the command against ``server``, account ``acme``, and return what it did."""

    def run(*argv: str, account: str | None = "acme", token: str = TOKEN) -> Result:
        connection = ["--host", server.url, "--token", token, "--retries", "0"]
        if account is not None:
            connection += ["--account", account]
        return invoke(capsys, *argv, *connection)

    return run


def invoke(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def create_key(cli: Cli, name: str = "ci-deploy") -> tuple[str, str]:
    created = cli("keys", "create", "--name", name, "--role", "deployer", "--json").json()
    return created["clientId"], created["clientSecret"]


def assert_one_error_line(result: Result, code: int, *expected: str) -> None:
    assert result.code == code
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("katanemo-identity: error: ")
    assert "Traceback" not in result.err
    for text in expected:
        assert text in lines[0]


# -- keys --------------------------------------------------------------------


def test_keys_create_shows_the_secret_once_with_a_note_to_store_it(cli: Cli) -> None:
    result = cli("keys", "create", "--name", "ci-deploy", "--role", "deployer")

    assert result.code == EXIT_OK
    header, row, note = result.out.splitlines()
    assert header.split() == ["CLIENT", "ID", "CLIENT", "SECRET"]
    client_id, secret = row.split()
    assert len(secret) >= 16
    assert "shown only this once" in note
    assert result.err == ""

    listed = cli("keys", "list")
    fetched = cli("keys", "get", client_id)
    listed_json = cli("keys", "list", "--json")
    fetched_json = cli("keys", "get", client_id, "--json")
    for later in (listed, fetched, listed_json, fetched_json):
        assert later.code == EXIT_OK
        assert client_id in later.out
        assert secret not in later.out + later.err


def test_keys_create_json_prints_only_the_credentials_and_notes_on_stderr(cli: Cli) -> None:
    result = cli("keys", "create", "--name", "ci", "--role", "deployer", "--json")

    assert result.code == EXIT_OK
    document = result.json()
    assert set(document) == {"clientId", "clientSecret"}
    assert "shown only this once" in result.err


def test_keys_list_prints_a_table_of_the_accounts_keys(cli: Cli) -> None:
    first, _ = create_key(cli, "ci-deploy")
    second, _ = create_key(cli, "nightly")

    result = cli("keys", "list")

    assert result.code == EXIT_OK
    header, *rows = result.out.splitlines()
    assert header.split() == ["KEY", "ID", "NAME", "ROLES", "ACTIVE", "SERVICE"]
    assert sorted(row.split()[:4] for row in rows) == sorted(
        [[first, "ci-deploy", "deployer", "yes"], [second, "nightly", "deployer", "yes"]]
    )


def test_keys_list_of_an_empty_account_says_none(cli: Cli) -> None:
    result = cli("keys", "list", account="empty")

    assert result.code == EXIT_OK
    assert result.out.splitlines()[1] == "(none)"
    assert cli("keys", "list", "--json", account="empty").json() == []


def test_keys_list_json_is_a_list_of_key_objects(cli: Cli) -> None:
    key_id, _ = create_key(cli)

    keys = cli("keys", "list", "--json").json()

    assert [(key["clientKeyId"], key["clientName"], key["roles"]) for key in keys] == [
        (key_id, "ci-deploy", ["deployer"])
    ]


def test_keys_get_shows_one_key_as_table_and_json(cli: Cli) -> None:
    key_id, _ = create_key(cli)

    table = cli("keys", "get", key_id)
    document = cli("keys", "get", key_id, "--json").json()

    assert table.code == EXIT_OK
    assert len(table.out.splitlines()) == 2
    assert table.out.splitlines()[1].split()[:2] == [key_id, "ci-deploy"]
    assert document["clientKeyId"] == key_id
    assert document["accountId"] == "acme"


def test_keys_delete_removes_the_key(cli: Cli) -> None:
    key_id, _ = create_key(cli, "one")
    other_id, _ = create_key(cli, "two")

    table = cli("keys", "delete", key_id)
    document = cli("keys", "delete", other_id, "--json").json()

    assert table.code == EXIT_OK
    assert table.out.startswith(f"Deleted key {key_id}")
    assert document["clientKeyId"] == other_id
    assert document["deleted"] is True
    assert cli("keys", "list", "--json").json() == []


def test_control_characters_from_the_server_cannot_reach_the_terminal(cli: Cli) -> None:
    key_id, _ = create_key(cli, "evil\x1b[2J\nname")

    result = cli("keys", "get", key_id)

    assert "\x1b" not in result.out
    assert len(result.out.splitlines()) == 2
    assert "evil [2J name" in result.out


# -- users -------------------------------------------------------------------


def test_users_invite_prints_the_user_without_the_token(cli: Cli, server: IdentityServer) -> None:
    result = cli(
        "users",
        "invite",
        "ada@example.com",
        "--role",
        "admin",
        "--role",
        "viewer",
        "--tag",
        "team=core",
        "--tag",
        "team=infra",
        "--tag",
        "site=lon",
    )

    assert result.code == EXIT_OK
    header, row = result.out.splitlines()
    assert header.split() == ["USER", "ID", "ROLES", "TAGS", "ADMIN", "ACTIVE"]
    assert row.split()[:3] == ["ada@example.com", "admin,viewer", "team=core,infra;site=lon"]
    assert "token" not in result.out.lower()


def test_users_invite_json_includes_the_new_users_token(cli: Cli) -> None:
    user = cli("users", "invite", "ada@example.com", "--role", "admin", "--json").json()

    assert user["userId"] == "ada@example.com"
    assert user["roles"] == ["admin"]
    assert isinstance(user["token"], str)
    assert user["token"]


def test_users_list_shows_every_user_and_never_a_token(cli: Cli) -> None:
    tokens = [
        cli("users", "invite", email, "--json").json()["token"]
        for email in ("ada@example.com", "grace@example.com")
    ]

    table = cli("users", "list")
    documents = cli("users", "list", "--json").json()

    assert table.code == EXIT_OK
    assert sorted(line.split()[0] for line in table.out.splitlines()[1:]) == [
        "ada@example.com",
        "grace@example.com",
    ]
    assert sorted(user["userId"] for user in documents) == ["ada@example.com", "grace@example.com"]
    assert all("token" not in user for user in documents)
    for token in tokens:
        assert token not in table.out
        assert token not in json.dumps(documents)


def test_users_get_shows_one_user_without_the_token(cli: Cli) -> None:
    token = cli("users", "invite", "ada@example.com", "--role", "admin", "--json").json()["token"]

    table = cli("users", "get", "ada@example.com")
    document = cli("users", "get", "ada@example.com", "--json").json()

    assert table.code == EXIT_OK
    assert table.out.splitlines()[1].split()[:2] == ["ada@example.com", "admin"]
    assert document["userId"] == "ada@example.com"
    assert "token" not in document
    assert token not in table.out


def test_users_update_changes_only_the_fields_given(cli: Cli) -> None:
    cli("users", "invite", "ada@example.com", "--role", "viewer", "--tag", "team=core")

    table = cli("users", "update", "ada@example.com", "--role", "admin")
    document = cli("users", "update", "ada@example.com", "--tag", "team=infra", "--json").json()

    assert table.code == EXIT_OK
    assert table.out.splitlines()[1].split()[:3] == ["ada@example.com", "admin", "team=core"]
    assert document["roles"] == ["admin"]
    assert document["tags"] == {"team": ["infra"]}
    assert "token" not in document


# -- errors ------------------------------------------------------------------


def test_unknown_key_prints_one_404_line_and_exits_1(cli: Cli) -> None:
    result = cli("keys", "get", "no-such-key")

    assert_one_error_line(result, EXIT_API_ERROR, "404", "list them to see which exist")


def test_deleted_key_is_404_on_delete_again(cli: Cli) -> None:
    key_id, _ = create_key(cli)
    cli("keys", "delete", key_id)

    assert_one_error_line(cli("keys", "delete", key_id), EXIT_API_ERROR, "404")


def test_with_json_an_error_is_one_json_object_on_stderr(cli: Cli) -> None:
    result = cli("keys", "get", "no-such-key", "--json")

    assert result.code == EXIT_API_ERROR
    assert result.out == ""
    assert result.err.count("\n") == 1
    document = json.loads(result.err)
    assert document == {
        "error": "NotFoundException",
        "message": document["message"],
        "status": 404,
        "outcome_unknown": False,
        "exit_status": EXIT_API_ERROR,
    }
    assert document["message"].startswith("404 Not Found: ")


def test_duplicate_key_name_prints_one_409_line_and_exits_1(cli: Cli) -> None:
    create_key(cli, "ci-deploy")

    result = cli("keys", "create", "--name", "ci-deploy", "--role", "deployer")

    assert_one_error_line(result, EXIT_API_ERROR, "409", "already exists")


def test_inviting_a_user_twice_prints_one_409_line(cli: Cli) -> None:
    cli("users", "invite", "ada@example.com")

    assert_one_error_line(cli("users", "invite", "ada@example.com"), EXIT_API_ERROR, "409")


def test_invite_with_a_bad_email_prints_one_400_line_and_exits_1(cli: Cli) -> None:
    result = cli("users", "invite", "not-an-email")

    assert_one_error_line(result, EXIT_API_ERROR, "400", "Fix the request")


def test_wrong_token_prints_one_401_line_and_exits_1(cli: Cli) -> None:
    result = cli("keys", "list", token="wrong-token")

    assert_one_error_line(result, EXIT_API_ERROR, "401", "KATANEMO_IDENTITY_TOKEN")
    assert "wrong-token" not in result.err


def test_unknown_user_prints_one_404_line(cli: Cli) -> None:
    assert_one_error_line(cli("users", "get", "nobody@example.com"), EXIT_API_ERROR, "404")


def test_connection_refused_prints_one_line_and_exits_3(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = closed_port_url()

    result = invoke(capsys, "keys", "list", "--account", "acme", "--host", url, "--retries", "0")

    assert_one_error_line(result, EXIT_CONNECTION, "could not connect", url, "--host")


def test_a_dead_proxy_is_named_and_the_advice_is_not_to_check_host(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = closed_port_url()
    monkeypatch.setenv("HTTPS_PROXY", dead.replace("http://", "http://ann:pw-s3cret@"))

    result = invoke(
        capsys, "keys", "list", "--account", "acme", "--host", "https://api.example.invalid"
    )

    shown = dead.replace("http://", "http://***@")
    assert_one_error_line(result, EXIT_CONNECTION, f"could not connect to the proxy {shown}")
    assert "--host" not in result.err
    assert "proxy is running" in result.err
    assert "pw-s3cret" not in result.err


def test_read_timeout_prints_one_line_and_exits_3_without_hanging(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with RawServer(RawServer.never_answer(hold=3.0)) as silent:
        started = time.monotonic()
        result = invoke(
            capsys,
            "users",
            "list",
            "--account",
            "acme",
            "--host",
            silent.url,
            "--timeout",
            "0.3",
            "--retries",
            "0",
        )

    assert time.monotonic() - started < 5
    assert_one_error_line(result, EXIT_CONNECTION, "timed out", "--timeout")
    assert "may have been applied" not in result.err  # a list changes nothing


def test_create_cut_off_by_a_timeout_warns_it_may_have_been_applied(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with RawServer(RawServer.never_answer(hold=3.0)) as silent:
        result = invoke(
            capsys,
            "keys",
            "create",
            "--name",
            "n",
            "--role",
            "r",
            "--account",
            "acme",
            "--host",
            silent.url,
            "--timeout",
            "0.3",
        )

    assert_one_error_line(result, EXIT_CONNECTION, "may have been applied", "list to check")


def test_missing_account_is_a_usage_error(cli: Cli) -> None:
    result = cli("keys", "list", account=None)

    assert result.code == EXIT_USAGE
    assert "--account" in result.err
    assert result.out == ""


def test_malformed_tag_is_a_usage_error(cli: Cli) -> None:
    result = cli("users", "invite", "ada@example.com", "--tag", "team")

    assert result.code == EXIT_USAGE
    assert "KEY=VALUE" in result.err


def test_update_with_nothing_to_change_is_a_usage_error(cli: Cli, server: IdentityServer) -> None:
    result = cli("users", "update", "ada@example.com")

    assert result.code == EXIT_USAGE
    assert "nothing to update" in result.err


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [("--host", "ftp://example.com", "http"), ("--timeout", "0", "timeout")],
)
def test_a_value_the_sdk_refuses_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], option: str, value: str, named: str
) -> None:
    argv = ["keys", "list", "--account", "acme", "--host", "http://127.0.0.1:9", option, value]

    result = invoke(capsys, *argv)

    assert_one_error_line(result, EXIT_USAGE, named)


# -- environment, version ------------------------------------------------------


def test_host_token_and_account_default_to_the_environment(
    capsys: pytest.CaptureFixture[str], server: IdentityServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOST_ENV, server.url)
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    monkeypatch.setenv(ACCOUNT_ENV, "from-env")

    created = invoke(capsys, "keys", "create", "--name", "env", "--role", "r", "--json")
    listed = invoke(capsys, "keys", "list", "--json")

    assert created.code == EXIT_OK
    assert [key["accountId"] for key in listed.json()] == ["from-env"]


def test_options_override_the_environment(
    capsys: pytest.CaptureFixture[str], server: IdentityServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOST_ENV, closed_port_url())
    monkeypatch.setenv(TOKEN_ENV, "stale-token")
    monkeypatch.setenv(ACCOUNT_ENV, "other")

    result = invoke(
        capsys,
        "keys",
        "list",
        "--json",
        "--host",
        server.url,
        "--token",
        TOKEN,
        "--account",
        "acme",
    )

    assert result.code == EXIT_OK
    assert result.json() == []


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    result = invoke(capsys, "--version")

    assert result.code == EXIT_OK
    assert result.out.strip() == f"katanemo-identity {__version__}"


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    result = invoke(capsys)

    assert result.code == EXIT_USAGE
    assert "COMMAND" in result.err


# -- demo --------------------------------------------------------------------


def test_demo_module_run_walks_through_every_operation_and_exits_0() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "katanemo_identity", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_environment_without_sdk_settings(),
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    for operation in OPERATIONS:
        assert operation in completed.stdout
    assert "NotFoundException: 404" in completed.stdout
    assert "ConflictException: 409" in completed.stdout
    assert completed.stderr == ""


def test_demo_whose_reader_has_gone_ends_with_exit_1_and_no_traceback() -> None:
    reader, writer = os.pipe()
    os.close(reader)  # as ``| head`` does once it has what it wants: every write now fails
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "katanemo_identity", "demo"],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env=_environment_without_sdk_settings(),
            check=False,
        )
    finally:
        os.close(writer)

    assert completed.returncode == EXIT_API_ERROR
    assert completed.stderr == ""


def test_demo_against_a_host_leaves_its_users_and_removes_its_key(
    capsys: pytest.CaptureFixture[str], server: IdentityServer
) -> None:
    result = invoke(
        capsys,
        "demo",
        "--host",
        server.url,
        "--token",
        TOKEN,
        "--account",
        "shared",
    )

    assert result.code == EXIT_OK, result.err
    for operation in OPERATIONS:
        assert operation in result.out
    listed = invoke(
        capsys,
        "users",
        "list",
        "--json",
        "--host",
        server.url,
        "--token",
        TOKEN,
        "--account",
        "shared",
    )
    assert len(listed.json()) == 2
    keys = invoke(
        capsys,
        "keys",
        "list",
        "--json",
        "--host",
        server.url,
        "--token",
        TOKEN,
        "--account",
        "shared",
    )
    assert keys.json() == []


def test_demo_ignores_the_host_environment_variable_and_runs_embedded(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOST_ENV, closed_port_url())
    monkeypatch.setenv(TOKEN_ENV, "some-real-token")

    result = invoke(capsys, "demo")

    assert result.code == EXIT_OK, result.err
    assert "embedded reference server" in result.out.splitlines()[0]
    assert "Done: all eight operations ran." in result.out


def test_demo_against_a_closed_port_prints_one_line_and_exits_3(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = invoke(capsys, "demo", "--host", closed_port_url(), "--retries", "0")

    assert result.code == EXIT_CONNECTION
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err


# -- serve -------------------------------------------------------------------


@needs_posix_signals
def test_serve_prints_its_url_serves_and_stops_on_ctrl_c_with_exit_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    database = tmp_path / "identity.db"
    with serving("--token", TOKEN, "--db", str(database)) as url:
        created = invoke(
            capsys,
            "keys",
            "create",
            "--name",
            "kept",
            "--role",
            "r",
            "--json",
            "--host",
            url,
            "--token",
            TOKEN,
            "--account",
            "acme",
        )
        assert created.code == EXIT_OK, created.err

    with serving("--token", TOKEN, "--db", str(database)) as url:
        listed = invoke(
            capsys,
            "keys",
            "list",
            "--json",
            "--host",
            url,
            "--token",
            TOKEN,
            "--account",
            "acme",
        )

    assert [key["clientName"] for key in listed.json()] == ["kept"]


@needs_posix_signals
def test_serve_stops_cleanly_on_sigterm(capsys: pytest.CaptureFixture[str]) -> None:
    with serving(stop_with=signal.SIGTERM) as url:
        listed = invoke(capsys, "users", "list", "--json", "--host", url, "--account", "acme")

    assert listed.code == EXIT_OK
    assert listed.json() == []


def test_serve_on_a_port_in_use_prints_one_line_and_exits_1(
    capsys: pytest.CaptureFixture[str], server: IdentityServer
) -> None:
    port = server.url.rsplit(":", 1)[1]

    result = invoke(capsys, "serve", "--port", port)

    assert result.code == EXIT_API_ERROR
    assert result.err.count("\n") == 1
    assert f"cannot serve on 127.0.0.1:{port}" in result.err


def test_serve_with_a_database_it_cannot_open_prints_one_line_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    unopenable = tmp_path / "no-such-directory" / "identity.db"

    result = invoke(capsys, "serve", "--port", "0", "--db", str(unopenable))

    assert_one_error_line(result, EXIT_API_ERROR, f"cannot open --db {unopenable}: ")


def test_serve_with_an_empty_token_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    result = invoke(capsys, "serve", "--port", "0", "--token", "")

    assert_one_error_line(result, EXIT_USAGE, "--token must not be empty")


@contextlib.contextmanager
def serving(
    *options: str, stop_with: signal.Signals = signal.SIGINT, listening: str = "http://127.0.0.1:"
) -> Iterator[str]:
    """Run ``python -m katanemo_identity serve --port 0`` and yield its URL; stop it with a signal.

    Tests that use it are marked ``needs_posix_signals``.

    On the way out, asserts the server stopped with exit 0, said so, and left no traceback.
    """
    argv = [sys.executable, "-m", "katanemo_identity", "serve", "--port", "0", *options]
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment_without_sdk_settings(),
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert f"listening on {listening}" in first, first
        yield first.rsplit(" ", 1)[1].strip()
        process.send_signal(stop_with)
        out, err = process.communicate(timeout=10)
    finally:
        if process.returncode is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Stopped." in out
    assert "Traceback" not in err


def _environment_without_sdk_settings() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if name not in (HOST_ENV, TOKEN_ENV, ACCOUNT_ENV)
    }


# -- in a process of its own: signals, IPv6, usage errors, token files, debug log ------------


def run_command(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m katanemo_identity ARGV`` in a fresh process, without the SDK's variables."""
    return subprocess.run(
        [sys.executable, "-m", "katanemo_identity", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=_environment_without_sdk_settings(),
    )


#: ``sh -c`` script: start ``katanemo-identity ARGS`` as a background job, say its pid, wait.
BACKGROUND_JOB = '"$0" -m katanemo_identity {} & echo "pid $!"; wait $!; echo "exit $?"'


@needs_posix_signals
def test_a_shell_starts_background_jobs_with_sigint_ignored() -> None:
    # The premise of the next test, shown rather than assumed.
    code = "import signal; print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)"
    shell = subprocess.run(
        ["sh", "-c", '"$0" -c "$1" & wait', sys.executable, code],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert shell.stdout.strip() == "True"


@needs_posix_signals
@pytest.mark.parametrize("stop_with", [signal.SIGINT, signal.SIGTERM])
def test_serve_started_as_a_background_shell_job_stops_on_the_signal(
    stop_with: signal.Signals,
) -> None:
    shell = subprocess.Popen(
        ["sh", "-c", BACKGROUND_JOB.format("serve --port 0"), sys.executable],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment_without_sdk_settings(),
    )
    pid = None
    try:
        assert shell.stdout is not None
        listening = False
        while pid is None or not listening:
            line = shell.stdout.readline()
            assert line, "the shell ended before the server listened"
            if line.startswith("pid "):
                pid = int(line.split()[1])
            listening = listening or "listening on " in line
        os.kill(pid, stop_with)
        out, err = shell.communicate(timeout=10)
    finally:
        if shell.returncode is None:
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
            shell.kill()
            shell.communicate()
    assert "Stopped." in out
    assert out.rstrip().endswith("exit 0")
    assert "Traceback" not in err


@needs_posix_signals
@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_serve_listens_on_ipv6_loopback(capsys: pytest.CaptureFixture[str], host: str) -> None:
    with serving("--host", host, listening="http://[::1]:") as url:
        listed = invoke(capsys, "keys", "list", "--json", "--host", url, "--account", "acme")

    assert listed.code == EXIT_OK, listed.err
    assert listed.json() == []


def test_serve_on_a_bracketed_ipv6_port_in_use_shows_the_address_once_bracketed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket(socket.AF_INET6) as taken:
        taken.bind(("::1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = invoke(capsys, "serve", "--host", "[::1]", "--port", str(port))

    assert_one_error_line(result, EXIT_API_ERROR, f"cannot serve on [::1]:{port}: ")


@pytest.mark.parametrize("port", ["99999", "-5", "65536", "abc", "80.5", "\u0663"])
def test_a_port_out_of_range_or_no_number_is_a_one_line_usage_error(port: str) -> None:
    run = run_command("serve", "--port", port)

    assert run.returncode == EXIT_USAGE
    assert run.stdout == ""
    assert run.stderr == (
        f"katanemo-identity: error: --port must be a whole number from 0 to 65535, not {port}"
        " (see 'katanemo-identity serve --help')\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["keys", "list", "--account", ""], "--account must not be empty"),
        (["keys", "get", "", "--account", "acme"], "KEY_ID must not be empty"),
        (["users", "get", "", "--account", "acme"], "EMAIL must not be empty"),
        (["keys", "create", "--account", "a", "--name", "", "--role", "r"], "--name must not"),
        (["users", "invite", "a@example.com", "--account", "a", "--role", ""], "--role must not"),
        (["keys", "list", "--account", "a", "--timeout", "-1"], "--timeout must be a number"),
        (["keys", "list", "--account", "a", "--retries", "-1"], "--retries must be a whole"),
        (["keys", "list", "--account", "a", "--timeout", "soon"], "--timeout must be a number"),
        (["keys", "list", "--account", "a", "--retries", "1.5"], "--retries must be a whole"),
        (["keys", "list", "--account", "a", "--host", "ftp://x"], "--host 'ftp://x' must be"),
        (["keys", "list", "--account", "a", "--token", ""], "--token must not be empty"),
    ],
)
def test_usage_errors_speak_the_command_lines_words(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    result = invoke(capsys, *argv)

    assert_one_error_line(result, EXIT_USAGE, message)
    assert "()" not in result.err  # no SDK function names
    assert "account_id" not in result.err


def test_an_sdk_refusal_of_a_path_value_names_the_argument(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = invoke(
        capsys, "keys", "get", "k" * 5000, "--account", "acme", "--host", closed_port_url()
    )

    assert_one_error_line(result, EXIT_USAGE, "KEY_ID is 5000 characters once encoded")


def test_with_json_a_usage_error_is_json_on_stderr() -> None:
    run = run_command("keys", "list", "--account", "", "--json")

    assert run.returncode == EXIT_USAGE
    assert run.stdout == ""
    assert json.loads(run.stderr) == {
        "error": "UsageError",
        "message": "--account must not be empty (see 'katanemo-identity keys list --help')",
        "status": None,
        "outcome_unknown": False,
        "exit_status": EXIT_USAGE,
    }


def test_with_json_a_connection_error_is_json_on_stderr() -> None:
    run = run_command(
        "keys", "create", "--account", "a", "--name", "n", "--role", "r", "--json",
        "--host", closed_port_url(), "--retries", "0",
    )  # fmt: skip

    assert run.returncode == EXIT_CONNECTION
    document = json.loads(run.stderr)
    assert document["error"] == "ApiConnectionError"
    assert document["status"] is None
    assert document["outcome_unknown"] is False
    assert "could not connect" in document["message"]


def test_version_in_a_process_of_its_own() -> None:
    run = run_command("--version")

    assert run.returncode == EXIT_OK
    assert run.stdout == f"katanemo-identity {__version__}\n"


def test_the_token_is_read_from_standard_input(server: IdentityServer) -> None:
    run = run_command(
        "keys", "list", "--json", "--account", "acme", "--host", server.url, "--token-file", "-",
        stdin=f"{TOKEN}\n",
    )  # fmt: skip

    assert run.returncode == EXIT_OK, run.stderr
    assert json.loads(run.stdout) == []
    assert server.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"


def test_the_token_is_read_from_a_file(server: IdentityServer, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(f"  {TOKEN}\r\n")

    run = run_command(
        "keys", "list", "--account", "acme", "--host", server.url, "--token-file", str(token_file)
    )

    assert run.returncode == EXIT_OK, run.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("\n  \n", "holds no token")],
    ids=["missing", "blank"],
)
def test_an_unusable_token_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | None, message: str
) -> None:
    token_file = tmp_path / "token"
    if content is not None:
        token_file.write_text(content)

    result = invoke(capsys, "keys", "list", "--account", "a", "--token-file", str(token_file))

    assert_one_error_line(result, EXIT_USAGE, "--token-file: ", message)


def test_token_and_token_file_together_are_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = invoke(capsys, "keys", "list", "--account", "a", "--token", "t", "--token-file", "-")

    assert_one_error_line(result, EXIT_USAGE, "not allowed with")


@needs_posix_signals
def test_serve_reads_its_token_from_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    with serving("--token-file", str(token_file)) as url:
        refused = invoke(capsys, "keys", "list", "--host", url, "--account", "a", "--retries", "0")
        allowed = invoke(capsys, "keys", "list", "--host", url, "--account", "a", "--token", TOKEN)

    assert refused.code == EXIT_API_ERROR
    assert "401" in refused.err
    assert allowed.code == EXIT_OK


def test_debug_logs_each_request_on_stderr_with_the_token_masked(server: IdentityServer) -> None:
    run = run_command(
        "keys", "list", "--json", "--account", "acme", "--host", server.url, "--token", TOKEN,
        "--debug",
    )  # fmt: skip

    assert run.returncode == EXIT_OK, run.stderr
    assert json.loads(run.stdout) == []  # stdout stays one JSON document
    assert f"GET {server.url}/org/acme/keys -> 200" in run.stderr
    assert "'Authorization': '**********'" in run.stderr
    assert TOKEN not in run.stderr


# -- help, Ctrl-C, and what each subcommand imports -------------------------------------------


def option_help(help_text: str, option: str) -> str:
    """The help of ``option`` (e.g. ``--port PORT``) in ``--help`` output, on one line."""
    lines = help_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(option))
    words = [lines[start].strip()[len(option) :]]
    for line in lines[start + 1 :]:
        if not line.startswith(" " * 6) or line.strip().startswith("-"):
            break
        words.append(line)
    return " ".join(" ".join(words).split())


def test_serve_help_describes_the_command_and_shows_the_default_port(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = invoke(capsys, "serve", "--help")

    assert result.code == EXIT_OK
    description = result.out.split("\n\n")[1]
    assert description.startswith("Run the reference server")
    assert "(default 8080)" in option_help(result.out, "--port PORT")


def test_demo_help_does_not_offer_the_host_environment_variable_it_ignores(
    capsys: pytest.CaptureFixture[str],
) -> None:
    host_help = option_help(invoke(capsys, "demo", "--help").out, "--host HOST")

    assert HOST_ENV not in host_help
    assert "embedded" in host_help
    # Where the host does come from the environment, the help says so.
    listing = invoke(capsys, "keys", "list", "--help").out
    assert HOST_ENV in option_help(listing, "--host HOST")


def test_the_command_line_names_the_sdks_environment_variables() -> None:
    from katanemo_identity import configuration
    from katanemo_identity.cli import _output

    assert (_output.HOST_ENV, _output.TOKEN_ENV) == (
        configuration.HOST_ENV,
        configuration.TOKEN_ENV,
    )


#: Runs the command with Ctrl-C raising KeyboardInterrupt, as started from a terminal. A test
#: run that is itself a shell's background job has SIGINT ignored, and its children inherit
#: that (see test_a_shell_starts_background_jobs_with_sigint_ignored).
AS_FROM_A_TERMINAL = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from katanemo_identity.cli import main; sys.exit(main())"
)


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_ctrl_c_during_a_call_ends_with_exit_130_and_json_when_asked(as_json: bool) -> None:
    with RawServer(RawServer.never_answer(hold=30)) as server:
        argv = ["keys", "create", "--account", "a", "--name", "n", "--role", "r"]
        argv += ["--host", server.url, "--retries", "0"] + (["--json"] if as_json else [])
        process = subprocess.Popen(
            [sys.executable, "-c", AS_FROM_A_TERMINAL, *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_environment_without_sdk_settings(),
        )
        try:
            ends = time.monotonic() + 30
            while not server.requests and time.monotonic() < ends:  # the call is under way
                time.sleep(0.02)
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                process.communicate()

    assert process.returncode == EXIT_INTERRUPTED
    assert out == ""
    assert "Traceback" not in err
    if as_json:
        assert json.loads(err) == {
            "error": "KeyboardInterrupt",
            "message": "interrupted",
            "status": None,
            "outcome_unknown": True,  # a create was under way
            "exit_status": EXIT_INTERRUPTED,
        }
    else:
        assert err == "katanemo-identity: interrupted\n"


#: Prints, as JSON, the modules of the SDK and its dependencies that running ``main(ARGV)`` imported.
IMPORTED = """
import contextlib, io, json, sys
from katanemo_identity.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    main(sys.argv[1:])
print(json.dumps(sorted(
    name for name in sys.modules
    if name.split(".")[0] in ("katanemo_identity", "urllib3", "pydantic", "sqlite3")
)))
"""


def imported_by(*argv: str) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-c", IMPORTED, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env=_environment_without_sdk_settings(),
    )
    assert run.returncode == 0, run.stderr
    return set(json.loads(run.stdout))


@pytest.mark.parametrize(
    "argv",
    [["--version"], ["--help"], ["keys", "list", "--help"], ["conformance", "--help"], []],
    ids=["version", "help", "keys-help", "conformance-help", "usage-error"],
)
def test_help_version_and_usage_errors_import_nothing_of_the_client(argv: list[str]) -> None:
    imported = imported_by(*argv)

    assert "katanemo_identity.cli" in imported  # the probe works
    assert not {"urllib3", "pydantic", "sqlite3"} & imported
    # The package's own import (its version and its exception classes) and
    # the parser: no client, no configuration, no JSON masking, no kit.
    assert imported == {
        "katanemo_identity",
        "katanemo_identity._version",
        "katanemo_identity.exceptions",
        "katanemo_identity.cli",
        "katanemo_identity.cli._arguments",
        "katanemo_identity.cli._output",
    }


def test_keys_and_users_import_neither_the_reference_server_nor_the_conformance_kit(
    server: IdentityServer,
) -> None:
    connection = ["--host", server.url, "--token", TOKEN, "--account", "acme"]
    for argv in (["keys", "list", *connection], ["users", "list", *connection]):
        imported = imported_by(*argv)

        assert "katanemo_identity.api_client" in imported  # it did call the API
        assert "katanemo_identity.testing" not in imported
        assert "katanemo_identity.conformance" not in imported


def test_serve_does_not_import_the_conformance_kit(tmp_path: Path) -> None:
    # A database it cannot open: serve gets as far as starting the server, and ends.
    imported = imported_by("serve", "--port", "0", "--db", str(tmp_path / "none" / "x.db"))

    assert "katanemo_identity.testing" in imported
    assert "katanemo_identity.conformance" not in imported
