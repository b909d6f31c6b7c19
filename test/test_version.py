"""The version tells the truth: ``_version.py``, the CHANGELOG and the pinning advice agree."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from katanemo_identity import __version__

REPO = Path(__file__).resolve().parent.parent
CHANGELOG = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
COMPARE = "https://github.com/katanemo/katanemo-identity-python/compare/"

#: ``## [2.0.0] - 2026-12-05``: a release heading.
RELEASE = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", re.MULTILINE)

#: ``katanemo-identity>=2,<3`` as the docs advise, in backticks.
PIN = re.compile(r"`katanemo-identity([<>=!~][^`]*)`")


def releases() -> list[str]:
    """The released versions in the CHANGELOG, newest first, as its headings list them."""
    return [found.group(1) for found in RELEASE.finditer(CHANGELOG)]


def test_the_version_is_the_newest_release_in_the_changelog() -> None:
    versions = releases()

    assert versions[0] == __version__
    assert [Version(v) for v in versions] == sorted((Version(v) for v in versions), reverse=True)


def test_an_empty_unreleased_section_sits_above_the_newest_release() -> None:
    unreleased = CHANGELOG.index("## [Unreleased]\n")
    newest = CHANGELOG.index(f"## [{__version__}] - ")

    assert unreleased < newest
    assert CHANGELOG[unreleased:newest].strip() == "## [Unreleased]"


def test_the_changelog_links_compare_each_release_with_the_one_before() -> None:
    links = dict(re.findall(r"^\[([^\]]+)\]: (\S+)$", CHANGELOG, re.MULTILINE))
    versions = releases()

    assert links["Unreleased"] == f"{COMPARE}v{versions[0]}...HEAD"
    for newer, older in itertools.pairwise(versions):
        assert links[newer] == f"{COMPARE}v{older}...v{newer}"
    assert links[versions[-1]].endswith(f"/releases/tag/v{versions[-1]}")


def test_every_pinning_advice_admits_this_version_and_not_the_next_major() -> None:
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    pins = {
        (page.name, found.group(1))
        for page in pages
        for found in PIN.finditer(page.read_text(encoding="utf-8"))
    }
    major = Version(__version__).major
    next_major = f"{major + 1}.0.0"

    assert ("versioning.md", f">={major},<{major + 1}") in pins
    for page, specifier in pins:
        allowed = SpecifierSet(specifier)
        assert __version__ in allowed, (page, specifier)
        assert next_major not in allowed, (page, specifier)
