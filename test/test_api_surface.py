"""The public API matches the committed snapshot, and the check notices a change.

The snapshot is ``test/api_surface.json``; ``python scripts/api_surface.py --update``
rewrites it on purpose (see docs/versioning.md).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import katanemo_identity
from katanemo_identity.configuration import Configuration

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "api_surface.py"


@pytest.fixture(scope="module")
def api_surface() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_surface", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["api_surface"] = module
    spec.loader.exec_module(module)
    return module


def test_the_public_api_matches_the_committed_snapshot(api_surface: ModuleType) -> None:
    committed = api_surface.SNAPSHOT.read_text(encoding="utf-8")
    current = api_surface.render(api_surface.surface())
    assert current == committed, (
        "The public API changed. If intended: python scripts/api_surface.py --update, "
        "then commit test/api_surface.json with a CHANGELOG.md line."
    )


def test_the_check_reports_a_changed_signature_with_a_diff(
    api_surface: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def authorization(self: Configuration, scope: str) -> str | None:
        return None

    monkeypatch.setattr(Configuration, "authorization", authorization)

    assert api_surface.main([]) == 1
    printed = capsys.readouterr().out
    assert "+" in printed
    assert "scope: 'str'" in printed
    assert "python scripts/api_surface.py --update" in printed


def test_the_snapshot_covers_fields_fixtures_exceptions_and_the_command_line(
    api_surface: ModuleType,
) -> None:
    data = api_surface.surface()
    modules = data["modules"]
    user = modules["katanemo_identity.models.user_request"]["UserRequest"]
    assert user["fields"]["user_id"]["alias"] == "userId"
    assert (
        modules["katanemo_identity.testing.plugin"]["identity_server"]["kind"] == "pytest fixture"
    )
    not_found = modules["katanemo_identity.exceptions"]["NotFoundException"]
    assert not_found["kind"] == "exception"
    assert "status" in not_found["attributes"]
    assert "--token-file PATH" in data["command_line"]["katanemo-identity keys list"]
    assert set(modules["katanemo_identity"]) == set(katanemo_identity.__all__)


def test_update_writes_what_the_check_then_accepts(
    api_surface: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(api_surface, "SNAPSHOT", tmp_path / "api_surface.json")
    assert api_surface.main([]) == 1  # no snapshot yet
    assert api_surface.main(["--update"]) == 0
    assert api_surface.main([]) == 0
