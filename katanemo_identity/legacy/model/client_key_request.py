"""``ClientKeyRequest`` as ``katanemo_sdk.model.client_key_request`` had it."""

from __future__ import annotations

from katanemo_identity.legacy.schemas import DictSchema
from katanemo_identity.models import client_key_request


class ClientKeyRequest(DictSchema[client_key_request.ClientKeyRequest]):
    """The body of ``create_client_key``: ``clientName`` and ``defaultRoleId``, both required.

    A read-only mapping keyed by the JSON names, validated by
    ``katanemo_identity.models.ClientKeyRequest`` (see ``DictSchema``).
    """

    model_class = client_key_request.ClientKeyRequest
