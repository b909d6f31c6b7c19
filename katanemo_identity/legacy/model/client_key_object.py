"""``ClientKeyObject`` as ``katanemo_sdk.model.client_key_object`` had it."""

from __future__ import annotations

from katanemo_identity.legacy.schemas import DictSchema
from katanemo_identity.models import client_key_object


class ClientKeyObject(DictSchema[client_key_object.ClientKeyObject]):
    """A client key as listed and fetched: ``accountId``, ``roles``, ``clientName``, ``clientKeyId``, ``serviceId``, ``isActive``.

    A read-only mapping keyed by the JSON names, validated by
    ``katanemo_identity.models.ClientKeyObject`` (see ``DictSchema``).
    """

    model_class = client_key_object.ClientKeyObject
