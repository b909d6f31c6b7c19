"""``ClientKeyResponse``: what ``create_client_key`` returns."""

from typing import ClassVar

from pydantic import Field

from katanemo_identity.models._base import IdentityModel


class ClientKeyResponse(IdentityModel):
    """The credentials of a newly created client key.

    The secret is shown by the API once, at creation; store it then. It is
    masked in ``repr``, ``str`` and ``to_str``, and present in ``to_dict`` and
    ``to_json``.

    Attributes:
        client_id: The key's client id (``clientId``).
        client_secret: The key's secret (``clientSecret``).
    """

    SECRET_FIELDS: ClassVar[frozenset[str]] = frozenset({"client_secret"})

    client_id: str | None = None
    client_secret: str | None = Field(default=None, repr=False)
