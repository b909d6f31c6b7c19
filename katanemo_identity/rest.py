"""Bytes over HTTP: one urllib3 pool per client, retries, timeouts, typed transport errors.

``RESTClientObject`` knows nothing of operations or models. It sends what the
``ApiClient`` built, applies the retry policy, reads the body within the size
limit, and turns every urllib3 or socket failure into an
``ApiConnectionError`` or ``ApiTimeoutError`` that says whether the request
may have reached the server. ``ApiException`` is importable from here, where
generated clients keep it.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    LocationValueError,
    MaxRetryError,
    NewConnectionError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)

from katanemo_identity.configuration import Configuration
from katanemo_identity.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiResponseTooLargeError,
    ApiTimeoutError,
    ApiValueError,
)
from katanemo_identity.retry import IdentityRetry

__all__ = ["ApiException", "RESTClientObject"]

#: Size of each read when the body's length is not known in advance.
_CHUNK = 64 * 1024


class RESTClientObject:
    """Sends requests through one thread-safe urllib3 pool manager.

    Args:
        configuration: TLS, proxy and pool settings are read from it once, here.
    """

    def __init__(self, configuration: Configuration) -> None:
        pool_args: dict[str, object] = {
            "num_pools": 4,
            "maxsize": configuration.connection_pool_maxsize,
            "cert_reqs": ssl.CERT_REQUIRED if configuration.verify_ssl else ssl.CERT_NONE,
            "ca_certs": configuration.ssl_ca_cert,
            "cert_file": configuration.cert_file,
            "key_file": configuration.key_file,
        }
        self.pool_manager: urllib3.PoolManager
        if configuration.proxy:
            self.pool_manager = urllib3.ProxyManager(
                configuration.proxy,
                proxy_headers=configuration.proxy_headers,
                **pool_args,  # type: ignore[arg-type]
            )
        else:
            self.pool_manager = urllib3.PoolManager(**pool_args)  # type: ignore[arg-type]

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout: urllib3.Timeout,
        retries: IdentityRetry,
    ) -> urllib3.BaseHTTPResponse:
        """Send one request, with retries, and return the response with its body unread.

        Raises:
            ApiTimeoutError: the connect or read timeout ran out.
            ApiConnectionError: no response could be had.
            ApiValueError: the URL cannot be used.
        """
        try:
            return self.pool_manager.urlopen(
                method,
                url,
                body=body,
                headers=headers,
                timeout=timeout,
                retries=retries,
                # Only a GET may be redirected: a POST or PUT must not be
                # silently resent elsewhere or turned into a GET.
                redirect=method == "GET",
                preload_content=False,
            )
        except LocationValueError as error:
            raise ApiValueError(f"cannot send to {url!r}: {error}") from error
        except (HTTPError, OSError) as error:
            raise transport_error(method, url, error) from error

    def read_body(
        self, method: str, url: str, response: urllib3.BaseHTTPResponse, limit: int
    ) -> bytes:
        """Read the whole body of ``response``, holding at most ``limit`` bytes, then release it.

        Raises:
            ApiResponseTooLargeError: the body is larger than ``limit``.
            ApiTimeoutError: the read timeout ran out mid-body.
            ApiConnectionError: the connection broke mid-body, or the body is
                shorter than its Content-Length.
        """
        try:
            declared = _content_length(response)
            if declared is not None and "content-encoding" not in response.headers:
                if declared > limit:
                    raise self._too_large(response, limit)
                return response.read()
            return self._read_limited(response, limit)
        except (HTTPError, OSError) as error:
            response.close()
            raise transport_error(method, url, error, request_sent=True) from error
        finally:
            response.release_conn()

    def _read_limited(self, response: urllib3.BaseHTTPResponse, limit: int) -> bytes:
        chunks: list[bytes] = []
        held = 0
        while True:
            chunk = response.read(_CHUNK)
            if not chunk:
                return b"".join(chunks)
            held += len(chunk)
            if held > limit:
                raise self._too_large(response, limit)
            chunks.append(chunk)

    @staticmethod
    def _too_large(response: urllib3.BaseHTTPResponse, limit: int) -> ApiResponseTooLargeError:
        # The rest of the body is never read: closing the connection is cheaper.
        response.close()
        error = ApiResponseTooLargeError(
            response.status,
            response.reason,
            None,
            None,
            response.headers,
            detail=f"The body exceeds {limit} bytes.",
        )
        error.limit = limit
        return error

    def close(self) -> None:
        """Close every pooled connection."""
        self.pool_manager.clear()


def _content_length(response: urllib3.BaseHTTPResponse) -> int | None:
    value = response.headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def transport_error(
    method: str, url: str, error: BaseException, *, request_sent: bool | None = None
) -> ApiConnectionError:
    """Translate a urllib3 or socket failure into this SDK's typed error.

    ``request_sent`` overrides the judgement of whether the request may have
    reached the server (it has, once a response is being read).
    """
    if isinstance(error, MaxRetryError) and error.reason is not None:
        error = error.reason
    where = f"{method} {url}"
    if isinstance(error, NewConnectionError):
        # Includes name resolution failures: the request never left.
        made: ApiConnectionError = ApiConnectionError(
            f"{where}: could not connect: {_reason(error)}", outcome_unknown=False
        )
    elif isinstance(error, ConnectTimeoutError):
        made = ApiTimeoutError(f"{where}: timed out connecting", outcome_unknown=False)
    elif isinstance(error, ReadTimeoutError):
        made = ApiTimeoutError(f"{where}: timed out waiting for the response", outcome_unknown=True)
    elif isinstance(error, SSLError):
        made = ApiConnectionError(
            f"{where}: TLS failed ({_reason(error)}); check verify_ssl and ssl_ca_cert",
            outcome_unknown=False,
        )
    elif isinstance(error, ProxyError):
        made = ApiConnectionError(f"{where}: proxy failed: {_reason(error)}", outcome_unknown=False)
    else:
        made = ApiConnectionError(
            f"{where}: connection lost: {_reason(error)}", outcome_unknown=True
        )
    if request_sent is not None:
        made.outcome_unknown = request_sent
    return made


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    # urllib3 prefixes the connection object's repr; keep the human part.
    head, separator, rest = text.partition(": ")
    if separator and (head.startswith("<") or head.endswith(")")):
        return rest
    return text
