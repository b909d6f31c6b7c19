"""Proxies, all in one place: their URLs, the environment, ``NO_PROXY``, credentials and advice.

``ProxySettings`` (public in ``configuration``) holds the rules, read from
the environment and applied per URL; ``rest.RESTClientObject``
routes each origin once through the ``ProxyManager`` that ``proxy_manager``
makes; ``_transport_errors`` and ``ApiClient`` quote the advice below when a
proxy refuses or cannot be reached. Credentials never appear in a message:
``mask_proxy`` hides them, and ``proxy_manager`` moves them out of the URL
into a ``Proxy-Authorization`` header.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import urllib3

from katanemo_identity._redact import redact_url
from katanemo_identity.exceptions import ApiValueError

#: The environment variables read for proxies; the lower-case spelling of each is read
#: too, and wins when both are set. ``ALL_PROXY`` serves a scheme whose own variable is unset.
PROXY_ENV = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")

#: What to do when the proxy could not be reached or dropped the connection.
UNREACHABLE_ADVICE = (
    "Check that the proxy is running and that its URL (Configuration.proxy, or "
    "$HTTPS_PROXY, $HTTP_PROXY, $ALL_PROXY) is right, then retry."
)


def mask_proxy(url: str) -> str:
    """Return ``url`` with any user name and password replaced by ``***``, for messages."""
    return redact_url(url, "***")


def validate_proxy(value: str, source: str) -> str:
    """Check a proxy URL and return it, with ``http://`` added when it has no scheme.

    Args:
        value: The URL, such as ``http://user:pass@proxy.example:3128``.
        source: Where it came from (``proxy``, ``$HTTPS_PROXY``), for the message.

    Raises:
        ApiValueError: not an http:// or https:// URL with a host name. The
            message never quotes the credentials.
    """
    if not isinstance(value, str):
        raise ApiValueError(f"{source} must be a URL string, not {type(value).__name__}")
    url = value if "://" in value else "http://" + value
    try:
        parts = urlsplit(url)
        # ``port`` raises for a port out of range or not a number, and is 0 only when given so.
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:
        usable = False
    if not usable:
        raise ApiValueError(
            f"{source} {mask_proxy(url)!r} must be an http:// or https:// proxy URL "
            "with a host name (SOCKS proxies are not supported)"
        )
    return url


@dataclass(frozen=True, repr=False)
class ProxySettings:
    """Which proxy, if any, each request goes through: fixed once, applied per URL.

    Built by ``Configuration.proxy_settings()`` when an ``ApiClient`` is
    created; the client asks ``proxy_for`` once per scheme, host and port, so
    a ``host`` changed later is routed by the same rules. ``repr()`` and
    ``str()`` mask the credentials of every proxy URL.

    Attributes:
        proxy: The explicit proxy: when set, every request goes through it.
        http_proxy: The proxy for http:// URLs (``$HTTP_PROXY``, else ``$ALL_PROXY``).
        https_proxy: The proxy for https:// URLs (``$HTTPS_PROXY``, else ``$ALL_PROXY``).
        no_proxy: Hosts reached directly (``$NO_PROXY``): a name also
            covers its subdomains, an IP address or network (``10.0.0.0/8``)
            covers its addresses, ``host:port`` only that port, ``*`` all.
    """

    proxy: str | None = None
    http_proxy: str | None = None
    https_proxy: str | None = None
    no_proxy: tuple[str, ...] = ()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> ProxySettings:
        """Read ``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY`` and ``NO_PROXY``.

        Each in either case: the lower-case spelling wins when it is set,
        even to an empty value (which then means "none", as in the standard
        library). ``ALL_PROXY`` is the proxy of a scheme whose own variable
        gives none. Under CGI (``REQUEST_METHOD`` set) upper-case
        ``HTTP_PROXY`` is ignored: there it can come from a request's
        ``Proxy`` header.

        Raises:
            ApiValueError: a proxy variable that applies holds an unusable URL.
        """

        def read(name: str) -> tuple[str, str]:
            """The variable's value (empty when unset) and the spelling it was read from."""
            for spelling in (name.lower(), name):
                if spelling in environ:
                    if spelling == "HTTP_PROXY" and "REQUEST_METHOD" in environ:
                        continue
                    return environ[spelling].strip(), "$" + spelling
            return "", "$" + name

        def proxy(name: str) -> str | None:
            value, source = read(name)
            if not value:
                value, source = read("ALL_PROXY")
            return validate_proxy(value, source) if value else None

        bypass, _ = read("NO_PROXY")
        return cls(
            http_proxy=proxy("HTTP_PROXY"),
            https_proxy=proxy("HTTPS_PROXY"),
            no_proxy=tuple(entry.strip().lower() for entry in bypass.split(",") if entry.strip()),
        )

    def __repr__(self) -> str:
        urls = [(name, getattr(self, name)) for name in ("proxy", "http_proxy", "https_proxy")]
        shown = ", ".join(f"{name}={url and mask_proxy(url)!r}" for name, url in urls)
        return f"ProxySettings({shown}, no_proxy={self.no_proxy!r})"

    @property
    def any(self) -> bool:
        """True when some request may go through a proxy."""
        return bool(self.proxy or self.http_proxy or self.https_proxy)

    def proxy_for(self, url: str) -> str | None:
        """Return the proxy URL for a request to ``url``, or None to connect directly.

        None also when a ``NO_PROXY`` entry covers the URL's host and port.
        """
        if self.proxy:
            return self.proxy
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return None
        chosen = self.https_proxy if parts.scheme == "https" else self.http_proxy
        if chosen is None or not parts.hostname:
            return None
        port = port if port is not None else (443 if parts.scheme == "https" else 80)
        if any(_bypasses(entry, parts.hostname, port) for entry in self.no_proxy):
            return None
        return chosen


# Public in configuration, where users import it.
ProxySettings.__module__ = "katanemo_identity.configuration"


def _bypasses(entry: str, host: str, port: int) -> bool:
    """Whether one ``NO_PROXY`` entry covers ``host`` (lower case, no brackets) and ``port``."""
    if entry == "*":
        return True
    name, entry_port = _split_port(entry)
    if entry_port is not None and entry_port != port:
        return False
    try:
        network = ipaddress.ip_network(name, strict=False)
    except ValueError:
        name = name.lstrip("*").lstrip(".")
        return bool(name) and (host == name or host.endswith("." + name))
    try:
        return ipaddress.ip_address(host) in network
    except ValueError:
        return False


def _split_port(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):  # [::1] or [::1]:8080
        name, _, rest = entry[1:].partition("]")
        return name, int(rest[1:]) if rest[1:].isdigit() else None
    name, separator, port = entry.rpartition(":")
    if separator and ":" not in name and port.isdigit():
        return name, int(port)
    return entry, None


def proxy_manager(
    proxy: str, proxy_headers: Mapping[str, str] | None, pool_arguments: dict[str, Any]
) -> urllib3.ProxyManager:
    """The pool manager of the requests that go through ``proxy``.

    The credentials of ``http://user:pass@proxy`` move into a
    ``Proxy-Authorization`` header (one in ``proxy_headers`` wins), so the
    URL the pool holds, and any connection error quoting it, carries none.

    Args:
        proxy: The proxy's URL, credentials included.
        proxy_headers: Headers sent to the proxy (``Proxy-Authorization``).
        pool_arguments: The pool and TLS arguments of the client's own pool manager.
    """
    parts = urlsplit(proxy)
    headers = dict(proxy_headers or {})
    if parts.username is not None or parts.password is not None:
        if not any(name.lower() == "proxy-authorization" for name in headers):
            credentials = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
            encoded = base64.b64encode(credentials.encode("utf-8")).decode("ascii")
            headers["Proxy-Authorization"] = "Basic " + encoded
        proxy = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    arguments = dict(pool_arguments)
    if "ssl_context" in arguments and proxy.startswith("https:"):
        # Inside a tunnel urllib3 verifies an https:// proxy with its own
        # context: the caller's must verify the proxy too, as ssl_ca_cert does.
        arguments["proxy_ssl_context"] = arguments["ssl_context"]
    return urllib3.ProxyManager(proxy, proxy_headers=headers, **arguments)


def refusal_advice(answer: str) -> str:
    """What to do when the proxy answered ``answer`` to a CONNECT."""
    if answer[:3] in ("401", "407"):
        return (
            "The proxy refused its credentials: check the user and password in the proxy URL "
            "(or Proxy-Authorization in proxy_headers)."
        )
    return "Check that the proxy lets clients reach the server's host and port."


def credentials_advice(proxy: str, status: int) -> str:
    """Advice naming the proxy's credentials, for a 401 or 407 with no API error body.

    Some proxies (tinyproxy) refuse a forwarded request's credentials with
    401, like the API refusing a token: without the API's error body the
    answer may be either's. The API's own 401, with its body, is not the
    proxy's.
    """
    credentials = (
        f"the credentials of the proxy {proxy} (user and password in its URL, "
        "or Proxy-Authorization in proxy_headers)"
    )
    if status == 407:
        return f"The proxy refused the request: check {credentials}."
    return (
        "This 401 carries no API error body, so the proxy may have sent it: check "
        f"{credentials}, and the access token (Configuration.access_token or the "
        "KATANEMO_IDENTITY_TOKEN environment variable)."
    )
