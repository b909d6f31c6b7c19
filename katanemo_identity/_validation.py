"""Checks of settings and headers, shared by ``Configuration``, per-call options and hooks.

Each ``validate_*`` returns the value to keep or raises ``ApiValueError``
with a message that never quotes a string the caller gave: it may be a
credential.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from urllib.parse import urlsplit

from katanemo_identity._redact import redact_url
from katanemo_identity.exceptions import ApiTypeError, ApiValueError

#: A timeout in seconds for connect and read alike, or a ``(connect, read)`` pair.
TimeoutSetting = float | tuple[float, float]


def validate_host(value: str) -> str:
    """Check a base URL and return it without a trailing slash.

    Raises:
        ApiValueError: not an http or https URL with a host, or it carries
            credentials, a query or a fragment.
    """
    if not isinstance(value, str):
        raise ApiValueError("host must be a string such as 'https://api.katanemo.com'")
    # The URL is quoted in messages with its user info masked: a password may be in it.
    shown = repr(redact_url(value))
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError as error:
        raise ApiValueError(f"host {shown} is not a valid URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise ApiValueError(f"host {shown} must be an http:// or https:// URL with a host name")
    if parts.username is not None or parts.password is not None:
        raise ApiValueError("host must not carry credentials; set access_token instead")
    if parts.query or parts.fragment:
        raise ApiValueError(f"host {shown} must not have a query or fragment")
    return value.rstrip("/")


_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")


def validate_header(name: object, value: object) -> None:
    """Refuse a header that could split or corrupt the request.

    Raises:
        ApiValueError: the name is not an HTTP token, or the value is not a
            string, contains CR, LF or another control character, or has a
            character outside Latin-1. The value itself is never quoted in
            the message: it may be a credential.
    """
    if not isinstance(name, str):
        raise ApiValueError(f"a header name must be a string, not {type(name).__name__}")
    if not name or not _TOKEN_CHARS.issuperset(name):
        # The name is not quoted either: a whole "Authorization: Bearer ..."
        # line passed as a name would quote the token.
        wrong = next((char for char in name if char not in _TOKEN_CHARS), None)
        problem = f"contains {wrong!r}" if wrong is not None else "is empty"
        raise ApiValueError(f"a header name {problem}; it must be an HTTP token such as X-Trace")
    if not isinstance(value, str):
        raise ApiValueError(f"header {name}: value must be a string, not {type(value).__name__}")
    if not value.isprintable():
        raise ApiValueError(f"header {name}: value contains a control character (such as CR or LF)")
    if value and max(value) > "\xff":  # beyond Latin-1
        raise ApiValueError(f"header {name}: value has a character HTTP headers cannot carry")


def validate_headers(
    headers: object, name: str, refuse: type[ApiValueError | ApiTypeError]
) -> Mapping[str, str]:
    """Check a mapping of headers (``validate_header`` for each) and return it.

    Raises:
        ApiValueError, ApiTypeError: ``refuse``, when ``headers`` is not a
            mapping; ``ApiValueError`` for a header ``validate_header`` refuses.
    """
    if not isinstance(headers, Mapping):
        raise refuse(
            f"{name} must be a mapping of header names to values, not {type(headers).__name__}"
        )
    for key, value in headers.items():
        validate_header(key, value)
    return headers


def validate_timeout(value: TimeoutSetting) -> TimeoutSetting:
    """Check a timeout: a positive number, or a ``(connect, read)`` pair of them.

    Raises:
        ApiValueError: None, zero, negative, or not a number or pair.
    """
    if isinstance(value, tuple) and len(value) == 2:
        return (seconds("timeout", value[0], _PAIR), seconds("timeout", value[1], _PAIR))
    return seconds("timeout", value, _PAIR)


_PAIR = " or a (connect, read) pair"


def seconds(name: str, value: float, alternative: str = "") -> float:
    """Check a setting that is a positive, finite number of seconds; return it as a float.

    Raises:
        ApiValueError: None, zero, negative, infinite, or not a number.
    """
    number = _number(value)
    if number is None or not 0 < number < math.inf:
        raise ApiValueError(
            f"{name} must be a finite number of seconds > 0{alternative}, not {_shown(value)}"
        )
    return number


def non_negative(name: str, value: float) -> float:
    """Check a setting that is a number of zero or more; return it as a float."""
    number = _number(value)
    if number is None or not number >= 0:
        raise ApiValueError(f"{name} must be a number >= 0, not {_shown(value)}")
    return number


def whole_number(name: str, value: int, least: int) -> int:
    """Check a setting that is a whole number of ``least`` or more."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ApiValueError(f"{name} must be a whole number >= {least}, not {_shown(value)}")
    return value


def _number(value: object) -> float | None:
    """``value`` as a float (an int too large for one as infinity); None if not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf


def _shown(value: object) -> str:
    """A refused setting as a message quotes it: a number as it is, anything else by its type.

    A string in the wrong place may be a credential, so it is never quoted.
    """
    if isinstance(value, float) or (isinstance(value, int) and abs(value) < 10**18):
        return repr(value)
    return type(value).__name__
