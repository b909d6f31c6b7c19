"""``Error`` as ``katanemo_sdk.model.error`` had it."""

from __future__ import annotations

from katanemo_identity.legacy.schemas import DictSchema
from katanemo_identity.models import error


class Error(DictSchema[error.Error]):
    """The body of an error status the API documents only as ``default`` (404, ...): ``code`` and ``message``.

    A read-only mapping keyed by the JSON names, validated by
    ``katanemo_identity.models.Error`` (see ``DictSchema``).
    """

    model_class = error.Error
