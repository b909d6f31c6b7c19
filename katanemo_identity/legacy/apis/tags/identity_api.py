"""``katanemo_sdk.apis.tags.identity_api``: the old call style over this SDK's one request path.

Each method takes the arguments the ``katanemo_sdk`` docs give it
(``path_params`` with the camelCase keys, ``body`` for the writes,
``content_type``, ``accept_content_types``, ``stream``, ``timeout``,
``skip_deserialization``), calls ``<operation>_with_http_info`` of
``katanemo_identity.IdentityApi`` on the same ``ApiClient``, and shapes the
answer as the old ``ApiResponseFor200``. So a legacy call gets the same
retries, POST rule, timeouts, limits, secret masking, hooks and tracing as a
modern one; nothing here sends a request.

``timeout``: a number is the whole-call limit (``_total_timeout``), the
closest meaning to the old ``urllib3.Timeout(total=n)``; a ``(connect, read)``
pair is ``_request_timeout``; None (the default) keeps the configured limits,
never "wait forever". ``stream=True`` is accepted and changes nothing: the
body is read whole and decoded, as the old client did for JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, overload

from katanemo_identity import models
from katanemo_identity.api import _operations as operations
from katanemo_identity.api import identity_api as modern
from katanemo_identity.api_client import ApiClient
from katanemo_identity.legacy._calling import path_values, request_body, run
from katanemo_identity.legacy.api_client import ApiResponse, ApiResponseWithoutDeserialization
from katanemo_identity.legacy.model.client_key_object import ClientKeyObject
from katanemo_identity.legacy.model.client_key_request import ClientKeyRequest
from katanemo_identity.legacy.model.client_key_response import ClientKeyResponse
from katanemo_identity.legacy.model.user_request import UserRequest
from katanemo_identity.legacy.model.user_response import UserResponse

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TypedDict

    from typing_extensions import Required, Unpack

    class _CallOptions(TypedDict, total=False):
        accept_content_types: Sequence[str]
        stream: bool
        timeout: float | tuple[float, float] | None

    class _Options(_CallOptions, total=False):
        skip_deserialization: Literal[False]

    class _RawOptions(_CallOptions, total=False):
        skip_deserialization: Required[Literal[True]]

    class _WriteOptions(_Options, total=False):
        content_type: str

    class _RawWriteOptions(_RawOptions, total=False):
        content_type: str


#: ``path_params``: the path's values by their camelCase names (``{"accountId": "acme"}``).
PathParams = Mapping[str, str]
#: A ``create_client_key`` body: the old model, a dict of its JSON fields, or the modern model.
ClientKeyRequestBody = ClientKeyRequest | models.ClientKeyRequest | Mapping[str, object]
#: A ``create_user_for_account`` / ``update_user`` body, in the same three forms.
UserRequestBody = UserRequest | models.UserRequest | Mapping[str, object]

_NO_PATH_PARAMS: PathParams = MappingProxyType({})


class IdentityApi:
    """The eight operations, called as ``katanemo_sdk`` called them.

    Each method takes:

    * ``body`` (the writes; may be positional): the old model, a dict of its
      JSON fields, or the ``katanemo_identity.models`` model;
    * ``path_params`` (may be positional for the reads): the path values by
      their camelCase names, e.g. ``{"accountId": "acme", "keyId": key_id}``;
    * keyword-only ``content_type`` (the writes; ``application/json`` only),
      ``accept_content_types`` (sent as ``Accept``), ``stream`` (accepted;
      the body is read whole), ``timeout`` (see the module docstring) and
      ``skip_deserialization``.

    It returns an ``ApiResponse`` (``.response``, ``.body``, ``.headers``), or
    with ``skip_deserialization=True`` an ``ApiResponseWithoutDeserialization``.

    Every method raises ``ApiException`` for an error status (the modern
    exception, e.g. ``katanemo_identity.ConflictException``, is its
    ``__cause__``); ``ApiTypeError`` for a ``path_params`` key missing or
    unexpected, a body of the wrong type or an unknown field;
    ``ApiValueError`` for a bad value; and ``ApiConnectionError`` /
    ``ApiTimeoutError`` (both ``OpenApiException``) when no response arrives.

    Args:
        api_client: The client to send through; ``ApiClient.get_default()`` when None.
    """

    def __init__(self, api_client: ApiClient | None = None) -> None:
        self.api_client = api_client if api_client is not None else ApiClient.get_default()
        self._api = modern.IdentityApi(self.api_client)

    @overload
    def create_client_key(
        self,
        body: ClientKeyRequestBody,
        path_params: PathParams = ...,
        **options: Unpack[_WriteOptions],
    ) -> ApiResponse[ClientKeyResponse]: ...
    @overload
    def create_client_key(
        self,
        body: ClientKeyRequestBody,
        path_params: PathParams = ...,
        **options: Unpack[_RawWriteOptions],
    ) -> ApiResponseWithoutDeserialization: ...
    def create_client_key(
        self,
        body: ClientKeyRequestBody,
        path_params: PathParams = _NO_PATH_PARAMS,
        **options: object,
    ) -> ApiResponse[ClientKeyResponse] | ApiResponseWithoutDeserialization:
        """Create API Key, ``POST /org/{accountId}/keys``; ``path_params``: ``accountId``."""
        (account_id,) = path_values(operations.CREATE_CLIENT_KEY, path_params)
        request = request_body(operations.CREATE_CLIENT_KEY, body, ClientKeyRequest)
        return run(
            operations.CREATE_CLIENT_KEY,
            lambda o: self._api.create_client_key_with_http_info(account_id, request, **o),
            ClientKeyResponse.from_model,
            options,
        )

    @overload
    def create_user_for_account(
        self, body: UserRequestBody, path_params: PathParams = ..., **options: Unpack[_WriteOptions]
    ) -> ApiResponse[UserResponse]: ...
    @overload
    def create_user_for_account(
        self,
        body: UserRequestBody,
        path_params: PathParams = ...,
        **options: Unpack[_RawWriteOptions],
    ) -> ApiResponseWithoutDeserialization: ...
    def create_user_for_account(
        self, body: UserRequestBody, path_params: PathParams = _NO_PATH_PARAMS, **options: object
    ) -> ApiResponse[UserResponse] | ApiResponseWithoutDeserialization:
        """Invite User, ``POST /org/{accountId}/user``; ``path_params``: ``accountId``."""
        (account_id,) = path_values(operations.CREATE_USER_FOR_ACCOUNT, path_params)
        request = request_body(operations.CREATE_USER_FOR_ACCOUNT, body, UserRequest)
        return run(
            operations.CREATE_USER_FOR_ACCOUNT,
            lambda o: self._api.create_user_for_account_with_http_info(account_id, request, **o),
            UserResponse.from_model,
            options,
        )

    @overload
    def delete_client_key(
        self, path_params: PathParams = ..., **options: Unpack[_Options]
    ) -> ApiResponse[str]: ...
    @overload
    def delete_client_key(
        self, path_params: PathParams = ..., **options: Unpack[_RawOptions]
    ) -> ApiResponseWithoutDeserialization: ...
    def delete_client_key(
        self, path_params: PathParams = _NO_PATH_PARAMS, **options: object
    ) -> ApiResponse[str] | ApiResponseWithoutDeserialization:
        """Delete API Key, ``DELETE /org/{accountId}/key/{keyId}``; ``path_params``: ``accountId``, ``keyId``."""
        account_id, key_id = path_values(operations.DELETE_CLIENT_KEY, path_params)
        return run(
            operations.DELETE_CLIENT_KEY,
            lambda o: self._api.delete_client_key_with_http_info(account_id, key_id, **o),
            str,
            options,
        )

    @overload
    def get_client_key(
        self, path_params: PathParams = ..., **options: Unpack[_Options]
    ) -> ApiResponse[ClientKeyObject]: ...
    @overload
    def get_client_key(
        self, path_params: PathParams = ..., **options: Unpack[_RawOptions]
    ) -> ApiResponseWithoutDeserialization: ...
    def get_client_key(
        self, path_params: PathParams = _NO_PATH_PARAMS, **options: object
    ) -> ApiResponse[ClientKeyObject] | ApiResponseWithoutDeserialization:
        """Get API Key, ``GET /org/{accountId}/key/{keyId}``; ``path_params``: ``accountId``, ``keyId``."""
        account_id, key_id = path_values(operations.GET_CLIENT_KEY, path_params)
        return run(
            operations.GET_CLIENT_KEY,
            lambda o: self._api.get_client_key_with_http_info(account_id, key_id, **o),
            ClientKeyObject.from_model,
            options,
        )

    @overload
    def get_client_key_list(
        self, path_params: PathParams = ..., **options: Unpack[_Options]
    ) -> ApiResponse[tuple[ClientKeyObject, ...]]: ...
    @overload
    def get_client_key_list(
        self, path_params: PathParams = ..., **options: Unpack[_RawOptions]
    ) -> ApiResponseWithoutDeserialization: ...
    def get_client_key_list(
        self, path_params: PathParams = _NO_PATH_PARAMS, **options: object
    ) -> ApiResponse[tuple[ClientKeyObject, ...]] | ApiResponseWithoutDeserialization:
        """List API Keys, ``GET /org/{accountId}/keys``; ``path_params``: ``accountId``."""
        (account_id,) = path_values(operations.GET_CLIENT_KEY_LIST, path_params)
        return run(
            operations.GET_CLIENT_KEY_LIST,
            lambda o: self._api.get_client_key_list_with_http_info(account_id, **o),
            lambda keys: tuple(map(ClientKeyObject.from_model, keys)),
            options,
        )

    @overload
    def get_user(
        self, path_params: PathParams = ..., **options: Unpack[_Options]
    ) -> ApiResponse[UserResponse]: ...
    @overload
    def get_user(
        self, path_params: PathParams = ..., **options: Unpack[_RawOptions]
    ) -> ApiResponseWithoutDeserialization: ...
    def get_user(
        self, path_params: PathParams = _NO_PATH_PARAMS, **options: object
    ) -> ApiResponse[UserResponse] | ApiResponseWithoutDeserialization:
        """Get User, ``GET /org/{accountId}/user/{userId}``; ``path_params``: ``accountId``, ``userId``."""
        account_id, user_id = path_values(operations.GET_USER, path_params)
        return run(
            operations.GET_USER,
            lambda o: self._api.get_user_with_http_info(account_id, user_id, **o),
            UserResponse.from_model,
            options,
        )

    @overload
    def get_users_for_account(
        self, path_params: PathParams = ..., **options: Unpack[_Options]
    ) -> ApiResponse[tuple[UserResponse, ...]]: ...
    @overload
    def get_users_for_account(
        self, path_params: PathParams = ..., **options: Unpack[_RawOptions]
    ) -> ApiResponseWithoutDeserialization: ...
    def get_users_for_account(
        self, path_params: PathParams = _NO_PATH_PARAMS, **options: object
    ) -> ApiResponse[tuple[UserResponse, ...]] | ApiResponseWithoutDeserialization:
        """List Users, ``GET /org/{accountId}/user``; ``path_params``: ``accountId``."""
        (account_id,) = path_values(operations.GET_USERS_FOR_ACCOUNT, path_params)
        return run(
            operations.GET_USERS_FOR_ACCOUNT,
            lambda o: self._api.get_users_for_account_with_http_info(account_id, **o),
            lambda users: tuple(map(UserResponse.from_model, users)),
            options,
        )

    @overload
    def update_user(
        self, body: UserRequestBody, path_params: PathParams = ..., **options: Unpack[_WriteOptions]
    ) -> ApiResponse[UserResponse]: ...
    @overload
    def update_user(
        self,
        body: UserRequestBody,
        path_params: PathParams = ...,
        **options: Unpack[_RawWriteOptions],
    ) -> ApiResponseWithoutDeserialization: ...
    def update_user(
        self, body: UserRequestBody, path_params: PathParams = _NO_PATH_PARAMS, **options: object
    ) -> ApiResponse[UserResponse] | ApiResponseWithoutDeserialization:
        """Update user, ``PUT /org/{accountId}/user/{userId}``; ``path_params``: ``accountId``, ``userId``."""
        user_id, account_id = path_values(operations.UPDATE_USER, path_params)
        request = request_body(operations.UPDATE_USER, body, UserRequest)
        return run(
            operations.UPDATE_USER,
            lambda o: self._api.update_user_with_http_info(user_id, account_id, request, **o),
            UserResponse.from_model,
            options,
        )


__all__ = ["ClientKeyRequestBody", "IdentityApi", "PathParams", "UserRequestBody"]
