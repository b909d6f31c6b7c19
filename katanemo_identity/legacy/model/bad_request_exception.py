"""``BadRequestException`` as ``katanemo_sdk.model.bad_request_exception`` had it."""

from __future__ import annotations

from katanemo_identity.legacy.schemas import DictSchema
from katanemo_identity.models import bad_request_exception


class BadRequestException(DictSchema[bad_request_exception.BadRequestException]):
    """The body of a 400 answer: ``message`` and ``errorCode``.

    A read-only mapping keyed by the JSON names, validated by
    ``katanemo_identity.models.BadRequestException`` (see ``DictSchema``).
    """

    model_class = bad_request_exception.BadRequestException
