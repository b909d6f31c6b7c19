"""``UserResponse`` as ``katanemo_sdk.model.user_response`` had it."""

from __future__ import annotations

from katanemo_identity.legacy.schemas import DictSchema
from katanemo_identity.models import user_response


class UserResponse(DictSchema[user_response.UserResponse]):
    """A user as the API returns it: ``accountId``, ``serviceId``, ``userId``, ``isAdmin``, ``isActive``, ``token`` (masked in ``repr``), ``tags``, ``roles``.

    A read-only mapping keyed by the JSON names, validated by
    ``katanemo_identity.models.UserResponse`` (see ``DictSchema``).
    """

    model_class = user_response.UserResponse
