"""``TooManyRequestsException`` as ``katanemo_sdk.model.too_many_requests_exception`` had it."""

from __future__ import annotations

from katanemo_identity.legacy.schemas import DictSchema
from katanemo_identity.models import too_many_requests_exception


class TooManyRequestsException(DictSchema[too_many_requests_exception.TooManyRequestsException]):
    """The body of a 429 answer: ``message`` and ``errorCode``.

    A read-only mapping keyed by the JSON names, validated by
    ``katanemo_identity.models.TooManyRequestsException`` (see ``DictSchema``).
    """

    model_class = too_many_requests_exception.TooManyRequestsException
