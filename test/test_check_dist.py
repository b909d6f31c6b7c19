"""scripts/check_dist.py: what CI demands of the sdist and the wheel, on artifacts made here."""

from __future__ import annotations

import importlib.util
import io
import sys
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_dist.py"

GOOD_METADATA = """Metadata-Version: 2.4
Name: katanemo-identity
Version: 1.0.0
License-Expression: Apache-2.0
Project-URL: Homepage, https://github.com/katanemo/katanemo-identity-python
Project-URL: Documentation, https://github.com/katanemo/katanemo-identity-python/tree/main/docs
Project-URL: Changelog, https://github.com/katanemo/katanemo-identity-python/blob/main/CHANGELOG.md
Project-URL: Source, https://github.com/katanemo/katanemo-identity-python
Project-URL: Issues, https://github.com/katanemo/katanemo-identity-python/issues
Classifier: Development Status :: 5 - Production/Stable
Classifier: Framework :: Pytest
Classifier: Typing :: Typed

See [the docs](https://github.com/katanemo/katanemo-identity-python/blob/main/docs/cli.md).
"""


@pytest.fixture(scope="module")
def check_dist() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_dist", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_dist"] = module
    spec.loader.exec_module(module)
    return module


def make_artifacts(
    dist: Path,
    check_dist: ModuleType,
    *,
    metadata: str = GOOD_METADATA,
    drop: str | None = None,
) -> Path:
    """Write a minimal sdist and wheel holding what the checks ask for, less ``drop``."""
    dist.mkdir()
    with tarfile.open(dist / "katanemo_identity-1.0.0.tar.gz", "w:gz") as sdist:
        for name in check_dist.SDIST_FILES:
            if name != drop:
                data = b"x"
                info = tarfile.TarInfo(f"katanemo_identity-1.0.0/{name}")
                info.size = len(data)
                sdist.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(dist / "katanemo_identity-1.0.0-py3-none-any.whl", "w") as wheel:
        for name in (*check_dist.WHEEL_FILES, "katanemo_identity-1.0.0.dist-info/licenses/LICENSE"):
            if name != drop:
                wheel.writestr(name, "x")
        wheel.writestr("katanemo_identity-1.0.0.dist-info/METADATA", metadata)
    return dist


def test_complete_artifacts_pass(check_dist: ModuleType, tmp_path: Path) -> None:
    assert check_dist.check(make_artifacts(tmp_path / "dist", check_dist)) == []


@pytest.mark.parametrize(
    ("drop", "problem"),
    [
        ("LICENSE", "sdist: LICENSE is missing"),
        (".ci/run", "sdist: .ci/run is missing"),
        ("test/conftest.py", "sdist: test/conftest.py is missing"),
        ("katanemo_identity-1.0.0.dist-info/licenses/LICENSE", "wheel: no .dist-info/licenses"),
        ("katanemo_identity/py.typed", "wheel: katanemo_identity/py.typed is missing"),
    ],
)
def test_a_missing_file_is_reported(
    check_dist: ModuleType, tmp_path: Path, drop: str, problem: str
) -> None:
    problems = check_dist.check(make_artifacts(tmp_path / "dist", check_dist, drop=drop))
    assert any(found.startswith(problem) for found in problems), problems


def test_metadata_problems_are_reported(check_dist: ModuleType, tmp_path: Path) -> None:
    metadata = (
        GOOD_METADATA.replace("Classifier: Framework :: Pytest\n", "")
        .replace(
            "Project-URL: Issues, https://github.com/katanemo/katanemo-identity-python/issues\n",
            "",
        )
        .replace(
            "(https://github.com/katanemo/katanemo-identity-python/blob/main/docs/cli.md)",
            "(docs/cli.md)",
        )
    )
    problems = check_dist.check(make_artifacts(tmp_path / "dist", check_dist, metadata=metadata))
    assert "metadata: no Issues project URL" in problems
    assert "metadata: no classifier 'Framework :: Pytest'" in problems
    assert "README: relative link 'docs/cli.md' is broken on the package index" in problems
