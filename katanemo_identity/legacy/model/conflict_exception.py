"""``ConflictException`` as ``katanemo_sdk.model.conflict_exception`` had it."""

from __future__ import annotations

from katanemo_identity.legacy.schemas import DictSchema
from katanemo_identity.models import conflict_exception


class ConflictException(DictSchema[conflict_exception.ConflictException]):
    """The body of a 409 answer: ``message`` and ``errorCode``.

    A read-only mapping keyed by the JSON names, validated by
    ``katanemo_identity.models.ConflictException`` (see ``DictSchema``).
    """

    model_class = conflict_exception.ConflictException
