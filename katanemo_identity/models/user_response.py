"""``UserResponse``: a user as the API returns it."""

from typing import ClassVar

from pydantic import Field

from katanemo_identity.models._base import IdentityModel


class UserResponse(IdentityModel):
    """A user of an account.

    ``token`` is a credential: masked in ``repr``, ``str`` and ``to_str``,
    present in ``to_dict`` and ``to_json``.

    Attributes:
        account_id: Organization identifier for a SaaS customer (``accountId``); required.
        service_id: Service this account subscribed to (``serviceId``).
        user_id: The user's email (``userId``).
        is_admin: Whether the user is an admin (``isAdmin``).
        is_active: Whether the user is active yet (``isActive``).
        token: User token (``token``).
        tags: Free-form labels, each a list of strings (``tags``).
        roles: Role ids granted to the user (``roles``).
    """

    SECRET_FIELDS: ClassVar[frozenset[str]] = frozenset({"token"})

    account_id: str
    service_id: str | None = None
    user_id: str | None = None
    is_admin: bool | None = None
    is_active: bool | None = None
    token: str | None = Field(default=None, repr=False)
    tags: dict[str, list[str]] | None = None
    roles: list[str] | None = None
