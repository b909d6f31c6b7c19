"""The DEBUG record of each call, on ``Configuration.logger`` when ``Configuration.debug`` is on.

One record per call: the request and the final response (or the error),
headers and bodies with every secret masked (``_redact.py``), bodies cut to
``LOG_BODY_CHARS``. Each retry has a record of its own, written by
``retry.exchange``.
"""

from __future__ import annotations

import time

import urllib3

from katanemo_identity._redact import redact_body, redact_headers
from katanemo_identity.exceptions import OpenApiException
from katanemo_identity.retry import Request

#: How much of each body the debug log shows.
LOG_BODY_CHARS = 2000


def log_exchange(
    request: Request, url: str, response: urllib3.BaseHTTPResponse, raw: bytes, started: float
) -> None:
    """Log a call that got its final response from ``url``; ``started`` is its ``perf_counter``."""
    request.logger.debug(
        "%s\nresponse headers: %s\nresponse body: %s",
        _sent(request, url, f"{response.status} {response.reason} in", started),
        redact_headers(dict(response.headers)),
        _loggable(raw),
    )


def log_failure(request: Request, error: OpenApiException, started: float) -> None:
    """Log a call that got no final response, only ``error``."""
    request.logger.debug(_sent(request, request.url, f"{type(error).__name__} after", started))


def _sent(request: Request, url: str, outcome: str, started: float) -> str:
    # What every record begins with: the request, how it ended, how long it took.
    elapsed = (time.perf_counter() - started) * 1000
    return (
        f"{request.method} {url} -> {outcome} {elapsed:.1f} ms\n"
        f"request headers: {redact_headers(request.headers)}\n"
        f"request body: {_loggable(request.body)}"
    )


def _loggable(payload: bytes | None) -> str:
    if not payload:
        return "(none)"
    return redact_body(payload.decode("utf-8", "replace"), LOG_BODY_CHARS)
