"""Masking of credentials in text that may be logged or shown in an error.

One place decides what counts as a secret, so the debug log and exception
messages can never disagree about it.
"""

from __future__ import annotations

import json
import re

MASK = "**********"

#: JSON keys (either spelling) whose values are credentials.
SECRET_KEYS = ("clientSecret", "client_secret", "token", "accessToken", "access_token", "password")

#: Header names that are credentials by definition: a recording drops them.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

#: Header names known to carry no credential: they describe the message, not
#: who sends it. Their values are logged as they are; any other header's
#: value is masked, since a header the caller set (``X-Api-Key``, say) may
#: well be a credential whose name no list can foresee.
HARMLESS_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "age",
        "allow",
        "cache-control",
        "connection",
        "content-encoding",
        "content-language",
        "content-length",
        "content-type",
        "date",
        "etag",
        "expires",
        "host",
        "keep-alive",
        "last-modified",
        "location",
        "retry-after",
        "server",
        "traceparent",
        "tracestate",
        "transfer-encoding",
        "user-agent",
        "vary",
        "via",
        "x-request-id",
    }
)

_SECRET_KEYS = frozenset(key.lower() for key in SECRET_KEYS)

# A JSON string literal, or what is left of one that the text cuts short.
_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)', re.DOTALL)
_COLON = re.compile(r"\s*:\s*")
# A value that is not a string: a number, true, false, null, or junk.
_SCALAR = re.compile(r"[^\s,}\]]+")
# A bracket that changes the nesting depth, or a literal, stepped over whole (it may hold one).
_NESTING = re.compile(_LITERAL.pattern + r"|[\[\]{}]", re.DOTALL)


def redact_body(text: str, limit: int | None = None) -> str:
    """Cut ``text`` to ``limit`` characters, then mask the values of secret JSON fields.

    The text need not be valid JSON: a key spelled with escapes
    (``"client\\u0053ecret"``) is recognised as its parser would read it, a
    secret of any type (a list or an object too) is masked whole, and a
    secret that the text cuts short is masked to the end.
    """
    if limit is None or len(text) <= limit:
        return _mask_secret_values(text)
    return _mask_secret_values(text[:limit]) + f"... ({len(text) - limit} more characters)"


def _mask_secret_values(text: str) -> str:
    # Walking the string literals in order keeps in step with the JSON's own
    # tokens: a quote outside a literal cannot occur, so no literal is misread.
    if '"' not in text:
        return text
    parts: list[str] = []
    done = index = 0
    while (literal := _LITERAL.search(text, index)) is not None:
        index = literal.end()
        colon = _COLON.match(text, index)
        if colon is None or _key(literal.group()) not in _SECRET_KEYS:
            continue
        start = colon.end()
        if text.startswith(("[", "{"), start):
            end = _composite_end(text, start)
        else:
            value = (_LITERAL if text.startswith('"', start) else _SCALAR).match(text, start)
            if value is None:
                continue
            end = value.end()
        parts += [text[done:start], '"', MASK, '"']
        done = index = end
    parts.append(text[done:])
    return "".join(parts)


def _composite_end(text: str, start: int) -> int:
    """Where the list or object at ``start`` ends: after its closing bracket, or the text's end.

    A secret of the wrong type (a list, an object) is masked whole, whatever
    it holds, and to the end of the text when the text cuts it short.
    """
    depth = 0
    index = start
    while (found := _NESTING.search(text, index)) is not None:
        index = found.end()
        if found.group() in ("[", "{"):
            depth += 1
        elif found.group() in ("]", "}"):
            depth -= 1
            if depth == 0:
                return index
    return len(text)


def _key(literal: str) -> str:
    """The lower-cased text of a closed JSON string literal, escapes decoded.

    Only a literal followed by a colon is read as a key, so it is never one
    the text cuts short.
    """
    try:
        return str(json.loads(literal)).lower()
    except ValueError:  # a bad escape or a raw control character
        return literal.strip('"').lower()


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """Return a copy of ``headers`` with every value masked but those of ``HARMLESS_HEADERS``."""
    return {
        name: (value if name.lower() in HARMLESS_HEADERS else MASK)
        for name, value in headers.items()
    }


def redact_url(value: str, mask: str = MASK) -> str:
    """Return ``value`` with the user info of a URL (``user:password@``) replaced by ``mask``.

    Everything up to the last ``@`` is taken for user info, without parsing:
    a URL that does not parse, or a password holding an unencoded ``/``,
    ``?`` or ``#``, is masked as well.
    """
    head, at, tail = value.rpartition("@")
    if not at:
        return value
    scheme, separator, _ = head.partition("://")
    return (scheme + separator if separator else "") + mask + "@" + tail
