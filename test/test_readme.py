"""The README's examples run as written, with only the host changed."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from katanemo_identity.testing import IdentityServer

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_the_readme_has_the_two_quickstart_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quickstart = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quickstart, re.DOTALL)
    assert commands == [
        "pip install . && katanemo-identity demo",
        "pip install -e '.[test]' && pytest",
    ]


def test_the_sdk_example_runs_against_the_reference_server() -> None:
    example = python_blocks()[0]
    assert '"https://api.katanemo.com"' in example
    with IdentityServer() as server:
        code = example.replace('"https://api.katanemo.com"', repr(server.url))
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
        keys = server.requests
    lines = printed.getvalue().splitlines()
    assert lines[1].split()[1:] == ["ci-runner", "True"]  # the listed key: id, name, active
    assert lines[-1].startswith("404 ")  # the typed error for an unknown user
    assert [record.method for record in keys] == ["POST", "GET", "GET"]


def test_the_testing_example_passes_in_a_project_of_its_own(pytester: pytest.Pytester) -> None:
    example = python_blocks()[1]
    assert "def test_" in example
    pytester.makepyfile(test_from_readme=example)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
