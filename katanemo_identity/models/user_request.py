"""``UserRequest``: the body of ``create_user_for_account`` and ``update_user``."""

from katanemo_identity.models._base import RequestModel


class UserRequest(RequestModel):
    """A user to invite, or the fields of a user to change.

    Fields left unset are not sent, so an update changes only what it names.

    Attributes:
        account_id: Tenant name (``accountId``); required.
        user_id: Email address of the user (``userId``).
        tags: Free-form labels, each a list of strings (``tags``).
        roles: Role ids granted to the user (``roles``).
    """

    account_id: str
    user_id: str | None = None
    tags: dict[str, list[str]] | None = None
    roles: list[str] | None = None
