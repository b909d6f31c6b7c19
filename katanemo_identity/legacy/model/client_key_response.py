"""``ClientKeyResponse`` as ``katanemo_sdk.model.client_key_response`` had it."""

from __future__ import annotations

from katanemo_identity.legacy.schemas import DictSchema
from katanemo_identity.models import client_key_response


class ClientKeyResponse(DictSchema[client_key_response.ClientKeyResponse]):
    """What ``create_client_key`` returns: ``clientId`` and ``clientSecret`` (masked in ``repr``).

    A read-only mapping keyed by the JSON names, validated by
    ``katanemo_identity.models.ClientKeyResponse`` (see ``DictSchema``).
    """

    model_class = client_key_response.ClientKeyResponse
