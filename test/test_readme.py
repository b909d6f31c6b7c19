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
PYPROJECT = README.parent / "pyproject.toml"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_the_readme_gets_the_source_then_gives_the_two_quickstart_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quickstart = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quickstart, re.DOTALL)
    source = re.search(r'^Source = "(.+)"$', PYPROJECT.read_text(encoding="utf-8"), re.MULTILINE)
    assert source is not None
    directory = source.group(1).rstrip("/").rsplit("/", 1)[1]
    assert commands == [
        f"git clone {source.group(1)} && cd {directory}",
        "pip install . && katanemo-identity demo",
        "pip install -e '.[test]' && pytest",
    ]


def test_the_readme_says_slow_tests_are_deselected_as_setup_cfg_does() -> None:
    quickstart = README.read_text(encoding="utf-8").split("## Quickstart", 1)[1]
    quickstart = quickstart.split("\n## ", 1)[0]
    setup_cfg = (README.parent / "setup.cfg").read_text(encoding="utf-8")

    assert '-m "not slow"' in setup_cfg
    assert '`-m "not slow"` in `setup.cfg`' in quickstart
    assert "`pytest -m slow`" in quickstart


def test_the_readme_names_every_fixture_the_plugin_registers() -> None:
    from katanemo_identity.testing import plugin

    fixtures = {
        name
        for name in vars(plugin)
        if name.startswith("identity_") and callable(getattr(plugin, name))
    }
    section = README.read_text(encoding="utf-8").split("## Using the reference server", 1)[1]
    section = section.split("```python", 1)[0]

    assert fixtures == {"identity_server", "identity_configuration", "identity_api"}
    assert "three fixtures" in section
    for name in fixtures:
        assert f"`{name}`" in section


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
