"""``UnauthorizedException`` as ``katanemo_sdk.model.unauthorized_exception`` had it."""

from __future__ import annotations

from katanemo_identity.legacy.schemas import DictSchema
from katanemo_identity.models import unauthorized_exception


class UnauthorizedException(DictSchema[unauthorized_exception.UnauthorizedException]):
    """The body of a 401 answer: ``message`` and ``errorCode``.

    A read-only mapping keyed by the JSON names, validated by
    ``katanemo_identity.models.UnauthorizedException`` (see ``DictSchema``).
    """

    model_class = unauthorized_exception.UnauthorizedException
