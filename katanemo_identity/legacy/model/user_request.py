"""``UserRequest`` as ``katanemo_sdk.model.user_request`` had it."""

from __future__ import annotations

from katanemo_identity.legacy.schemas import DictSchema
from katanemo_identity.models import user_request


class UserRequest(DictSchema[user_request.UserRequest]):
    """The body of ``create_user_for_account`` and ``update_user``: ``accountId`` (required), ``userId``, ``tags``, ``roles``.

    A read-only mapping keyed by the JSON names, validated by
    ``katanemo_identity.models.UserRequest`` (see ``DictSchema``).
    """

    model_class = user_request.UserRequest
