"""The package's shape, checked: no import cycles, no module too long, a client core kept small.

    python scripts/architecture.py     # exit 1, naming each problem, when a limit is broken

Three limits (docs/architecture.md says why):

* no module of ``katanemo_identity`` imports one that imports it back,
  directly or through others. Every import counts: those under
  ``TYPE_CHECKING`` and those inside functions too. The names the package
  loads on first use (PEP 562) are edges from ``__init__`` alone;
* no module is longer than ``MAX_MODULE_LINES`` lines, docstrings included;
* the client core (all but ``testing/``, ``cli/``, ``legacy/``, the
  conformance kit) holds at most ``MAX_CORE_CODE_LINES`` lines of code:
  blank lines, comments and docstrings not counted.
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "katanemo_identity"

MAX_MODULE_LINES = 420
#: The core's size today, as a ceiling: new code in the core is paid for by
#: deleting some. Lower this as the core shrinks; never raise it.
MAX_CORE_CODE_LINES = 2790

#: What is not the client core: the test kits, the command line, the old client's layer.
NOT_CORE = ("testing", "cli", "legacy", "conformance.py", "_conformance")


def module_name(path: Path, root: Path = PACKAGE) -> str:
    """``katanemo_identity/api/__init__.py`` is ``katanemo_identity.api``."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, modules: set[str], root: Path = PACKAGE) -> set[str]:
    """The package's modules that ``path`` imports, wherever in the file the import stands."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # ``from package import module`` imports the module.
            found.update(
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            )
    return {module for module in found if module in modules and module != name}


def cycles(root: Path = PACKAGE) -> list[list[str]]:
    """Each group of modules that import one another, directly or through others (sorted)."""
    paths = {module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    graph = {name: imports(path, set(paths), root) for name, path in paths.items()}
    # Tarjan's strongly connected components.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def long_modules(root: Path = PACKAGE) -> list[tuple[str, int]]:
    """The modules longer than ``MAX_MODULE_LINES``, with their line counts."""
    counted = (
        (str(path.relative_to(root.parent)), len(path.read_text(encoding="utf-8").splitlines()))
        for path in sorted(root.rglob("*.py"))
    )
    return [(name, lines) for name, lines in counted if lines > MAX_MODULE_LINES]


def code_lines(source: str) -> int:
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                docstrings.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    skipped = {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
    }
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skipped:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def core_code_lines(root: Path = PACKAGE) -> int:
    """Lines of code in the client core."""
    return sum(
        code_lines(path.read_text(encoding="utf-8"))
        for path in root.rglob("*.py")
        if path.relative_to(root).parts[0] not in NOT_CORE
    )


def problems(root: Path = PACKAGE) -> list[str]:
    """Every limit broken, one line each; empty when the package keeps them all."""
    found = [f"import cycle: {' <-> '.join(group)}" for group in cycles(root)]
    found += [
        f"{name} has {lines} lines; split it (at most {MAX_MODULE_LINES})"
        for name, lines in long_modules(root)
    ]
    core = core_code_lines(root)
    if core > MAX_CORE_CODE_LINES:
        found.append(f"the client core has {core} lines of code (at most {MAX_CORE_CODE_LINES})")
    return found


def main() -> int:
    found = problems()
    for problem in found:
        print(problem)
    if not found:
        print(f"ok: no import cycle, no module over {MAX_MODULE_LINES} lines, ", end="")
        print(f"{core_code_lines()} lines of code in the client core")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
