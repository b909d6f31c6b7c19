"""mkdocs hook: links from docs/ to files outside it point at the repository instead.

The pages link to ``../README.md`` or ``../bench/README.md`` so that they work
when read on GitHub; the site holds only docs/, so there those links become
the same files' GitHub addresses, and ``mkdocs build --strict`` still fails on
any other link to a page that does not exist.
"""

from __future__ import annotations

import re
from typing import Any

REPOSITORY = "https://github.com/katanemo/katanemo-identity-python/blob/main/"

_OUTSIDE = re.compile(r"\]\(\.\./([^)\s]+)\)")


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Rewrite ``](../path)`` links of pages directly in docs/ to the repository's copy."""
    if "/" in page.file.src_uri:
        return markdown  # pages in subfolders have no links outside docs/
    return _OUTSIDE.sub(lambda found: f"]({REPOSITORY}{found.group(1)})", markdown)
