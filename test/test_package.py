"""The package's top level: what it exports, and what importing it costs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import katanemo_identity
from katanemo_identity import exceptions, models


def test_every_exported_name_resolves_to_the_object_in_its_module() -> None:
    for name in katanemo_identity.__all__:
        assert getattr(katanemo_identity, name) is not None, name
    assert katanemo_identity.ConflictException is exceptions.ConflictException
    assert katanemo_identity.UserRequest is models.UserRequest


def test_the_top_level_conflict_names_are_the_exceptions_not_the_models() -> None:
    for name in ("BadRequestException", "UnauthorizedException", "ConflictException"):
        assert issubclass(getattr(katanemo_identity, name), katanemo_identity.ApiException)
        assert not issubclass(getattr(models, name), BaseException)


def test_an_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        katanemo_identity.NoSuchThing  # noqa: B018


def test_star_import_brings_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from katanemo_identity import *", namespace)
    assert set(katanemo_identity.__all__) <= set(namespace)


def loaded_after(statement: str) -> list[str]:
    """Which of urllib3 and pydantic a fresh interpreter has loaded after ``statement``."""
    code = (
        f"import sys; {statement}; print(*[m for m in ('urllib3', 'pydantic') if m in sys.modules])"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return run.stdout.split()


def test_importing_the_package_loads_neither_urllib3_nor_pydantic() -> None:
    # A tool that imports the package and never calls the API pays for neither.
    assert loaded_after("import katanemo_identity") == []


def test_the_first_use_of_a_name_loads_what_it_needs() -> None:
    assert loaded_after("import katanemo_identity; katanemo_identity.IdentityApi") == [
        "urllib3",
        "pydantic",
    ]


def test_dir_lists_the_public_names_only() -> None:
    names = dir(katanemo_identity)
    assert names == sorted(katanemo_identity.__all__)
    for helper in ("annotations", "TYPE_CHECKING", "importlib"):
        assert helper not in names


def test_every_readme_link_works_where_the_readme_is_read() -> None:
    # The package index shows the README without docs/: a relative link would be broken there.
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)]+)\)", readme)
    assert links
    for link in links:
        assert link.startswith(("https://", "#")), link
    base = "https://github.com/katanemo/katanemo-identity-python/blob/main/"
    for link in links:
        if link.startswith(base):
            target = link[len(base) :].split("#", 1)[0]
            assert (Path(__file__).resolve().parent.parent / target).exists(), link


# -- Where processes do not fork (Windows) -------------------------------------

#: Run first in a fresh interpreter: the process looks as it does on Windows.
WITHOUT_FORK = "import os; del os.fork, os.register_at_fork\n"

FIRST_USE_WITHOUT_FORK = """
import contextlib, io, os, sys
from katanemo_identity import ApiClient, ClientKeyRequest, Configuration, IdentityApi
from katanemo_identity.cli import main
from katanemo_identity.testing import IdentityServer

with IdentityServer(access_token="t0ken") as server:
    configuration = Configuration(host=server.url, access_token="t0ken")
    with ApiClient(configuration) as client:
        api = IdentityApi(client)
        created = api.create_client_key(
            "acme", ClientKeyRequest(default_role_id="reader", client_name="ci")
        )
        listed = api.get_client_key_list("acme")
        assert [key.client_name for key in listed] == ["ci"], listed
        assert created.client_id
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        status = main(["keys", "list", "--json", "--host", server.url, "--token", "t0ken",
                       "--account", "acme"])
    assert status == 0, status
    assert '"clientName": "ci"' in output.getvalue(), output.getvalue()
print("first use works without os.fork")
"""

PLUGIN_TEST_WITHOUT_FORK = """
def test_the_plugin_fixtures_work(identity_api):
    assert identity_api.get_users_for_account("acme") == []
"""


def test_first_use_works_where_os_fork_does_not_exist() -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_FORK + FIRST_USE_WITHOUT_FORK],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "first use works without os.fork" in result.stdout


def test_the_pytest_plugin_works_where_os_fork_does_not_exist(tmp_path: Path) -> None:
    (tmp_path / "test_uses_the_plugin.py").write_text(PLUGIN_TEST_WITHOUT_FORK)
    run_pytest = WITHOUT_FORK + (
        "import sys, pytest\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', "
        "'-p', 'katanemo_identity.testing.plugin', sys.argv[1]]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", run_pytest, str(tmp_path / "test_uses_the_plugin.py")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        # Only the SDK's plugin: the test is about it, not about the others installed.
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
