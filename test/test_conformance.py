"""The conformance kit: the reference server passes; each wrong server fails exactly its checks.

Every wrong server is the reference server behind ``conformancekit.BuggyServer``
with one bug. ``BUGS`` maps each bug to the checks that must fail for it, and
every check of the suite is the one failing check of at least one bug. The
account the kit writes in may hold keys and users of its own: the kit must
leave them exactly as they were, whatever the server does.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conformancekit import (
    AccountFromPath,
    AnyToken,
    BrokenTwin,
    Bug,
    BuggyServer,
    ConflictAs,
    CreateAnswersAnExistingKey,
    CreateWithoutSecret,
    CtrlC,
    DeleteDoesNothing,
    DeleteUnknownIs200,
    Drop,
    EchoesTheToken,
    EmptyDeleteAnswer,
    ExamplesOnly,
    Forgets,
    KeyUnderAnyAccount,
    KeyWithoutRole,
    ListedTwice,
    NoTokenNeeded,
    NullIn,
    ReadsFlip,
    Slow,
    UnknownKeyIs401,
    UnknownUserBody,
    Unlisted,
    UpdateCreates,
    UpdateNotKept,
)

from katanemo_identity import (
    ApiClient,
    ClientKeyRequest,
    Configuration,
    IdentityApi,
    UserRequest,
    cli,
)
from katanemo_identity.conformance import CHECKS, Report, RunInterrupted, run
from katanemo_identity.testing import IdentityServer

pytest_plugins = ["pytester"]

ACCOUNT = "acme"
TOKEN = "conformance-test-token"
MASK = "**********"

#: Each wrong server's bug, and the checks that must fail for it (all others pass or skip).
BUGS: dict[str, tuple[Callable[[], Bug], set[str]]] = {
    "create answers without clientSecret": (CreateWithoutSecret, {"create-key"}),
    "accepts a key without defaultRoleId": (KeyWithoutRole, {"create-key-invalid"}),
    "a duplicate key is a 400": (lambda: ConflictAs("keys"), {"create-key-duplicate"}),
    "get_client_key without clientName": (
        lambda: Drop("GET", "key", True, "clientName"),
        {"get-key"},
    ),
    "the key listing without clientName": (
        lambda: Drop("GET", "keys", False, "clientName"),
        {"list-keys"},
    ),
    "an unknown key id is a 401": (UnknownKeyIs401, {"get-key-unknown"}),
    "the invite answer without userId": (
        lambda: Drop("POST", "user", False, "userId"),
        {"invite-user"},
    ),
    "accepts an invite without accountId": (
        lambda: AccountFromPath("POST", with_id=False),
        {"invite-invalid"},
    ),
    "a duplicate invite is a 400": (lambda: ConflictAs("user"), {"invite-duplicate"}),
    "get_user without userId": (lambda: Drop("GET", "user", True, "userId"), {"get-user"}),
    "the user listing has every user twice": (ListedTwice, {"list-users"}),
    "update_user answers but does not store": (UpdateNotKept, {"update-user"}),
    "accepts an update without accountId": (
        lambda: AccountFromPath("PUT", with_id=True),
        {"update-user-invalid"},
    ),
    "an unknown user is a 404 without an Error body": (
        lambda: UnknownUserBody(ACCOUNT),
        {"get-user-unknown"},
    ),
    "update_user of an unknown user creates it": (UpdateCreates, {"update-user-unknown"}),
    "every other read of a key differs": (ReadsFlip, {"reads-repeat"}),
    "serves a key under any account": (lambda: KeyUnderAnyAccount(ACCOUNT), {"accounts-apart"}),
    "accepts any token": (AnyToken, {"unauthorized"}),
    "needs no token": (NoTokenNeeded, {"no-token"}),
    "delete answers an empty body": (EmptyDeleteAnswer, {"delete-key"}),
    "deleting an unknown key is a 200": (DeleteUnknownIs200, {"delete-key-unknown"}),
    "a refused duplicate leaves an undeletable twin": (BrokenTwin, {"clean-up"}),
    "get_client_key sends null": (NullIn, {"get-key", "reads-repeat"}),
    "delete deletes nothing": (
        DeleteDoesNothing,
        {"delete-key", "delete-key-unknown", "clean-up"},
    ),
}


@pytest.fixture
def reference() -> Iterator[IdentityServer]:
    with IdentityServer(access_token=TOKEN) as server:
        yield server


@contextlib.contextmanager
def api_for(server: IdentityServer) -> Iterator[IdentityApi]:
    with ApiClient(Configuration(host=server.url, access_token=TOKEN)) as client:
        yield IdentityApi(client)


def check(url: str, token: str | None = TOKEN, **options: float) -> Report:
    configuration = Configuration(host=url, access_token=token)
    if "call_timeout" in options:
        configuration.total_timeout = options.pop("call_timeout")
    return run(configuration, ACCOUNT, **options)


def state(server: IdentityServer) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The account's keys and users, as the backend holds them."""
    with api_for(server) as api:
        keys = sorted((key.to_dict() for key in api.get_client_key_list(ACCOUNT)), key=str)
        users = sorted((user.to_dict() for user in api.get_users_for_account(ACCOUNT)), key=str)
    return keys, users


def names_of_run(server: IdentityServer, run_id: str) -> set[str]:
    keys, users = state(server)
    names = {str(key.get("clientName")) for key in keys} | {str(u.get("userId")) for u in users}
    return {name for name in names if name.startswith(run_id)}


def seed(server: IdentityServer) -> None:
    """Give the account 20 keys and 5 users that are not the kit's."""
    with api_for(server) as api:
        for number in range(20):
            request = ClientKeyRequest(client_name=f"prod-key-{number:04}", default_role_id="r")
            api.create_client_key(ACCOUNT, request)
        for number in range(5):
            user = UserRequest(account_id=ACCOUNT, user_id=f"staff-{number}@example.com")
            api.create_user_for_account(ACCOUNT, user)
        api.update_user(
            "staff-0@example.com", ACCOUNT, UserRequest(account_id=ACCOUNT, roles=["owner"])
        )


# -- the reference server ----------------------------------------------------------


def test_the_reference_server_passes_every_check(reference: IdentityServer) -> None:
    report = check(reference.url)

    assert [result.check.id for result in report.results] == [check.id for check in CHECKS]
    assert {result.outcome for result in report.results} == {"pass"}, report.table()
    assert report.passed
    assert report.notes == []


def test_the_reference_server_following_the_document_passes_every_check() -> None:
    with IdentityServer(access_token=TOKEN, rules="document") as server:
        report = check(server.url)
    assert {result.outcome for result in report.results} == {"pass"}, report.table()


def test_without_a_token_the_token_checks_are_skipped() -> None:
    with IdentityServer() as server:
        report = check(server.url, token=None)
    assert report.result("unauthorized").outcome == "skip"
    assert report.result("no-token").outcome == "skip"
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


# -- wrong servers -------------------------------------------------------------------


def test_every_check_is_the_only_failure_of_some_wrong_server() -> None:
    alone = {next(iter(failing)) for _, failing in BUGS.values() if len(failing) == 1}
    assert alone == {each.id for each in CHECKS}


@pytest.mark.parametrize("bug", list(BUGS))
def test_a_wrong_server_fails_exactly_the_checks_its_bug_breaks(
    reference: IdentityServer, bug: str
) -> None:
    make, failing = BUGS[bug]
    with BuggyServer(reference, make()) as wrong:
        report = check(wrong.url)

    assert [result.check.id for result in report.results] == [each.id for each in CHECKS]
    assert set(report.failed()) == failing, report.table()
    assert report.notes == []
    # What the run leaves is exactly what the server still holds under the run id.
    assert set(report.left_behind) == names_of_run(reference, report.run_id)
    assert all("@" in name for name in report.left_behind) == ("clean-up" not in failing)


def test_a_server_that_forgets_writes_is_told_once_and_plainly(
    reference: IdentityServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with BuggyServer(reference, Forgets()) as wrong:
        status = cli.main(
            ["conformance", "--host", wrong.url, "--token", TOKEN, "--account", ACCOUNT]
        )

    out = capsys.readouterr().out
    assert status == 1
    assert out.count("does not remember writes") == 1
    assert "Note: This server does not remember writes" in out


def test_a_mock_answering_examples_is_told_once_and_its_keys_are_left_alone(
    reference: IdentityServer,
) -> None:
    with BuggyServer(reference, ExamplesOnly()) as mock:
        report = check(mock.url)

    (note,) = report.notes
    assert note.startswith("This server does not remember writes: it answered create_client_key")
    assert report.table().count("does not remember writes") == 1
    assert "left alone" in report.result("delete-key").evidence
    assert reference.requests == []  # the mock never reached the real server


@pytest.mark.parametrize("kind", ["keys", "user"])
def test_left_behind_is_everything_tried_when_the_account_cannot_be_listed(
    reference: IdentityServer, kind: str
) -> None:
    with BuggyServer(reference, Unlisted(kind)) as wrong:
        report = check(wrong.url)

    cleaning = report.result("clean-up")
    assert cleaning.outcome == "fail"
    assert f"listing {'keys' if kind == 'keys' else 'users'}: 503" in cleaning.evidence
    # Unlisted, nothing the run tried to create can be proved gone: every name is there.
    run_id = report.run_id
    keys = [f"{run_id}-key", f"{run_id}-invalid", f"{run_id}-unauthorized", f"{run_id}-no-token"]
    users = [f"{run_id}-{name}@example.com" for name in ("ada", "invalid", "unauthorized")]
    users.append(f"{run_id}-no-token@example.com")
    if kind == "keys":
        assert report.left_behind == [*keys, f"{run_id}-ada@example.com"]
    else:
        assert report.left_behind == users
    with api_for(reference) as api:
        assert api.get_client_key_list(ACCOUNT) == []


def test_checks_that_need_the_user_are_skipped_when_the_invite_failed(
    reference: IdentityServer,
) -> None:
    with BuggyServer(reference, Drop("POST", "user", False, "userId")) as wrong:
        report = check(wrong.url)

    for each in CHECKS:
        if "user" in each.needs:
            result = report.result(each.id)
            assert result.outcome == "skip"
            assert result.evidence == "needs the user invite-user makes, which did not pass"
    assert "userId is missing" in report.result("invite-user").evidence


def test_failures_name_what_is_wrong_and_never_a_value(reference: IdentityServer) -> None:
    evidence = {}
    for bug in (
        "the key listing without clientName",
        "get_client_key without clientName",
        "get_client_key sends null",
        "an unknown key id is a 401",
        "update_user answers but does not store",
        "accepts a key without defaultRoleId",
    ):
        make, _ = BUGS[bug]
        with BuggyServer(reference, make()) as wrong:
            report = check(wrong.url)
        evidence[bug] = " ".join(result.evidence for result in report.results)
        reference.reset()

    listing = evidence["the key listing without clientName"]
    assert "with the new key once, whose clientName is missing" in listing
    assert "time(s)" not in listing
    assert (
        "ClientKeyObject whose clientName is missing"
        in evidence["get_client_key without clientName"]
    )
    assert "contract rule 'null' broken at serviceId" in evidence["get_client_key sends null"]
    assert (
        "-> 401, expected a 4xx about the id (not 401, 403 or 429)"
        in evidence["an unknown key id is a 401"]
    )
    assert (
        "in a later get_user, roles is not what was sent"
        in evidence["update_user answers but does not store"]
    )
    assert (
        "without defaultRoleId -> a success, expected 400"
        in evidence["accepts a key without defaultRoleId"]
    )
    for text in evidence.values():
        for value in ("reader", 'conformance"', "checked", "katanemo-identity"):
            assert value not in text


# -- the account the kit is pointed at ---------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        Bug,
        CreateAnswersAnExistingKey,
        AnyToken,
        NoTokenNeeded,
        DeleteDoesNothing,
        DeleteUnknownIs200,
        UpdateCreates,
    ],
    ids=lambda make: make.__name__,
)
def test_the_account_s_own_keys_and_users_are_left_exactly_as_they_were(
    reference: IdentityServer, make: Callable[[], Bug]
) -> None:
    seed(reference)
    before = state(reference)
    seeded_requests = len(reference.requests)

    with BuggyServer(reference, make()) as wrong:
        report = check(wrong.url)

    keys, users = state(reference)
    theirs = (
        [key for key in keys if not str(key["clientName"]).startswith(report.run_id)],
        [user for user in users if not str(user["userId"]).startswith(report.run_id)],
    )
    assert theirs == before
    seeded_ids = {key["clientKeyId"] for key in before[0]}
    writes = [r for r in reference.requests[seeded_requests:] if r.method in ("DELETE", "PUT")]
    assert not [r for r in writes if r.path.rsplit("/", 1)[-1] in seeded_ids]
    assert all("staff-" not in r.path for r in writes)


def test_a_create_answering_an_existing_key_s_id_never_touches_that_key(
    reference: IdentityServer,
) -> None:
    seed(reference)
    before = state(reference)

    with BuggyServer(reference, CreateAnswersAnExistingKey()) as wrong:
        report = check(wrong.url)

    keys, users = state(reference)
    assert keys == before[0]  # the run's own key deleted, every seeded key as it was
    assert [user["userId"] for user in users if user not in before[1]] == report.left_behind
    for each in ("unauthorized", "no-token", "delete-key"):
        result = report.result(each)
        assert result.outcome == "fail"
        assert "not sent: no read shows key" in result.evidence
        assert "so it was left alone" in result.evidence
    assert report.result("get-key").evidence.endswith(
        "ClientKeyObject whose clientName is not what was sent"
    )
    assert "prod-key" not in report.table()
    assert report.result("clean-up").outcome == "pass"
    assert "belong to no key of this run: left alone" in report.result("clean-up").evidence
    assert names_of_run(reference, report.run_id) == set(report.left_behind)


# -- time --------------------------------------------------------------------------------


def test_a_run_over_budget_skips_what_is_left_and_still_cleans_up(
    reference: IdentityServer,
) -> None:
    started = time.monotonic()
    with BuggyServer(reference, Slow(0.1)) as slow:
        report = check(slow.url, budget=1.0)

    assert time.monotonic() - started < 30
    assert report.out_of_time
    assert not report.passed
    skipped = [r for r in report.results if r.evidence.startswith("not run: the run's budget")]
    assert skipped
    assert all(r.outcome == "skip" for r in skipped)
    assert report.results[-1].check.id == "clean-up"
    assert report.results[-1].outcome == "pass", report.table()
    with api_for(reference) as api:
        assert api.get_client_key_list(ACCOUNT) == []


def test_the_command_limits_each_call(
    reference: IdentityServer, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    with BuggyServer(reference, Slow(2.0, "GET", "key")) as slow:
        status = cli.main(
            [
                "conformance",
                "--host",
                slow.url,
                "--token",
                TOKEN,
                "--account",
                ACCOUNT,
                "--json",
                "--call-timeout",
                "0.3",
                "--budget",
                "60",
            ]
        )

    document = json.loads(capsys.readouterr().out)
    assert time.monotonic() - started < 60
    assert status == 1
    checks = {each["id"]: each for each in document["checks"]}
    assert checks["get-key"]["outcome"] == "fail"
    assert "total_timeout=0.3" in checks["get-key"]["evidence"]
    assert checks["create-key"]["outcome"] == "pass"
    with api_for(reference) as api:
        assert api.get_client_key_list(ACCOUNT) == []


@pytest.mark.parametrize("option", ["--budget", "--call-timeout"])
@pytest.mark.parametrize("value", ["0", "-1", "inf", "soon"])
def test_the_command_refuses_a_limit_that_is_not_a_number_of_seconds(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["conformance", "--host", "http://127.0.0.1:1", "--account", ACCOUNT, option, value]
    assert cli.main(argv) == cli.EXIT_USAGE
    assert option in capsys.readouterr().err


def test_run_refuses_a_budget_that_is_not_a_number_of_seconds(reference: IdentityServer) -> None:
    with pytest.raises(ValueError, match="budget"):
        check(reference.url, budget=0)
    assert reference.requests == []


# -- what it prints ------------------------------------------------------------------------


def test_the_kit_s_tokens_never_appear_in_what_it_prints(
    reference: IdentityServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with BuggyServer(reference, EchoesTheToken()) as echoing:
        for extra in (["--json"], []):
            cli.main(
                [
                    "conformance",
                    "--host",
                    echoing.url,
                    "--token",
                    TOKEN,
                    "--account",
                    ACCOUNT,
                    *extra,
                ]
            )
            out = capsys.readouterr().out
            assert TOKEN not in out
            assert "conformance-wrong-token-" not in out
            assert f"refused Bearer {MASK}" in out


def test_a_short_token_is_masked_where_it_stands_alone_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with (
        IdentityServer(access_token="t") as backend,
        BuggyServer(backend, EchoesTheToken()) as echoing,
    ):
        cli.main(["conformance", "--host", echoing.url, "--token", "t", "--account", ACCOUNT])

    out = capsys.readouterr().out
    assert "refused Bearer t" not in out
    assert f"refused Bearer {MASK}" in out
    assert "-> 200 ClientKeyResponse with clientId, clientSecret" in out


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
    with BuggyServer(reference, DeleteDoesNothing()) as wrong:
        status = cli.main(
            ["conformance", "--host", wrong.url, "--token", TOKEN, "--account", ACCOUNT, "--json"]
        )

    document = json.loads(capsys.readouterr().out)
    assert status == 1
    assert document["passed"] is False
    assert {check["id"] for check in document["checks"] if check["outcome"] == "fail"} == BUGS[
        "delete deletes nothing"
    ][1]
    assert all(check["evidence"] for check in document["checks"])
    assert document["leftBehind"] == [
        f"{document['runId']}-key",
        f"{document['runId']}-ada@example.com",
    ]
    assert (document["interrupted"], document["outOfTime"], document["notes"]) == (
        False,
        False,
        [],
    )


def test_the_command_needs_a_host_and_an_account(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["conformance", "--account", ACCOUNT]) == cli.EXIT_USAGE
    assert cli.main(["conformance", "--host", "http://127.0.0.1:1"]) == cli.EXIT_USAGE
    assert "--host" in capsys.readouterr().err


def test_the_conformance_page_documents_every_check() -> None:
    page = (Path(__file__).parent.parent / "docs" / "conformance.md").read_text(encoding="utf-8")
    for each in CHECKS:
        assert f"| `{each.id}` |" in page


# -- interruption ------------------------------------------------------------------------


def test_ctrl_c_cleans_up_then_prints_the_report_so_far_in_json(
    reference: IdentityServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with BuggyServer(reference, CtrlC(on_delete=False)) as pressing:
        status = cli.main(
            [
                "conformance",
                "--host",
                pressing.url,
                "--token",
                TOKEN,
                "--account",
                ACCOUNT,
                "--json",
            ]
        )

    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert status == cli.EXIT_INTERRUPTED
    assert document["interrupted"] is True
    assert document["passed"] is False
    assert [each["id"] for each in document["checks"]] == [
        "create-key",
        "create-key-invalid",
        "create-key-duplicate",
        "clean-up",
    ]
    assert document["checks"][-1]["outcome"] == "pass"
    assert document["leftBehind"] == []
    with api_for(reference) as api:
        assert api.get_client_key_list(ACCOUNT) == []


def test_a_second_ctrl_c_during_clean_up_waits_for_it(reference: IdentityServer) -> None:
    pressing = CtrlC(on_delete=True)
    with BuggyServer(reference, pressing) as server, pytest.raises(RunInterrupted) as caught:
        check(server.url)

    assert pressing.pressed >= 2
    report = caught.value.report
    assert report.interrupted
    assert report.results[-1].check.id == "clean-up"
    assert report.results[-1].outcome == "pass"
    assert any("held until clean-up ended" in note for note in report.notes)
    assert "Interrupted:" in report.table()
    with api_for(reference) as api:
        assert api.get_client_key_list(ACCOUNT) == []


def test_an_interruption_is_a_keyboard_interrupt(reference: IdentityServer) -> None:
    with BuggyServer(reference, CtrlC(on_delete=False)) as server, pytest.raises(KeyboardInterrupt):
        check(server.url)


def test_an_empty_account_is_refused_before_anything_is_sent(reference: IdentityServer) -> None:
    with pytest.raises(ValueError, match="account"):
        run(Configuration(host=reference.url, access_token=TOKEN), "")
    assert reference.requests == []


# -- the pytest entry point ------------------------------------------------------------


def run_entry_point(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, url: str, **env: str
) -> pytest.RunResult:
    monkeypatch.setenv("KATANEMO_IDENTITY_HOST", url)
    monkeypatch.setenv("KATANEMO_IDENTITY_TOKEN", TOKEN)
    monkeypatch.setenv("KATANEMO_IDENTITY_ACCOUNT", ACCOUNT)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return pytester.runpytest(
        "-p", "no:cacheprovider", "--pyargs", "katanemo_identity.testing.conformance_tests"
    )


def test_the_pytest_entry_point_reports_each_check(
    reference: IdentityServer, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_entry_point(pytester, monkeypatch, reference.url)
    result.assert_outcomes(passed=len(CHECKS))


def test_the_pytest_entry_point_fails_the_checks_a_wrong_server_breaks(
    reference: IdentityServer, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with BuggyServer(reference, DeleteDoesNothing()) as wrong:
        result = run_entry_point(pytester, monkeypatch, wrong.url)

    failing = BUGS["delete deletes nothing"][1]
    result.assert_outcomes(passed=len(CHECKS) - len(failing), failed=len(failing))
    result.stdout.fnmatch_lines(["FAILED *test_conformance?delete-key?*"])


def test_the_pytest_entry_point_fails_the_checks_its_budget_left_no_time_for(
    reference: IdentityServer, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with BuggyServer(reference, Slow(0.1)) as slow:
        result = run_entry_point(
            pytester,
            monkeypatch,
            slow.url,
            KATANEMO_IDENTITY_CONFORMANCE_BUDGET="1",
            KATANEMO_IDENTITY_CONFORMANCE_CALL_TIMEOUT="5",
        )

    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1
    assert outcomes.get("passed", 0) >= 1
    result.stdout.fnmatch_lines(["*not run: the run's budget of 1 s was spent*"])
    with api_for(reference) as api:
        assert api.get_client_key_list(ACCOUNT) == []


def test_the_pytest_entry_point_refuses_a_budget_that_is_not_seconds(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_entry_point(
        pytester, monkeypatch, "http://127.0.0.1:1", KATANEMO_IDENTITY_CONFORMANCE_BUDGET="soon"
    )
    result.assert_outcomes(errors=len(CHECKS))
    result.stdout.fnmatch_lines(["*KATANEMO_IDENTITY_CONFORMANCE_BUDGET must be a number*"])


def test_the_pytest_entry_point_without_a_host_says_what_to_set(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--pyargs", "katanemo_identity.testing.conformance_tests"
    )

    result.assert_outcomes(errors=len(CHECKS))
    result.stdout.fnmatch_lines(["*set KATANEMO_IDENTITY_HOST*"])
