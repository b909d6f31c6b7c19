"""The shape shared by the API's per-status error bodies."""

from katanemo_identity.models._base import IdentityModel


class ErrorBody(IdentityModel):
    """An error body with a message and a machine-readable code.

    Attributes:
        message: What went wrong, for a person (``message``).
        error_code: What went wrong, for a program (``errorCode``).
    """

    message: str | None = None
    error_code: str | None = None
