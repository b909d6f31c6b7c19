"""``ClientKeyRequest``: the body of ``create_client_key``."""

from katanemo_identity.models._base import RequestModel


class ClientKeyRequest(RequestModel):
    """Asks for a new client (machine) key in an account.

    Attributes:
        default_role_id: The role the new key acts with (``defaultRoleId``).
        client_name: A name for the key, unique within the account (``clientName``).
    """

    default_role_id: str
    client_name: str
