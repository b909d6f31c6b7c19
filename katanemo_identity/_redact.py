"""Masking of credentials in text that may be logged or shown in an error.

One place decides what counts as a secret, so the debug log and exception
messages can never disagree about it.
"""

from __future__ import annotations

import re

MASK = "**********"

#: JSON keys (either spelling) whose values are credentials.
SECRET_KEYS = ("clientSecret", "client_secret", "token", "accessToken", "access_token", "password")

#: Header names whose values are credentials.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

_SECRET_VALUE = re.compile(r'("(?:' + "|".join(SECRET_KEYS) + r')"\s*:\s*)"(?:[^"\\]|\\.)*"')


def redact_body(text: str, limit: int | None = None) -> str:
    """Mask secret JSON fields in ``text``, then cut it to ``limit`` characters."""
    masked = _SECRET_VALUE.sub(r'\1"' + MASK + '"', text)
    if limit is not None and len(masked) > limit:
        return masked[:limit] + f"... ({len(masked) - limit} more characters)"
    return masked


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """Return a copy of ``headers`` with credential values masked."""
    return {
        name: (MASK if name.lower() in SECRET_HEADERS else value) for name, value in headers.items()
    }
