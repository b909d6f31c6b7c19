"""The package keeps its shape: no import cycle, no module too long, a small client core.

``scripts/architecture.py`` holds the limits; docs/architecture.md says why.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "architecture.py"


@pytest.fixture(scope="module")
def architecture() -> ModuleType:
    spec = importlib.util.spec_from_file_location("architecture", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["architecture"] = module
    spec.loader.exec_module(module)
    return module


def test_no_module_imports_one_that_imports_it_back(architecture: ModuleType) -> None:
    assert architecture.cycles() == []


def test_no_module_is_too_long(architecture: ModuleType) -> None:
    assert architecture.long_modules() == []


def test_the_client_core_stays_small(architecture: ModuleType) -> None:
    assert architecture.core_code_lines() <= architecture.MAX_CORE_CODE_LINES


def test_the_script_names_every_problem_and_fails_on_any(architecture: ModuleType) -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, check=False, timeout=60
    )
    problems = architecture.problems()
    assert run.returncode == (1 if problems else 0)
    assert run.stdout.splitlines() == (problems or [run.stdout.strip()])
    if not problems:
        assert run.stdout.startswith("ok: ")


def _package(root: Path, files: dict[str, str]) -> Path:
    package = root / "katanemo_identity"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


def test_a_cycle_through_a_type_only_or_a_late_import_is_found(
    architecture: ModuleType, tmp_path: Path
) -> None:
    package = _package(
        tmp_path,
        {
            "__init__.py": "from katanemo_identity import low\n",
            "low.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import high\n",
            "high.py": "def late():\n    from katanemo_identity.mid import x\n",
            "mid.py": "import katanemo_identity.low\n",
            "alone.py": "from katanemo_identity import low\n",
        },
    )
    assert architecture.cycles(package) == [
        ["katanemo_identity.high", "katanemo_identity.low", "katanemo_identity.mid"]
    ]


def test_the_package_importing_its_own_modules_lazily_is_no_cycle(
    architecture: ModuleType, tmp_path: Path
) -> None:
    package = _package(
        tmp_path,
        {
            "__init__.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from katanemo_identity.client import Client\n",
            "client.py": "from katanemo_identity import _version\n",
            "_version.py": "VERSION = '1'\n",
        },
    )
    assert architecture.cycles(package) == []


def test_a_long_module_and_a_large_core_are_named(architecture: ModuleType, tmp_path: Path) -> None:
    code = "x = 1\n" * (architecture.MAX_MODULE_LINES + 1)
    package = _package(tmp_path, {"__init__.py": "", "big.py": code, "cli/tool.py": code})
    assert architecture.long_modules(package) == [
        ("katanemo_identity/big.py", architecture.MAX_MODULE_LINES + 1),
        ("katanemo_identity/cli/tool.py", architecture.MAX_MODULE_LINES + 1),
    ]
    # The command line is not the core; docstrings, comments and blank lines are not code.
    assert architecture.core_code_lines(package) == architecture.MAX_MODULE_LINES + 1
    assert (
        architecture.code_lines('"""Doc."""\n\n# note\ndef f():\n    """Doc."""\n    return 1\n')
        == 2
    )
