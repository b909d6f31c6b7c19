"""``ClientKeyObject``: a client key as listed and fetched."""

from katanemo_identity.models._base import IdentityModel


class ClientKeyObject(IdentityModel):
    """A client key of an account; never carries the secret.

    Attributes:
        account_id: The account the key belongs to (``accountId``).
        roles: Role ids granted to the key (``roles``).
        client_name: The key's name (``clientName``).
        client_key_id: The key's id, used by get and delete (``clientKeyId``).
        service_id: The service the key is for (``serviceId``).
        is_active: Whether the key may be used (``isActive``).
    """

    account_id: str | None = None
    roles: list[str] | None = None
    client_name: str | None = None
    client_key_id: str | None = None
    service_id: str | None = None
    is_active: bool | None = None
