"""Code written for the ``katanemo_sdk`` client runs here with one rename.

::

    import katanemo_identity.legacy as katanemo_sdk
    from katanemo_identity.legacy.apis.tags import identity_api
    from katanemo_identity.legacy.model.client_key_request import ClientKeyRequest

Below this package are the old import paths: ``apis.tags.identity_api``,
``model.<schema>``, ``api_client``, ``exceptions`` and ``schemas``. Every call
goes through ``katanemo_identity.IdentityApi``, so it has the modern retries,
timeouts, limits, masking, hooks and tracing; see
docs/migrating-from-katanemo-sdk.md for what differs and how to move each call
to the modern style. The layer is kept through the 2.x line at least
(docs/versioning.md).
"""

from __future__ import annotations

from katanemo_identity.configuration import Configuration
from katanemo_identity.legacy.api_client import ApiClient
from katanemo_identity.legacy.exceptions import (
    ApiAttributeError,
    ApiException,
    ApiKeyError,
    ApiTypeError,
    ApiValueError,
    OpenApiException,
)

__all__ = [
    "ApiAttributeError",
    "ApiClient",
    "ApiException",
    "ApiKeyError",
    "ApiTypeError",
    "ApiValueError",
    "Configuration",
    "OpenApiException",
]
