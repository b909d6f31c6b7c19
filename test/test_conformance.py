"""The conformance kit: the reference server passes every check; a wrong one fails exactly its own.

``WrongServer`` is a real HTTP proxy in front of a reference server that
breaks the document in five known ways; each maps to the checks that must
catch it, and every other check must still pass.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from katanemo_identity import ApiClient, Configuration, IdentityApi, cli, conformance
from katanemo_identity.conformance import CHECKS, Report, run
from katanemo_identity.testing import IdentityServer

if TYPE_CHECKING:
    from typing_extensions import Self

pytest_plugins = ["pytester"]

ACCOUNT = "acme"
TOKEN = "conformance-test-token"

#: Each way ``WrongServer`` breaks the document, and the checks that must fail for it.
BREAKAGES = {
    "lists keys with their clientSecret": {"list-keys", "reads-repeat"},
    "answers a second invite with 400 instead of 409": {"invite-duplicate"},
    "answers an unknown user with a non-Error 404 body": {"get-user-unknown"},
    "serves a key under any account": {"accounts-apart"},
    "answers the delete of an unknown key with 200": {"delete-key-unknown"},
}


class WrongServer:
    """A proxy to ``backend`` that breaks the API document in the ways ``BREAKAGES`` names."""

    def __init__(self, backend: IdentityServer) -> None:
        self.backend = urlsplit(backend.url)
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def __getattr__(self, name: str) -> object:
                if name.startswith("do_"):
                    return lambda: owner.forward(self)
                raise AttributeError(name)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,))

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    def forward(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        method, path = handler.command, handler.path
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        segments = path.split("/")
        if method == "GET" and len(segments) == 5 and segments[3] == "key":
            segments[2] = ACCOUNT  # serves a key under any account
        connection = http.client.HTTPConnection(self.backend.hostname or "", self.backend.port)
        try:
            headers = {
                name: value
                for name, value in handler.headers.items()
                if name in ("Authorization", "Content-Type")
            }
            connection.request(method, "/".join(segments), body or None, headers)
            answer = connection.getresponse()
            status, sent = answer.status, answer.read()
        finally:
            connection.close()
        status, sent = self.break_document(method, path, status, sent)
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(sent)))
        handler.end_headers()
        handler.wfile.write(sent)

    @staticmethod
    def break_document(method: str, path: str, status: int, body: bytes) -> tuple[int, bytes]:
        if method == "GET" and path == f"/org/{ACCOUNT}/keys" and status == 200:
            keys = [{**key, "clientSecret": "leaked"} for key in json.loads(body)]
            return 200, json.dumps(keys).encode()
        if method == "POST" and path == f"/org/{ACCOUNT}/user" and status == 409:
            return 400, b'{"message": "exists", "errorCode": "EXISTS"}'
        if method == "GET" and path.startswith(f"/org/{ACCOUNT}/user/") and status == 404:
            return 404, b'{"error": "not found"}'
        if method == "DELETE" and status == 404:
            return 200, b'"deleted"'
        return status, body


@pytest.fixture
def reference() -> Iterator[IdentityServer]:
    with IdentityServer(access_token=TOKEN) as server:
        yield server


@contextlib.contextmanager
def api_for(server: IdentityServer) -> Iterator[IdentityApi]:
    with ApiClient(Configuration(host=server.url, access_token=TOKEN)) as client:
        yield IdentityApi(client)


def check(url: str, token: str | None = TOKEN) -> Report:
    return run(Configuration(host=url, access_token=token), ACCOUNT)


def test_the_reference_server_passes_every_check(reference: IdentityServer) -> None:
    report = check(reference.url)

    assert [result.check.id for result in report.results] == [check.id for check in CHECKS]
    assert {result.outcome for result in report.results} == {"pass"}, report.table()
    assert report.passed


def test_the_reference_server_following_the_document_passes_every_check() -> None:
    with IdentityServer(access_token=TOKEN, rules="document") as server:
        report = check(server.url)
    assert report.failed() == [], report.table()


def test_without_a_token_the_unauthorized_check_is_skipped() -> None:
    with IdentityServer() as server:
        report = check(server.url, token=None)
    assert report.result("unauthorized").outcome == "skip"
    assert report.failed() == []


def test_the_run_writes_only_in_its_account_and_removes_every_key(
    reference: IdentityServer,
) -> None:
    report = check(reference.url)

    writes = [request for request in reference.requests if request.method != "GET"]
    assert writes
    assert all(request.path.startswith(f"/org/{ACCOUNT}/") for request in writes)
    (user,) = report.left_behind
    assert user.startswith(report.run_id)
    with api_for(reference) as api:
        assert api.get_client_key_list(ACCOUNT) == []
        assert [listed.user_id for listed in api.get_users_for_account(ACCOUNT)] == [user]


def test_a_wrong_server_fails_exactly_the_checks_that_catch_its_faults(
    reference: IdentityServer,
) -> None:
    with WrongServer(reference) as wrong:
        report = check(wrong.url)

    expected = set().union(*BREAKAGES.values())
    assert set(report.failed()) == expected, report.table()
    assert {result.outcome for result in report.results if result.check.id not in expected} == {
        "pass"
    }
    # Even with checks failing, every key the run created is gone.
    with api_for(reference) as api:
        assert api.get_client_key_list(ACCOUNT) == []


def test_failures_carry_their_evidence(reference: IdentityServer) -> None:
    with WrongServer(reference) as wrong:
        report = check(wrong.url)

    assert "unknown-field" in report.result("list-keys").evidence
    assert "clientSecret" in report.result("list-keys").evidence
    assert "leaked" not in report.result("list-keys").evidence
    assert "-> 400, expected 409" in report.result("invite-duplicate").evidence
    assert "error-body" in report.result("get-user-unknown").evidence
    assert "a success, expected 4xx" in report.result("accounts-apart").evidence


def test_the_command_prints_a_table_and_exits_0_when_every_check_passes(
    reference: IdentityServer, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(
        ["conformance", "--host", reference.url, "--token", TOKEN, "--account", ACCOUNT]
    )

    out = capsys.readouterr().out
    assert status == 0
    assert out.startswith("CHECK ")
    for each in CHECKS:
        assert f"\n{each.id} " in out
    assert f"{len(CHECKS)} passed, 0 failed, 0 skipped." in out


def test_the_command_prints_json_and_exits_1_when_a_check_fails(
    reference: IdentityServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with WrongServer(reference) as wrong:
        status = cli.main(
            ["conformance", "--host", wrong.url, "--token", TOKEN, "--account", ACCOUNT, "--json"]
        )

    document = json.loads(capsys.readouterr().out)
    assert status == 1
    assert document["passed"] is False
    assert {
        check["id"] for check in document["checks"] if check["outcome"] == "fail"
    } == set().union(*BREAKAGES.values())
    assert all(check["evidence"] for check in document["checks"])


def test_the_command_needs_a_host_and_an_account(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["conformance", "--account", ACCOUNT]) == cli.EXIT_USAGE
    assert cli.main(["conformance", "--host", "http://127.0.0.1:1"]) == cli.EXIT_USAGE
    assert "--host" in capsys.readouterr().err


def test_the_pytest_entry_point_reports_each_check(
    reference: IdentityServer, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KATANEMO_IDENTITY_HOST", reference.url)
    monkeypatch.setenv("KATANEMO_IDENTITY_TOKEN", TOKEN)
    monkeypatch.setenv("KATANEMO_IDENTITY_ACCOUNT", ACCOUNT)

    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--pyargs", "katanemo_identity.testing.conformance_tests"
    )

    result.assert_outcomes(passed=len(CHECKS))


def test_the_pytest_entry_point_fails_the_checks_a_wrong_server_breaks(
    reference: IdentityServer, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with WrongServer(reference) as wrong:
        monkeypatch.setenv("KATANEMO_IDENTITY_HOST", wrong.url)
        monkeypatch.setenv("KATANEMO_IDENTITY_TOKEN", TOKEN)
        monkeypatch.setenv("KATANEMO_IDENTITY_ACCOUNT", ACCOUNT)
        result = pytester.runpytest(
            "-p", "no:cacheprovider", "--pyargs", "katanemo_identity.testing.conformance_tests"
        )

    failing = set().union(*BREAKAGES.values())
    result.assert_outcomes(passed=len(CHECKS) - len(failing), failed=len(failing))
    result.stdout.fnmatch_lines(["FAILED *test_conformance?list-keys?*"])


def test_the_pytest_entry_point_without_a_host_says_what_to_set(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--pyargs", "katanemo_identity.testing.conformance_tests"
    )

    result.assert_outcomes(errors=len(CHECKS))
    result.stdout.fnmatch_lines(["*set KATANEMO_IDENTITY_HOST*"])


def test_the_conformance_page_documents_every_check() -> None:
    page = (Path(__file__).parent.parent / "docs" / "conformance.md").read_text(encoding="utf-8")
    for each in CHECKS:
        assert f"| `{each.id}` |" in page


def test_an_interrupted_run_still_removes_its_keys(
    reference: IdentityServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C in the middle of the suite, after the key was created.
    def interrupted(suite: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(conformance._Suite, "check_get_key", interrupted)
    with pytest.raises(KeyboardInterrupt):
        check(reference.url)

    assert any(request.method == "POST" for request in reference.requests)
    with api_for(reference) as api:
        assert api.get_client_key_list(ACCOUNT) == []


def test_an_empty_account_is_refused_before_anything_is_sent(reference: IdentityServer) -> None:
    with pytest.raises(ValueError, match="account"):
        run(Configuration(host=reference.url, access_token=TOKEN), "")
    assert reference.requests == []
