"""The API's eight operations as data: method, path, body and result types, advice.

``IdentityApi`` (``identity_api.py``) gives each its three methods; the
legacy layer, the conformance kit and the contract tests read them here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from katanemo_identity._operation import Operation
from katanemo_identity.models.client_key_object import ClientKeyObject
from katanemo_identity.models.client_key_request import ClientKeyRequest
from katanemo_identity.models.client_key_response import ClientKeyResponse
from katanemo_identity.models.user_request import UserRequest
from katanemo_identity.models.user_response import UserResponse


@dataclass(frozen=True)
class ArgumentOrder:
    """The advice for an error that two string arguments given in the wrong order cause.

    ``update_user`` alone takes the user before the account. Its body repeats
    the account, so when an error answers a call whose body names another
    account than the ``account_id`` argument, the SDK knows the two differ and
    says which order the method takes.

    Attributes:
        method: The method's name.
        parameters: Its positional parameters, in order.
        order: The order in words, e.g. "the user first, then the account".
        argument: The path argument the body repeats (a field of the body too).
        position: Where that argument is among the operation's path values.
        statuses: The error statuses a swap can cause.
    """

    method: str
    parameters: tuple[str, ...]
    order: str
    argument: str
    position: int
    statuses: frozenset[int] = frozenset({400, 403, 404, 422})

    def __call__(self, status: int, path_values: tuple[object, ...], body: object) -> str | None:
        """Return the advice when ``status`` answers a body that contradicts the argument, else None."""
        if status not in self.statuses:
            return None
        sent = getattr(body, self.argument, None)
        given = path_values[self.position]
        if sent is None or sent == given:
            return None
        keywords = ", ".join(f"{name}=..." for name in self.parameters)
        return (
            f"{self.method}({', '.join(self.parameters)}) takes {self.order}. The body's "
            f"{self.argument} is {sent!r} but the {self.argument} argument is {given!r}: were "
            f"the arguments swapped? Pass them by keyword: {self.method}({keywords})."
        )


# Public in identity_api, where users import it.
ArgumentOrder.__module__ = "katanemo_identity.api.identity_api"


CREATE_CLIENT_KEY: Operation[ClientKeyResponse] = Operation(
    "create_client_key",
    "POST",
    "/org/{accountId}/keys",
    ("accountId",),
    ClientKeyResponse,
    ClientKeyRequest,
)
CREATE_USER_FOR_ACCOUNT: Operation[UserResponse] = Operation(
    "create_user_for_account",
    "POST",
    "/org/{accountId}/user",
    ("accountId",),
    UserResponse,
    UserRequest,
)
DELETE_CLIENT_KEY: Operation[str] = Operation(
    "delete_client_key",
    "DELETE",
    "/org/{accountId}/key/{keyId}",
    ("accountId", "keyId"),
    str,
    # The document says 200 with a JSON string, but servers and proxies often
    # answer a delete 204 or with an empty 200: the key is gone all the same.
    empty_result="",
)
GET_CLIENT_KEY: Operation[ClientKeyObject] = Operation(
    "get_client_key", "GET", "/org/{accountId}/key/{keyId}", ("accountId", "keyId"), ClientKeyObject
)
GET_CLIENT_KEY_LIST: Operation[list[ClientKeyObject]] = Operation(
    "get_client_key_list", "GET", "/org/{accountId}/keys", ("accountId",), list[ClientKeyObject]
)
GET_USER: Operation[UserResponse] = Operation(
    "get_user", "GET", "/org/{accountId}/user/{userId}", ("accountId", "userId"), UserResponse
)
GET_USERS_FOR_ACCOUNT: Operation[list[UserResponse]] = Operation(
    "get_users_for_account", "GET", "/org/{accountId}/user", ("accountId",), list[UserResponse]
)
UPDATE_USER: Operation[UserResponse] = Operation(
    "update_user",
    "PUT",
    "/org/{accountId}/user/{userId}",
    ("userId", "accountId"),
    UserResponse,
    UserRequest,
    advise=ArgumentOrder(
        method="update_user",
        parameters=("user_id", "account_id", "user_request"),
        order="the user first, then the account",
        argument="account_id",
        position=1,
    ),
)

#: Every operation of the API, by Python method name.
OPERATIONS: dict[str, Operation[object]] = {
    value.name: value for value in list(globals().values()) if isinstance(value, Operation)
}
