"""``InternalServerErrorException`` as ``katanemo_sdk.model.internal_server_error_exception`` had it."""

from __future__ import annotations

from katanemo_identity.legacy.schemas import DictSchema
from katanemo_identity.models import internal_server_error_exception


class InternalServerErrorException(
    DictSchema[internal_server_error_exception.InternalServerErrorException]
):
    """The body of a 500 answer: ``message`` and ``errorCode``.

    A read-only mapping keyed by the JSON names, validated by
    ``katanemo_identity.models.InternalServerErrorException`` (see ``DictSchema``).
    """

    model_class = internal_server_error_exception.InternalServerErrorException
