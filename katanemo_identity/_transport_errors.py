"""Transport failures as this SDK's typed errors: what went wrong, and whether it was sent.

Every urllib3 or socket failure of an attempt becomes an
``ApiConnectionError`` or ``ApiTimeoutError`` here, saying whether the
request may have reached the server (``outcome_unknown``), which limit ran
out (``expired``), and when a proxy is at fault, which one and what to do.
"""

from __future__ import annotations

import ssl
from typing import Literal

from urllib3.exceptions import (
    ConnectTimeoutError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)

from katanemo_identity._proxy import UNREACHABLE_ADVICE, refusal_advice
from katanemo_identity._resolver import LookUpTimeout
from katanemo_identity.deadline import Deadline
from katanemo_identity.exceptions import ApiConnectionError, ApiTimeoutError


def total_timeout_error(
    method: str, url: str, deadline: Deadline, *, sent: bool, waiting: str = ""
) -> ApiTimeoutError:
    """The error of a call whose whole-call limit ran out, ``waiting`` for what, if said."""
    what = f"the whole-call limit (total_timeout={deadline.limit:g} s) ran out"
    if waiting:
        what += f" waiting {waiting}"
    error = ApiTimeoutError(what, outcome_unknown=sent, expired="total")
    error.method, error.url = method, url
    return error


def transport_error(
    method: str, url: str, error: BaseException, *, sent: bool, proxy: str | None = None
) -> ApiConnectionError:
    """Translate a urllib3 or socket failure into this SDK's typed error.

    Whether the request may have reached the server follows from ``sent``
    alone, never from urllib3's label: through a forwarding proxy urllib3
    calls a connection lost after the request went out "Unable to connect
    to proxy" (the connection forgets it had reached the proxy when it closes).

    Args:
        method: The request's method, for the error.
        url: The request's URL, for the error.
        error: What urllib3 or the socket raised.
        sent: Whether the request began to go out on an established
            connection (past the proxy's tunnel, when there is one).
        proxy: The proxy the request was routed through, credentials masked.
    """
    labelled_proxy = isinstance(error, ProxyError)
    if isinstance(error, (ProxyError, ProtocolError)) and isinstance(error.args[-1], BaseException):
        error = error.args[-1]  # urllib3's wrapper around what happened
    # Before the request was sent, through a proxy, every failure happened
    # at the proxy, except TLS with the server inside the tunnel (which
    # urllib3 does not label a proxy error). After, the proxy only relays.
    blamed = proxy if not sent and (labelled_proxy or not _is_tls(error)) else None
    to = f" to the proxy {proxy}" if blamed else ""
    expired: Literal["connect", "read"] | None = None
    advice = UNREACHABLE_ADVICE if blamed else None
    transient = True
    if sent and isinstance(error, ReadTimeoutError):
        what, expired = "timed out waiting for the response", "read"
    elif sent:
        through = f" (through the proxy {proxy})" if proxy else ""
        what = f"connection lost{through}: {_reason(error)}"
    elif isinstance(error, NewConnectionError):
        # Includes name resolution failures: the request never left.
        what = f"could not connect{to}: {_reason(error)}"
    elif isinstance(error, (ConnectTimeoutError, ReadTimeoutError, TimeoutError)):
        # A read timeout before sending is a TLS handshake or a CONNECT that
        # got no answer: part of connecting.
        what, expired = f"timed out connecting{to}", "connect"
    elif _is_tls(error):
        settings = "ssl_ca_cert or ssl_context" if blamed else "verify_ssl and ssl_ca_cert"
        with_proxy = f" with the proxy {blamed}" if blamed else ""
        what = f"TLS{with_proxy} failed ({_reason(error)}); check {settings}"
        transient = False
        if blamed:
            advice = (
                "Check that the proxy's certificate is trusted: ssl_ca_cert and ssl_context "
                "verify an https:// proxy as they verify the server."
            )
    elif str(error).startswith("Tunnel connection failed: "):
        answer = str(error).partition(": ")[2]
        what = f"the proxy {proxy} refused to open a tunnel to the server: {answer}"
        transient = answer[:1] == "5"  # it could not reach the server, this time
        advice = refusal_advice(answer)
    else:
        what = f"connection{to} lost before the request was sent: {_reason(error)}"
    made = (
        ApiConnectionError(what, outcome_unknown=sent)
        if expired is None
        else ApiTimeoutError(what, outcome_unknown=sent, expired=expired)
    )
    made.transient, made.proxy = transient, blamed
    if advice is not None and expired is None:  # a timeout words its own advice
        made.advice = advice
    made.method, made.url = method, url
    return made


def _is_tls(error: BaseException) -> bool:
    return isinstance(error, (SSLError, ssl.SSLError, ssl.CertificateError))


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    # urllib3 prefixes the connection object's repr; keep the human part.
    head, separator, rest = text.partition(": ")
    if separator and (head.startswith("<") or head.endswith(")")):
        return rest
    return text


def look_up_timeout_error(
    method: str, url: str, deadline: Deadline, error: LookUpTimeout
) -> ApiTimeoutError:
    """The error of a name look-up that did not end in time: the call's, or no thread free."""
    if not error.busy:
        return total_timeout_error(
            method, url, deadline, sent=False, waiting=f"for the name {error.host!r} to resolve"
        )
    made = ApiTimeoutError(
        f"the name {error.host!r} could not be looked up: every resolver thread is "
        "still held by a look-up that outlived its call",
        outcome_unknown=False,
        expired="connect",
    )
    made.method, made.url = method, url
    return made


def closed_unanswered(error: BaseException) -> bool:
    """Whether ``error`` is the peer closing or resetting the connection before any answer."""
    if isinstance(error, ProtocolError) and len(error.args) > 1:
        error = error.args[1]  # urllib3's wrapper of what the socket or http.client raised
    # RemoteDisconnected ("closed without response") is a ConnectionResetError.
    return isinstance(error, (ConnectionResetError, BrokenPipeError))
