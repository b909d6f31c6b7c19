"""``Error``: the body of any response the API documents only as ``default``."""

from katanemo_identity.models._base import IdentityModel


class Error(IdentityModel):
    """An unexpected error.

    Attributes:
        code: Error code (``code``); required.
        message: Error message (``message``); required.
    """

    code: int
    message: str
