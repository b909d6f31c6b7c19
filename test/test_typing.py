"""The SDK as a type checker sees it: the typing test and every docs example.

``test/typecheck/check_types.py`` asserts the static type of every result,
option, error ``.data`` and model field; here it also runs against the
reference server, so the asserted types are the ones that arrive, and it is
checked by mypy (with and without the pydantic plugin) and pyright.
``scripts/check_doc_examples.py`` checks the examples of README.md and docs/.

The checker runs take seconds each and CI runs the same commands in a step of
its own (``.ci/run``), so they are marked ``slow``: ``pytest -m slow test/test_typing.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from katanemo_identity import IdentityApi
from katanemo_identity.testing import IdentityServer

ROOT = Path(__file__).resolve().parent.parent
TYPECHECK = ROOT / "test" / "typecheck"
CHECK_TYPES = TYPECHECK / "check_types.py"

sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(TYPECHECK))

import check_doc_examples  # noqa: E402 (found through the lines above)
import check_types  # noqa: E402


def test_the_asserted_types_are_what_the_calls_return(
    identity_server: IdentityServer, identity_api: IdentityApi
) -> None:
    check_types.check_operations(identity_api)
    check_types.check_options(identity_api)
    check_types.check_errors(identity_api, identity_server)
    check_types.check_models()
    check_types.check_client()
    check_types.check_legacy(identity_server)


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=check_doc_examples.CHECKER_ENVIRONMENT,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "config", ["setup.cfg", "test/typecheck/mypy-pydantic-plugin.ini"], ids=["plain", "plugin"]
)
def test_the_typing_test_passes_mypy_strict(config: str) -> None:
    result = run(sys.executable, "-m", "mypy", "--config-file", config, str(CHECK_TYPES))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_typing_test_passes_pyright() -> None:
    result = run(
        *check_doc_examples.pyright_command(),
        "-p",
        str(TYPECHECK / "pyrightconfig.json"),
        "--pythonpath",
        sys.executable,
        str(CHECK_TYPES),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_docs_example_is_found_and_given_what_it_uses() -> None:
    examples = check_doc_examples.examples()
    pages = {example.page.name for example in examples}
    assert {"README.md", "IdentityApi.md", "typing.md", "errors.md"} <= pages
    for example in examples:
        check_doc_examples.preamble_for(example)  # raises for a name nothing defines


@pytest.mark.slow
def test_the_checker_fails_on_an_example_that_does_not_type_check(tmp_path: Path) -> None:
    bad = check_doc_examples.Example(
        ROOT / "README.md",
        1,
        'from katanemo_identity import UserRequest\nUserRequest(accountId="acme")\n',
    )
    where = check_doc_examples.write_modules([bad], tmp_path)
    errors = check_doc_examples.run_checkers(tmp_path, sorted(where))
    assert {checker for checker, _ in errors} == {"mypy", "mypy + pydantic plugin", "pyright"}
    assert all(
        check_doc_examples.at_markdown_line(line, where, tmp_path).startswith("README.md:2:")
        for _, line in errors
    )


@pytest.mark.slow
def test_every_docs_example_type_checks() -> None:
    result = run(sys.executable, str(ROOT / "scripts" / "check_doc_examples.py"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 errors " in result.stdout
