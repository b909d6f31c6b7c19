"""Recordings without secrets: the vcrpy settings that keep credentials out of cassettes.

vcrpy can drop request headers by name, but not fields of a response body,
and a cassette of SDK calls holds every bearer token sent and every
``clientSecret`` and user ``token`` received. ``vcr_config`` returns the
settings that remove them, using the SDK's one definition of a secret
(``katanemo_identity._redact``), so a cassette masks exactly what the debug
log and exception messages mask. vcrpy is imported only when
``vcr_config`` is called.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, MutableMapping
from typing import Protocol, TypedDict, TypeVar

from katanemo_identity._redact import HARMLESS_HEADERS, MASK, SECRET_HEADERS, redact_body


class CassetteRequest(Protocol):
    """What ``mask_request`` needs of a ``vcr.request.Request``: its headers and body."""

    headers: MutableMapping[str, str]
    body: bytes | str | None


RequestT = TypeVar("RequestT", bound=CassetteRequest)

#: A response as vcrpy records it: ``status``, ``headers`` (name to list of
#: values) and ``body`` (``{"string": bytes}``).
CassetteResponse = MutableMapping[str, object]


class VcrConfig(TypedDict):
    """The keyword arguments ``vcr_config`` returns, typed as ``vcr.VCR`` takes them."""

    filter_headers: list[str]
    before_record_request: Callable[[CassetteRequest], CassetteRequest]
    before_record_response: Callable[[CassetteResponse], CassetteResponse]
    decode_compressed_response: bool
    custom_patches: tuple[tuple[type, str, type], ...]


def vcr_config() -> VcrConfig:
    """Return keyword arguments for ``vcr.VCR`` (or pytest-recording's ``vcr_config``).

    With them a cassette holds no credential: the Authorization, Cookie and
    proxy credential headers of requests are dropped, those of responses are
    masked, and the secret JSON fields of both bodies (``clientSecret``,
    ``token``, ...) keep their key with the value ``**********``. Compressed
    bodies are stored decompressed, so the masking sees them.

    Replaying such a cassette answers with the masked values; everything else
    is as recorded. To add filters of your own, pass vcrpy a list:
    ``before_record_response=[config["before_record_response"], yours]``.

    Returns:
        A new ``VcrConfig`` dict each time: ``filter_headers``, ``before_record_request``,
        ``before_record_response``, ``decode_compressed_response``, and
        ``custom_patches`` (so that vcrpy also intercepts the connections of
        the SDK's own connection pools).

    Raises:
        ImportError: vcrpy is not installed.
    """
    return {
        "filter_headers": sorted(SECRET_HEADERS),
        "before_record_request": mask_request,
        "before_record_response": mask_response,
        "decode_compressed_response": True,
        "custom_patches": _pool_patches(),
    }


def _pool_patches() -> tuple[tuple[type, str, type], ...]:
    # vcrpy swaps the connection class of urllib3's own pools; the SDK's
    # pools are subclasses with a connection class of their own (it ties each
    # connection to its call's deadline), which vcrpy must swap too. Imported
    # here, not at the top: only a caller of vcr_config has vcrpy (which has
    # no type information; its classes are Any to a type checker).
    stubs = importlib.import_module("vcr.stubs.urllib3_stubs")

    from katanemo_identity import _connection

    # What the pools read of a connection they are given back.
    unwatched = {"watched_by": None}
    http_stub = type("HTTPStub", (stubs.VCRRequestsHTTPConnection,), unwatched)
    https_stub = type("HTTPSStub", (stubs.VCRRequestsHTTPSConnection,), unwatched)
    return (
        (_connection.HTTPPool, "ConnectionCls", http_stub),
        (_connection.HTTPSPool, "ConnectionCls", https_stub),
    )


def mask_request(request: RequestT) -> RequestT:
    """Mask a recorded request's headers but the harmless ones, and its body's secret fields.

    A header the caller set (``ApiClient(header_name="X-Api-Key", ...)``) may
    be a credential no list of names foresees: as in the debug log, only the
    values of ``HARMLESS_HEADERS`` are kept.

    Returns:
        The same request, masked.
    """
    headers = request.headers
    for name in list(headers):
        if name.lower() not in HARMLESS_HEADERS:
            headers[name] = MASK
    body = request.body
    if body:
        request.body = _mask(body if isinstance(body, bytes) else body.encode())
    return request


def mask_response(response: CassetteResponse) -> CassetteResponse:
    """Mask the credential headers and secret JSON fields of a recorded response.

    ``Content-Length`` is set to the masked body's length, so a replayed
    response is read whole. vcrpy hands this function a copy: the live
    response the caller gets keeps its values.

    Returns:
        The same mapping, masked.
    """
    headers = response.get("headers")
    if not isinstance(headers, MutableMapping):
        return response
    for name in headers:
        if name.lower() in SECRET_HEADERS:
            headers[name] = [MASK]
    body = response.get("body")
    raw = body.get("string") if isinstance(body, MutableMapping) else None
    if isinstance(body, MutableMapping) and isinstance(raw, (bytes, str)) and raw:
        masked = _mask(raw if isinstance(raw, bytes) else raw.encode())
        body["string"] = masked
        for name in headers:
            if name.lower() == "content-length":
                headers[name] = [str(len(masked))]
    return response


def _mask(raw: bytes) -> bytes:
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return raw  # not JSON text: nothing the API sends as a secret
    masked = redact_body(text)
    return raw if masked == text else masked.encode()


__all__ = ["mask_request", "mask_response", "vcr_config"]
