"""Check the built sdist and wheel hold what a published release must: ``check_dist.py DIST_DIR``.

Run by .ci/run after ``python -m build --outdir DIST_DIR`` and ``twine check``. Each
problem is printed on a line of its own; the exit status is 1 when there is any.
"""

from __future__ import annotations

import email
import re
import sys
import tarfile
import zipfile
from email.message import Message
from pathlib import Path

URLS = ("Homepage", "Documentation", "Changelog", "Source", "Issues")
CLASSIFIERS = (
    "Development Status :: 5 - Production/Stable",
    "Framework :: Pytest",
    "Typing :: Typed",
)
#: What the unpacked sdist needs for its test suite to run (CI runs it there too), and
#: what CI runs, which the README points to.
SDIST_FILES = (
    ".ci/run",
    "LICENSE",
    "CHANGELOG.md",
    "README.md",
    "setup.cfg",
    "test/conftest.py",
    "test/faultkit.py",
    "test/proxykit.py",
    "test/servers.py",
    "test/api_surface.json",
    "docs/testing.md",
    "docs/configuration.md",
    "docs/IdentityApi.md",
    "bench/run.py",
    "scripts/api_surface.py",
)
WHEEL_FILES = (
    "katanemo_identity/py.typed",
    "katanemo_identity/openapi.json",
    "katanemo_identity/testing/plugin.py",
)


def check(dist: Path) -> list[str]:
    """Return the problems found in the one sdist and one wheel in ``dist``."""
    problems: list[str] = []
    sdists = sorted(dist.glob("*.tar.gz"))
    wheels = sorted(dist.glob("*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        return [f"expected one sdist and one wheel in {dist}, found {sdists + wheels}"]

    with tarfile.open(sdists[0]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    problems += [f"sdist: {name} is missing" for name in SDIST_FILES if name not in names]

    with zipfile.ZipFile(wheels[0]) as wheel:
        members = set(wheel.namelist())
        metadata_name = next(name for name in members if name.endswith(".dist-info/METADATA"))
        metadata = email.message_from_bytes(wheel.read(metadata_name))
    problems += [f"wheel: {name} is missing" for name in WHEEL_FILES if name not in members]
    if not any(name.endswith(".dist-info/licenses/LICENSE") for name in members):
        problems.append("wheel: no .dist-info/licenses/LICENSE")
    if any(name.startswith(("test/", "docs/", "bench/")) for name in members):
        problems.append("wheel: holds test/, docs/ or bench/ files")
    problems += check_metadata(metadata)
    return problems


def check_metadata(metadata: Message) -> list[str]:
    """The license, project URLs, classifiers and a README whose links work on the index."""
    problems = []
    if metadata.get("License-Expression") != "Apache-2.0":
        problems.append(f"metadata: License-Expression is {metadata.get('License-Expression')!r}")
    urls = {value.split(",", 1)[0].strip() for value in metadata.get_all("Project-URL") or []}
    problems += [f"metadata: no {label} project URL" for label in URLS if label not in urls]
    classifiers = set(metadata.get_all("Classifier") or [])
    problems += [f"metadata: no classifier {c!r}" for c in CLASSIFIERS if c not in classifiers]
    description = metadata.get_payload()
    assert isinstance(description, str)
    for link in re.findall(r"\]\(([^)]+)\)", description):
        if not link.startswith(("https://", "#")):
            problems.append(f"README: relative link {link!r} is broken on the package index")
    return problems


def main(argv: list[str]) -> int:
    """Print each problem of the artifacts in ``argv[0]``; return 1 if there is any."""
    if len(argv) != 1:
        print(__doc__.split("\n", 1)[0], file=sys.stderr)
        return 2
    problems = check(Path(argv[0]))
    for problem in problems:
        print(problem)
    if not problems:
        print("sdist and wheel: license, metadata, README links and contents are in place")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
