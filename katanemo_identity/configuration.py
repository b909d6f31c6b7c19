"""Settings of an ``ApiClient``: where to connect, how to authenticate, how patient to be.

Nothing here does I/O. Transport settings (TLS, proxy, pool size) are read
once, when an ``ApiClient`` is created; the host, token, timeout and retry
settings are read on every request, so changing them takes effect at once.
``ProxySettings`` decides, per URL, whether a request goes through a proxy
(the explicit ``proxy``, else ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``/``NO_PROXY``).
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from katanemo_identity._proxy import PROXY_ENV, ProxySettings, mask_proxy, validate_proxy
from katanemo_identity._validation import (
    TimeoutSetting,
    non_negative,
    seconds,
    validate_header,
    validate_headers,
    validate_host,
    validate_timeout,
    whole_number,
)
from katanemo_identity._version import __version__ as __version__
from katanemo_identity.exceptions import ApiValueError

if TYPE_CHECKING:
    from katanemo_identity.hooks import Hook

__all__ = [
    "DEFAULT_HOST",
    "HOST_ENV",
    "LOGGER_NAME",
    "PROXY_ENV",
    "TOKEN_ENV",
    "Configuration",
    "ProxySettings",
    "TimeoutSetting",
    "TokenSetting",
    "mask_proxy",
    "validate_header",
    "validate_host",
    "validate_proxy",
    "validate_retries",
    "validate_timeout",
    "validate_total_timeout",
]

DEFAULT_HOST = "https://api.katanemo.com"

#: Environment variable read for ``host`` when none is given.
HOST_ENV = "KATANEMO_IDENTITY_HOST"
#: Environment variable read for ``access_token`` when none is given.
TOKEN_ENV = "KATANEMO_IDENTITY_TOKEN"  # noqa: S105 (a variable name, not a secret)


#: An access token, or a function called before each request that returns one.
TokenSetting = str | Callable[[], str]

LOGGER_NAME = "katanemo_identity"


def validate_retries(value: int) -> int:
    """Check a retry count.

    Raises:
        ApiValueError: not a whole number of zero or more.
    """
    return whole_number("retries", value, 0)


def validate_total_timeout(value: float) -> float:
    """Check a whole-call limit: a positive, finite number of seconds.

    Raises:
        ApiValueError: None, zero, negative, infinite, or not a number.
    """
    return seconds("total_timeout", value)


class Configuration:
    """Settings for an ``ApiClient``.

    Args:
        host: Base URL of the API. Defaults to ``$KATANEMO_IDENTITY_HOST``,
            else ``https://api.katanemo.com``.
        access_token: Sent as ``Authorization: Bearer <token>``. A string, or a
            zero-argument callable called before every request (for tokens
            that rotate). Defaults to ``$KATANEMO_IDENTITY_TOKEN``; None sends
            no Authorization header.
        verify_ssl: Verify the server's TLS certificate. Leave on outside tests.
        ssl_ca_cert: Path of a CA bundle to verify the server with.
        cert_file: Path of a client certificate, for mutual TLS.
        key_file: Path of the client certificate's private key.
        ssl_context: A ready ``ssl.SSLContext`` (e.g. ``truststore.SSLContext``
            for the operating system's trust store) used for every TLS
            connection (an ``https://`` proxy's too) instead of ``verify_ssl``, ``ssl_ca_cert``,
            ``cert_file`` and ``key_file``, which must then be left unset.
        proxy: URL of an HTTP(S) proxy to send every request through; it wins
            over the environment. Credentials in it (``http://user:pass@proxy``)
            are sent to the proxy alone, as ``Proxy-Authorization``.
        proxy_headers: Extra headers for the proxy, e.g. ``Proxy-Authorization``.
        proxy_from_env: Without ``proxy``, use ``HTTPS_PROXY``, ``HTTP_PROXY``,
            ``ALL_PROXY`` and ``NO_PROXY`` (either case) as read when the client
            is created. False ignores them.
        connection_pool_maxsize: Most connections open at once per host; a
            call that finds them all busy waits for one (within
            ``total_timeout``). Size it to the threads that share the client.
        retries: How many times a failed request may be retried (0 disables).
            See ``docs/retries-and-timeouts.md`` for which failures qualify.
        retry_backoff_factor: Base of the exponential backoff between retries, in seconds.
        retry_backoff_max: Longest backoff between two retries, in seconds.
        retry_after_max: Longest wait honoured from a ``Retry-After`` header, in seconds.
        timeout: Seconds to wait for a connection and for each read of the
            response: one number for both, or ``(connect, read)``. Never None.
        total_timeout: Seconds the whole call may take: every attempt (connect,
            send, status line, headers, body), every pause between attempts
            and every ``Retry-After`` wait. Finite: no call outlives it.
        max_response_size: Largest response body, in bytes, the client will
            hold in memory; a larger one raises ``ApiResponseTooLargeError``.
        debug: Log each request and response (secrets masked) at DEBUG level
            on the ``katanemo_identity`` logger.
        logger: The logger to use instead of ``logging.getLogger("katanemo_identity")``.
        user_agent: The User-Agent header; defaults to ``katanemo-identity-python/<version>``.
        strict_contract: Raise ``ApiContractError`` for any response the API
            document does not allow (unknown fields, undocumented statuses, a
            wrong Content-Type), for integration tests; off by default.
        hooks: Objects told of every call, request and attempt (``katanemo_identity.hooks.Hook``),
            e.g. ``katanemo_identity.otel.Tracing()``; see ``docs/observability.md``.
    """

    _default: ClassVar[Configuration | None] = None

    def __init__(
        self,
        host: str | None = None,
        access_token: TokenSetting | None = None,
        *,
        verify_ssl: bool = True,
        ssl_ca_cert: str | None = None,
        cert_file: str | None = None,
        key_file: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        proxy: str | None = None,
        proxy_headers: dict[str, str] | None = None,
        proxy_from_env: bool = True,
        connection_pool_maxsize: int = 16,
        retries: int = 2,
        retry_backoff_factor: float = 0.5,
        retry_backoff_max: float = 8.0,
        retry_after_max: float = 30.0,
        timeout: TimeoutSetting = (10.0, 60.0),
        total_timeout: float = 120.0,
        max_response_size: int = 64 * 1024 * 1024,
        debug: bool = False,
        logger: logging.Logger | None = None,
        user_agent: str | None = None,
        strict_contract: bool = False,
        hooks: Sequence[Hook] = (),
    ) -> None:
        self.host = host if host is not None else os.environ.get(HOST_ENV) or DEFAULT_HOST
        if access_token is None:
            access_token = os.environ.get(TOKEN_ENV) or None
        self.access_token: TokenSetting | None = access_token
        self._checked_authorization: tuple[str, str] | None = None
        self.verify_ssl = verify_ssl
        self.ssl_ca_cert = ssl_ca_cert
        self.cert_file = cert_file
        self.key_file = key_file
        self.ssl_context = _checked_ssl_context(self, ssl_context)
        self.proxy = validate_proxy(proxy, "proxy") if proxy else None
        if proxy_headers is not None:
            proxy_headers = dict(validate_headers(proxy_headers, "proxy_headers", ApiValueError))
        self.proxy_headers = proxy_headers
        self.proxy_from_env = bool(proxy_from_env)
        self.connection_pool_maxsize = whole_number(
            "connection_pool_maxsize", connection_pool_maxsize, 1
        )
        self.retries = retries
        self.retry_backoff_factor = non_negative("retry_backoff_factor", retry_backoff_factor)
        self.retry_backoff_max = non_negative("retry_backoff_max", retry_backoff_max)
        self.retry_after_max = non_negative("retry_after_max", retry_after_max)
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.max_response_size = whole_number("max_response_size", max_response_size, 1)
        self.logger = logger if logger is not None else logging.getLogger(LOGGER_NAME)
        self.debug = debug
        self.user_agent = user_agent or f"katanemo-identity-python/{__version__}"
        self.strict_contract = bool(strict_contract)
        self.hooks: list[Hook] = list(hooks)

    @property
    def host(self) -> str:
        """Base URL of the API, without a trailing slash."""
        return self._host

    @host.setter
    def host(self, value: str) -> None:
        self._host = validate_host(value)

    @property
    def retries(self) -> int:
        """How many times a failed request may be retried; 0 disables retries."""
        return self._retries

    @retries.setter
    def retries(self, value: int) -> None:
        self._retries = validate_retries(value)

    @property
    def timeout(self) -> TimeoutSetting:
        """Seconds for connect and each read, or a ``(connect, read)`` pair."""
        return self._timeout

    @timeout.setter
    def timeout(self, value: TimeoutSetting) -> None:
        self._timeout = validate_timeout(value)

    @property
    def total_timeout(self) -> float:
        """Seconds the whole call may take, retries and waits included."""
        return self._total_timeout

    @total_timeout.setter
    def total_timeout(self, value: float) -> None:
        self._total_timeout = validate_total_timeout(value)

    @property
    def debug(self) -> bool:
        """Whether requests and responses are logged (secrets masked)."""
        return self._debug

    @debug.setter
    def debug(self, value: bool) -> None:
        self._debug = bool(value)
        if self._debug:
            # Asking for debug output and seeing none is a poor surprise: make
            # the logger emit DEBUG records, and give it somewhere to write
            # when the application has configured no logging at all.
            if not self.logger.isEnabledFor(logging.DEBUG):
                self.logger.setLevel(logging.DEBUG)
            if not self.logger.hasHandlers():
                self.logger.addHandler(logging.StreamHandler())

    def authorization(self) -> str | None:
        """Return the Authorization header value for the next request, or None.

        Raises:
            ApiValueError: the token is empty, not a string, or contains a
                line break or other control character.
        """
        token = self.access_token
        if token is None:
            return None
        if callable(token):
            token = token()
        if not isinstance(token, str) or not token:
            raise ApiValueError("access_token must be a non-empty string")
        checked = self._checked_authorization
        if checked is not None and checked[0] == token:
            return checked[1]
        value = "Bearer " + token
        validate_header("Authorization", value)
        # A token is checked once, not on every request that sends it.
        self._checked_authorization = (token, value)
        return value

    def proxy_settings(self, environ: Mapping[str, str] | None = None) -> ProxySettings:
        """Return the rules that pick each request's proxy, with the environment read now.

        Args:
            environ: The environment to read; ``os.environ`` when None.

        Raises:
            ApiValueError: a proxy URL (given or from the environment) is not
                an http:// or https:// URL with a host name.
        """
        if self.proxy:
            return ProxySettings(proxy=validate_proxy(self.proxy, "proxy"))
        if not self.proxy_from_env:
            return ProxySettings()
        return ProxySettings.from_environment(os.environ if environ is None else environ)

    @classmethod
    def get_default(cls) -> Configuration:
        """Return the configuration used by an ``ApiClient`` created without one."""
        if cls._default is None:
            cls._default = cls()
        return cls._default

    @classmethod
    def set_default(cls, configuration: Configuration | None) -> None:
        """Set (or with None, reset) the configuration ``get_default`` returns."""
        cls._default = configuration

    def __repr__(self) -> str:
        token = "None" if self.access_token is None else "<set>"
        return (
            f"Configuration(host={self.host!r}, access_token={token}, "
            f"verify_ssl={self.verify_ssl}, retries={self.retries}, timeout={self.timeout!r}, "
            f"total_timeout={self.total_timeout:g})"
        )


def _checked_ssl_context(
    configuration: Configuration, context: ssl.SSLContext | None
) -> ssl.SSLContext | None:
    if context is None:
        return None
    if not isinstance(context, ssl.SSLContext):
        raise ApiValueError(f"ssl_context must be an ssl.SSLContext, not {type(context).__name__}")
    given = [
        name
        for name in ("ssl_ca_cert", "cert_file", "key_file")
        if getattr(configuration, name) is not None
    ]
    if not configuration.verify_ssl:
        given.insert(0, "verify_ssl=False")
    if given:
        raise ApiValueError(
            f"ssl_context replaces {', '.join(given)}: set them on the context instead"
        )
    return context
