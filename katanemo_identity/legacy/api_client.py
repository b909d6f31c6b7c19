"""``katanemo_sdk.api_client``: the client, and the results a call returns.

``ApiClient`` is this SDK's own (``katanemo_identity.ApiClient``): a context
manager that takes ``header_name`` / ``header_value`` and ``set_default_header``
as the old one did. The results are shaped as the old generator's
``ApiResponseFor200``: ``.response`` the urllib3 response, ``.body`` the
decoded body, ``.headers`` unset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import urllib3

from katanemo_identity.api_client import ApiClient
from katanemo_identity.legacy.schemas import Unset, unset

B = TypeVar("B", covariant=True)


@dataclass(frozen=True)
class ApiResponse(Generic[B]):
    """What a call returns: ``ApiResponseFor200`` in the ``katanemo_sdk`` docs.

    Attributes:
        response: A urllib3 response holding what the SDK read: ``.status``,
            ``.reason``, ``.data`` (the body bytes), ``.getheaders()``. It is
            built after the body was read whole, with every limit of the
            request path applied; there is nothing left to stream.
        body: The decoded body: a model from ``katanemo_identity.legacy.model``
            (read it as a dict, ``body["clientId"]``), a tuple of them for the
            list operations, a ``str`` for ``delete_client_key``.
        headers: ``unset``, as the API documents no response headers; read
            them from ``response.headers``.
    """

    response: urllib3.HTTPResponse
    body: B
    headers: Unset = unset


@dataclass(frozen=True)
class ApiResponseWithoutDeserialization(ApiResponse[Unset]):
    """What a call with ``skip_deserialization=True`` returns: the raw response, body and headers unset."""

    body: Unset = unset


__all__ = ["ApiClient", "ApiResponse", "ApiResponseWithoutDeserialization"]
