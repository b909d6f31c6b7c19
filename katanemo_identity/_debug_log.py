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
        "%s %s -> %s %s in %.1f ms\nrequest headers: %s\nrequest body: %s\n"
        "response headers: %s\nresponse body: %s",
        request.method,
        url,
        response.status,
        response.reason,
        (time.perf_counter() - started) * 1000,
        redact_headers(request.headers),
        _loggable(request.body),
        redact_headers(dict(response.headers)),
        _loggable(raw),
    )


def log_failure(request: Request, error: OpenApiException, started: float) -> None:
    """Log a call that got no final response, only ``error``."""
    request.logger.debug(
        "%s %s -> %s after %.1f ms\nrequest headers: %s\nrequest body: %s",
        request.method,
        request.url,
        type(error).__name__,
        (time.perf_counter() - started) * 1000,
        redact_headers(request.headers),
        _loggable(request.body),
    )


def _loggable(payload: bytes | None) -> str:
    if not payload:
        return "(none)"
    return redact_body(payload.decode("utf-8", "replace"), LOG_BODY_CHARS)
