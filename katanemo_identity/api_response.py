"""``ApiResponse``: a decoded result together with the HTTP response it came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ApiResponse(Generic[T]):
    """What an ``<operation>_with_http_info`` call returns.

    Attributes:
        status_code: The HTTP status code (2xx: errors raise instead).
        headers: The response headers; lookups ignore case.
        data: The body decoded into the operation's return type.
        raw_data: The body exactly as received. Left out of ``repr``: it may
            hold a secret that ``data`` masks.
        retries_taken: How many times the request was sent again before
            this answer.
        reason: The HTTP reason phrase the server sent (``"OK"``), as
            ``ApiException.reason`` carries it for an error.
    """

    status_code: int
    headers: Mapping[str, str]
    data: T
    raw_data: bytes = field(repr=False)
    retries_taken: int = 0
    reason: str | None = None
