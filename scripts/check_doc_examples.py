"""Type-check every Python example in README.md and docs/ as user code.

Each ```` ```python ```` block becomes a module of its own, checked by
``mypy --strict`` without the pydantic plugin, ``mypy --strict`` with it, and
pyright in standard mode, for Python 3.10 (the oldest the package supports),
the way a user's project would check it. No example
is skipped. A fragment that uses a name it does not define (``api`` in a
snippet about one call, say) gets that name from ``PREAMBLE``, declared the way
a user's code would have it; a name neither the fragment nor ``PREAMBLE``
defines fails the check. Errors are reported at the markdown file and line.

::

    python scripts/check_doc_examples.py            # exit status 0 when every example passes
    python scripts/check_doc_examples.py --list     # the examples and the names each is given

pyright comes from the ``pyright`` package of the ``test`` extra, which runs
the bundled pyright with the ``node`` found on ``PATH`` (see docs/typing.md).
"""

from __future__ import annotations

import argparse
import ast
import builtins
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPECHECK = ROOT / "test" / "typecheck"

#: The checkers' environment. MYPYPATH: the package as its users' checkers find
#: it once installed (an editable install's import hook is invisible to mypy).
#: PYRIGHT_PYTHON_IGNORE_WARNINGS: no look-up of pyright's latest version on
#: PyPI before each run.
CHECKER_ENVIRONMENT = {**os.environ, "MYPYPATH": str(ROOT), "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"}

#: What a fragment may use without defining it, as the lines that define it.
PREAMBLE: dict[str, str] = {
    "json": "import json",
    "katanemo_identity": "import katanemo_identity",
    "ClientKeyRequest": "from katanemo_identity import ClientKeyRequest",
    "UserRequest": "from katanemo_identity import UserRequest",
    "configuration": "configuration = katanemo_identity.Configuration()",
    "api_client": "api_client = katanemo_identity.ApiClient()",
    "api": "api = katanemo_identity.IdentityApi()",
    "api_instance": "api_instance = katanemo_identity.IdentityApi()",
    "identity_server": "identity_server = IdentityServer()",
    "identity_api": "identity_api = katanemo_identity.IdentityApi()",
    "IdentityServer": "from katanemo_identity.testing import IdentityServer",
    "server": "server = IdentityServer()",
    "request": (
        "request = katanemo_identity.ClientKeyRequest("
        'client_name="ci-runner", default_role_id="deployer")'
    ),
    "invite": (
        'invite = katanemo_identity.UserRequest(account_id="acme", user_id="ada@example.com")'
    ),
    "other_token": 'other_token = "eyJhbGciOi..."',
    "fetch_token_from_your_identity_provider": (
        "def fetch_token_from_your_identity_provider() -> tuple[str, float]:\n"
        '    return "token", 3600.0'
    ),
}


_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_MYPY_LINE = re.compile(r"^(?P<file>[^:\s]+\.py):(?P<line>\d+):(?:\d+:)? (?P<rest>.*)$")
_PYRIGHT_LINE = re.compile(r"^\s*(?P<file>/\S+\.py):(?P<line>\d+):\d+ - (?P<rest>.*)$")


@dataclass(frozen=True)
class Example:
    """One python block of a markdown page."""

    page: Path
    first_line: int  # the markdown line of the block's first line of code
    source: str

    @property
    def module(self) -> str:
        stem = re.sub(r"\W", "_", self.page.relative_to(ROOT).with_suffix("").as_posix())
        return f"{stem}_line{self.first_line}".lower()


def pages() -> list[Path]:
    """README.md and every page under docs/, in a stable order."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def examples() -> list[Example]:
    """Every python block of every page."""
    found = []
    for page in pages():
        text = page.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            first_line = text.count("\n", 0, match.start(1)) + 1
            found.append(Example(page, first_line, match.group(1)))
    return found


def free_names(source: str) -> set[str]:
    """Names the source reads but binds nowhere (nor are they builtins)."""
    tree = ast.parse(source)
    bound: set[str] = set()
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return used - bound - set(dir(builtins))


def preamble_for(example: Example) -> list[str]:
    """The names ``PREAMBLE`` gives the example, dependencies first.

    Raises:
        SystemExit: the example uses a name that nothing defines.
    """
    try:
        missing = free_names(example.source)
    except SyntaxError as error:
        raise SystemExit(
            f"{example.page.relative_to(ROOT)}:{example.first_line + (error.lineno or 1) - 1}: "
            f"the example is not Python: {error.msg}"
        ) from None
    unknown = missing - PREAMBLE.keys()
    if unknown:
        raise SystemExit(
            f"{example.page.relative_to(ROOT)}:{example.first_line}: the example uses "
            f"{', '.join(sorted(unknown))}, which it does not define; define it in the "
            "example, or add it to PREAMBLE in scripts/check_doc_examples.py"
        )
    # A preamble line may use names of earlier ones (``api`` needs ``katanemo_identity``).
    given: set[str] = set()
    wanted = list(missing)
    while wanted:
        name = wanted.pop()
        if name not in given:
            given.add(name)
            wanted.extend(free_names(PREAMBLE[name]))
    return [name for name in PREAMBLE if name in given]


def write_modules(found: list[Example], directory: Path) -> dict[str, tuple[Example, int]]:
    """Write each example as a module; return, per file, its example and preamble length."""
    where: dict[str, tuple[Example, int]] = {}
    for example in found:
        lines = [PREAMBLE[name] for name in preamble_for(example)]
        header = "".join(line + "\n" for line in lines)
        path = directory / f"{example.module}.py"
        path.write_text(header + example.source, encoding="utf-8")
        where[str(path)] = (example, header.count("\n"))
    return where


def run_checkers(directory: Path, files: list[str]) -> list[tuple[str, str]]:
    """Run the three checkers over ``files``; return ``(checker, output line)`` per error line."""
    plain = directory / "mypy.ini"
    plain.write_text("[mypy]\nstrict = True\npython_version = 3.10\n", encoding="utf-8")
    with_plugin = TYPECHECK / "mypy-pydantic-plugin.ini"
    pyright_config = directory / "pyrightconfig.json"
    pyright_config.write_text(
        json.dumps(
            {"typeCheckingMode": "standard", "pythonVersion": "3.10", "extraPaths": [str(ROOT)]}
        ),
        encoding="utf-8",
    )
    python = sys.executable
    # A cache per configuration, kept between runs: the package and its
    # dependencies are checked once, the examples every time.
    cache = ROOT / ".mypy_cache"
    runs = {
        "mypy": [
            *(python, "-m", "mypy", "--config-file", str(plain)),
            *("--cache-dir", str(cache / "doc-examples"), *files),
        ],
        "mypy + pydantic plugin": [
            *(python, "-m", "mypy", "--config-file", str(with_plugin)),
            *("--cache-dir", str(cache / "doc-examples-plugin"), *files),
        ],
        "pyright": [
            *pyright_command(),
            "-p",
            str(pyright_config),
            "--pythonpath",
            python,
            *files,
        ],
    }
    errors: list[tuple[str, str]] = []
    for checker, command in runs.items():
        result = subprocess.run(  # noqa: S603 (our own interpreter and tools)
            command,
            cwd=directory,
            capture_output=True,
            text=True,
            check=False,
            env=CHECKER_ENVIRONMENT,
        )
        lines = [
            line for line in result.stdout.splitlines() if " error: " in line or " - error" in line
        ]
        if result.returncode != 0 and not lines:
            lines = [f"{checker} failed to run: {(result.stderr or result.stdout).strip()}"]
        errors.extend((checker, line) for line in lines)
    return errors


def pyright_command() -> list[str]:
    """How to start pyright: the ``pyright`` package of this interpreter, else one on PATH."""
    beside = Path(sys.executable).with_name("pyright")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("pyright")
    if found is None:
        raise SystemExit("pyright is not installed: pip install -e '.[test]'")
    return [found]


def at_markdown_line(line: str, where: dict[str, tuple[Example, int]], directory: Path) -> str:
    """Rewrite a checker's ``file.py:line`` as the markdown page and line of the example."""
    for pattern in (_MYPY_LINE, _PYRIGHT_LINE):
        match = pattern.match(line)
        if match is None:
            continue
        path = match.group("file")
        key = path if os.path.isabs(path) else str(directory / path)
        if key not in where:
            continue
        example, header = where[key]
        number = int(match.group("line"))
        page = example.page.relative_to(ROOT)
        if number <= header:
            return f"{page}:{example.first_line} (preamble): {match.group('rest')}"
        return f"{page}:{example.first_line + number - header - 1}: {match.group('rest')}"
    return line.strip()


def main(argv: list[str] | None = None) -> int:
    """Check every example; print each error at its markdown line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the examples and exit")
    arguments = parser.parse_args(argv)
    found = examples()
    if arguments.list:
        for example in found:
            try:
                given = ", ".join(preamble_for(example)) or "-"
            except SystemExit as problem:
                given = f"PROBLEM: {problem}"
            print(f"{example.page.relative_to(ROOT)}:{example.first_line}  given: {given}")
        return 0
    with tempfile.TemporaryDirectory(prefix="doc-examples-") as temporary:
        directory = Path(temporary)
        where = write_modules(found, directory)
        errors = run_checkers(directory, sorted(where))
        for checker, line in errors:
            print(f"{at_markdown_line(line, where, directory)}  ({checker})")
    print(
        f"{len(found)} examples from {len({example.page for example in found})} pages: "
        f"{len(errors)} errors (mypy --strict, mypy --strict with the pydantic plugin, pyright)"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
