"""The clients measured: the floor (bare urllib3 and pydantic) and this SDK.

A ``Subject`` builds the four measured ``Calls`` of one client, and one
``get_user`` call per thread. The floor decodes into models defined here with
the same fields and aliases as the SDK's, through ``TypeAdapter``s built once.
openapi-generator's client is a third subject, in ``generated.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import urllib3
from pydantic import BaseModel, Field, TypeAdapter

from common import ACCOUNT_ID, TOKEN, USER_AGENT, USER_ID

#: The floor with the timeout the SDK sets on every call by default; shown
#: beside the thread measure, since a socket with a timeout polls before each
#: read and that costs a little under contention.
FLOOR_WITH_TIMEOUT = "floor + the SDK's default timeout"
SDK_DEFAULT_TIMEOUT = urllib3.Timeout(connect=10.0, read=60.0)


class FloorUser(BaseModel):
    """A user, as the floor decodes it."""

    account_id: str = Field(alias="accountId")
    service_id: str | None = Field(default=None, alias="serviceId")
    user_id: str | None = Field(default=None, alias="userId")
    is_admin: bool | None = Field(default=None, alias="isAdmin")
    is_active: bool | None = Field(default=None, alias="isActive")
    token: str | None = Field(default=None, alias="token")
    tags: dict[str, list[str]] | None = Field(default=None, alias="tags")
    roles: list[str] | None = Field(default=None, alias="roles")


class FloorClientKey(BaseModel):
    """A client key, as the floor decodes it."""

    account_id: str | None = Field(default=None, alias="accountId")
    roles: list[str] | None = Field(default=None, alias="roles")
    client_name: str | None = Field(default=None, alias="clientName")
    client_key_id: str | None = Field(default=None, alias="clientKeyId")
    service_id: str | None = Field(default=None, alias="serviceId")
    is_active: bool | None = Field(default=None, alias="isActive")


class FloorClientKeyRequest(BaseModel):
    """The create-key body, as the floor serializes it."""

    default_role_id: str = Field(alias="defaultRoleId")
    client_name: str = Field(alias="clientName")


class FloorClientKeyResponse(BaseModel):
    """The create-key answer, as the floor decodes it."""

    client_id: str | None = Field(default=None, alias="clientId")
    client_secret: str | None = Field(default=None, alias="clientSecret")


@dataclass
class Calls:
    """The four measured calls of one client, each returning the decoded result."""

    get_users_for_account: Callable[[], Sequence[object]]
    get_client_key_list: Callable[[], Sequence[object]]
    get_user: Callable[[], object]
    create_client_key: Callable[[], object]
    close: Callable[[], None] = lambda: None


@dataclass
class Subject:
    """A client to measure: how to build it, and how to build one per thread."""

    name: str
    build: Callable[[], Calls]
    #: Returns the get_user call each of ``n`` threads makes, and a closer.
    build_threaded: Callable[[int], tuple[list[Callable[[], object]], Callable[[], None]]]
    import_statement: str
    #: The import plus what the first call needs loaded (the models, the client).
    first_use_statement: str
    import_path: str | None = None
    skipped: str | None = None


def floor_subject(base_url: str, timeout: urllib3.Timeout | None = None) -> Subject:
    """Return the floor: bare urllib3 pools and ``TypeAdapter.validate_json`` built once.

    With ``timeout``, the pools set it on every request, as the SDK always does.
    """
    users_adapter = TypeAdapter(list[FloorUser])
    keys_adapter = TypeAdapter(list[FloorClientKey])
    user_adapter = TypeAdapter(FloorUser)
    request_adapter = TypeAdapter(FloorClientKeyRequest)
    created_adapter = TypeAdapter(FloorClientKeyResponse)
    headers = {
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        "Authorization": "Bearer " + TOKEN,
    }
    post_headers = {**headers, "Content-Type": "application/json"}
    users_url = f"{base_url}/org/{ACCOUNT_ID}/user"
    keys_url = f"{base_url}/org/{ACCOUNT_ID}/keys"
    user_url = f"{base_url}/org/{ACCOUNT_ID}/user/{USER_ID.replace('@', '%40')}"
    key_request = FloorClientKeyRequest(defaultRoleId="roleId1", clientName="bench")

    def get(pool: urllib3.PoolManager, url: str) -> bytes:
        response = pool.request("GET", url, headers=headers)
        if response.status != 200:
            raise RuntimeError(f"GET {url}: {response.status}")
        return response.data

    def build() -> Calls:
        pool = urllib3.PoolManager()

        def create_client_key() -> FloorClientKeyResponse:
            body = request_adapter.dump_json(key_request, by_alias=True, exclude_none=True)
            response = pool.request("POST", keys_url, body=body, headers=post_headers)
            if response.status != 200:
                raise RuntimeError(f"POST {keys_url}: {response.status}")
            return created_adapter.validate_json(response.data)

        return Calls(
            get_users_for_account=lambda: users_adapter.validate_json(get(pool, users_url)),
            get_client_key_list=lambda: keys_adapter.validate_json(get(pool, keys_url)),
            get_user=lambda: user_adapter.validate_json(get(pool, user_url)),
            create_client_key=create_client_key,
            close=pool.clear,
        )

    def build_threaded(threads: int) -> tuple[list[Callable[[], object]], Callable[[], None]]:
        pools = [
            urllib3.PoolManager() if timeout is None else urllib3.PoolManager(timeout=timeout)
            for _ in range(threads)
        ]

        def call_with(pool: urllib3.PoolManager) -> Callable[[], object]:
            return lambda: user_adapter.validate_json(get(pool, user_url))

        def close() -> None:
            for pool in pools:
                pool.clear()

        return [call_with(pool) for pool in pools], close

    return Subject(
        "floor (urllib3 + pydantic)" if timeout is None else FLOOR_WITH_TIMEOUT,
        build,
        build_threaded,
        "import urllib3, pydantic",
        "import urllib3; from pydantic import BaseModel, Field, TypeAdapter",
    )


def sdk_subject(base_url: str) -> Subject:
    """Return this SDK, one ``ApiClient`` per subject (shared by every thread)."""
    import katanemo_identity

    def new_client(pool_size: int = 16) -> katanemo_identity.ApiClient:
        configuration = katanemo_identity.Configuration(
            host=base_url,
            access_token=TOKEN,
            user_agent=USER_AGENT,
            connection_pool_maxsize=pool_size,
        )
        return katanemo_identity.ApiClient(configuration)

    key_request = katanemo_identity.ClientKeyRequest(default_role_id="roleId1", client_name="bench")

    def build() -> Calls:
        client = new_client()
        return identity_api_calls(katanemo_identity.IdentityApi(client), key_request, client.close)

    def build_threaded(threads: int) -> tuple[list[Callable[[], object]], Callable[[], None]]:
        client = new_client(max(threads, 1))
        api = katanemo_identity.IdentityApi(client)
        return [lambda: api.get_user(ACCOUNT_ID, USER_ID)] * threads, client.close

    return Subject(
        "katanemo_identity",
        build,
        build_threaded,
        "import katanemo_identity",
        "import katanemo_identity; katanemo_identity.IdentityApi",
    )


def identity_api_calls(api: Any, key_request: object, close: Callable[[], None]) -> Calls:
    """Return the four calls of an ``IdentityApi`` of openapi-generator's shape (the SDK's or its)."""
    return Calls(
        get_users_for_account=lambda: api.get_users_for_account(ACCOUNT_ID),
        get_client_key_list=lambda: api.get_client_key_list(ACCOUNT_ID),
        get_user=lambda: api.get_user(ACCOUNT_ID, USER_ID),
        create_client_key=lambda: api.create_client_key(ACCOUNT_ID, key_request),
        close=close,
    )
