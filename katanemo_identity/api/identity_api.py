"""``IdentityApi``: the eight operations on the users and client keys of an account.

Each operation comes in three forms:

* ``op(...)`` returns the decoded result;
* ``op_with_http_info(...)`` returns an ``ApiResponse`` (status, headers,
  decoded data and raw bytes);
* ``op_without_preload_content(...)`` returns the urllib3 response with its
  body unread and its status unchecked.

All take the keyword-only per-call options of ``RequestOptions``:
``_request_timeout``, ``_headers`` and ``_retries``. The plumbing lives in
``ApiClient.call``; each method here only names its operation and arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import urllib3

from katanemo_identity.api._operations import (
    CREATE_CLIENT_KEY,
    CREATE_USER_FOR_ACCOUNT,
    DELETE_CLIENT_KEY,
    GET_CLIENT_KEY,
    GET_CLIENT_KEY_LIST,
    GET_USER,
    GET_USERS_FOR_ACCOUNT,
    UPDATE_USER,
)
from katanemo_identity.api._operations import ArgumentOrder as ArgumentOrder  # public here
from katanemo_identity.api_client import ApiClient, RequestOptions
from katanemo_identity.api_response import ApiResponse
from katanemo_identity.models.client_key_object import ClientKeyObject
from katanemo_identity.models.client_key_request import ClientKeyRequest
from katanemo_identity.models.client_key_response import ClientKeyResponse
from katanemo_identity.models.user_request import UserRequest
from katanemo_identity.models.user_response import UserResponse

if TYPE_CHECKING:
    from typing_extensions import Unpack


class IdentityApi:
    """The users and client (machine) keys of an organization's account.

    Every method raises, besides what its docstring names:
    ``ApiValueError`` / ``ApiTypeError`` for an argument refused before
    sending; ``BadRequestException`` (400), ``UnauthorizedException`` (401),
    ``ConflictException`` (409), ``TooManyRequestsException`` (429),
    ``ServiceException`` (5xx) or another ``ApiException`` for an error status;
    ``ApiDecodeError`` for a 2xx body that is not the documented JSON; and
    ``ApiConnectionError`` / ``ApiTimeoutError`` when no response arrives.

    Args:
        api_client: The client to send through; ``ApiClient.get_default()`` when None.
    """

    def __init__(self, api_client: ApiClient | None = None) -> None:
        self.api_client = api_client if api_client is not None else ApiClient.get_default()

    # -- create_client_key: POST /org/{accountId}/keys ----------------------

    def create_client_key(
        self,
        account_id: str,
        client_key_request: ClientKeyRequest,
        **options: Unpack[RequestOptions],
    ) -> ClientKeyResponse:
        """Create API Key: a new client key for accessing a developer's APIs.

        The secret in the result is shown only now; store it. Sent at most
        once unless the server answered 429 or no connection could be made.

        Args:
            account_id: The account to create the key in.
            client_key_request: The key's name and default role.

        Returns:
            The new key's client id and secret.

        Raises:
            ConflictException: the account has a key of that name already.
            ServiceException, ApiConnectionError: with ``outcome_unknown``
                True the key may exist; list keys before creating it again.
        """
        return self.create_client_key_with_http_info(account_id, client_key_request, **options).data

    def create_client_key_with_http_info(
        self,
        account_id: str,
        client_key_request: ClientKeyRequest,
        **options: Unpack[RequestOptions],
    ) -> ApiResponse[ClientKeyResponse]:
        """Create API Key, returning the status, headers and raw body too (see ``create_client_key``)."""
        return self.api_client.call(CREATE_CLIENT_KEY, (account_id,), client_key_request, options)

    def create_client_key_without_preload_content(
        self,
        account_id: str,
        client_key_request: ClientKeyRequest,
        **options: Unpack[RequestOptions],
    ) -> urllib3.BaseHTTPResponse:
        """Create API Key, returning the unread, unchecked urllib3 response (see ``create_client_key``)."""
        return self.api_client.call_without_preload(
            CREATE_CLIENT_KEY, (account_id,), client_key_request, options
        )

    # -- create_user_for_account: POST /org/{accountId}/user -----------------

    def create_user_for_account(
        self, account_id: str, user_request: UserRequest, **options: Unpack[RequestOptions]
    ) -> UserResponse:
        """Invite User: create a user, who is sent an email to verify and set a password.

        Sent at most once unless the server answered 429 or no connection
        could be made.

        Args:
            account_id: The account to invite the user to.
            user_request: The user; ``user_id`` is their email address.

        Returns:
            The new user.

        Raises:
            BadRequestException: a required field is missing or ``user_id`` is not an email.
            ConflictException: the user exists already.
            ServiceException, ApiConnectionError: with ``outcome_unknown``
                True the user may exist; fetch them before inviting again.
        """
        return self.create_user_for_account_with_http_info(account_id, user_request, **options).data

    def create_user_for_account_with_http_info(
        self, account_id: str, user_request: UserRequest, **options: Unpack[RequestOptions]
    ) -> ApiResponse[UserResponse]:
        """Invite User, returning the status, headers and raw body too (see ``create_user_for_account``)."""
        return self.api_client.call(CREATE_USER_FOR_ACCOUNT, (account_id,), user_request, options)

    def create_user_for_account_without_preload_content(
        self, account_id: str, user_request: UserRequest, **options: Unpack[RequestOptions]
    ) -> urllib3.BaseHTTPResponse:
        """Invite User, returning the unread, unchecked urllib3 response (see ``create_user_for_account``)."""
        return self.api_client.call_without_preload(
            CREATE_USER_FOR_ACCOUNT, (account_id,), user_request, options
        )

    # -- delete_client_key: DELETE /org/{accountId}/key/{keyId} --------------

    def delete_client_key(
        self, account_id: str, key_id: str, **options: Unpack[RequestOptions]
    ) -> str:
        """Delete API Key: remove a client key from an account.

        Args:
            account_id: The account the key belongs to.
            key_id: The key's id (``ClientKeyObject.client_key_id``).

        Returns:
            The server's confirmation message; ``""`` when the server sent
            none (``204 No Content``, or an empty ``200``): the key is gone.

        Raises:
            NotFoundException: no such key in this account.
        """
        return self.delete_client_key_with_http_info(account_id, key_id, **options).data

    def delete_client_key_with_http_info(
        self, account_id: str, key_id: str, **options: Unpack[RequestOptions]
    ) -> ApiResponse[str]:
        """Delete API Key, returning the status, headers and raw body too (see ``delete_client_key``)."""
        return self.api_client.call(DELETE_CLIENT_KEY, (account_id, key_id), None, options)

    def delete_client_key_without_preload_content(
        self, account_id: str, key_id: str, **options: Unpack[RequestOptions]
    ) -> urllib3.BaseHTTPResponse:
        """Delete API Key, returning the unread, unchecked urllib3 response (see ``delete_client_key``)."""
        return self.api_client.call_without_preload(
            DELETE_CLIENT_KEY, (account_id, key_id), None, options
        )

    # -- get_client_key: GET /org/{accountId}/key/{keyId} --------------------

    def get_client_key(
        self, account_id: str, key_id: str, **options: Unpack[RequestOptions]
    ) -> ClientKeyObject:
        """Get API Key: the details of one client key (never its secret).

        Args:
            account_id: The account the key belongs to.
            key_id: The key's id.

        Returns:
            The key.

        Raises:
            NotFoundException: no such key in this account.
        """
        return self.get_client_key_with_http_info(account_id, key_id, **options).data

    def get_client_key_with_http_info(
        self, account_id: str, key_id: str, **options: Unpack[RequestOptions]
    ) -> ApiResponse[ClientKeyObject]:
        """Get API Key, returning the status, headers and raw body too (see ``get_client_key``)."""
        return self.api_client.call(GET_CLIENT_KEY, (account_id, key_id), None, options)

    def get_client_key_without_preload_content(
        self, account_id: str, key_id: str, **options: Unpack[RequestOptions]
    ) -> urllib3.BaseHTTPResponse:
        """Get API Key, returning the unread, unchecked urllib3 response (see ``get_client_key``)."""
        return self.api_client.call_without_preload(
            GET_CLIENT_KEY, (account_id, key_id), None, options
        )

    # -- get_client_key_list: GET /org/{accountId}/keys ----------------------

    def get_client_key_list(
        self, account_id: str, **options: Unpack[RequestOptions]
    ) -> list[ClientKeyObject]:
        """List API Keys: every client key of an account.

        Args:
            account_id: The account whose keys to list.

        Returns:
            The keys, possibly none.
        """
        return self.get_client_key_list_with_http_info(account_id, **options).data

    def get_client_key_list_with_http_info(
        self, account_id: str, **options: Unpack[RequestOptions]
    ) -> ApiResponse[list[ClientKeyObject]]:
        """List API Keys, returning the status, headers and raw body too (see ``get_client_key_list``)."""
        return self.api_client.call(GET_CLIENT_KEY_LIST, (account_id,), None, options)

    def get_client_key_list_without_preload_content(
        self, account_id: str, **options: Unpack[RequestOptions]
    ) -> urllib3.BaseHTTPResponse:
        """List API Keys, returning the unread, unchecked urllib3 response (see ``get_client_key_list``)."""
        return self.api_client.call_without_preload(
            GET_CLIENT_KEY_LIST, (account_id,), None, options
        )

    # -- get_user: GET /org/{accountId}/user/{userId} ------------------------

    def get_user(
        self, account_id: str, user_id: str, **options: Unpack[RequestOptions]
    ) -> UserResponse:
        """Get User: one user of an account.

        Args:
            account_id: The account the user belongs to.
            user_id: The user's id (their email address).

        Returns:
            The user.

        Raises:
            NotFoundException: no such user in this account.
        """
        return self.get_user_with_http_info(account_id, user_id, **options).data

    def get_user_with_http_info(
        self, account_id: str, user_id: str, **options: Unpack[RequestOptions]
    ) -> ApiResponse[UserResponse]:
        """Get User, returning the status, headers and raw body too (see ``get_user``)."""
        return self.api_client.call(GET_USER, (account_id, user_id), None, options)

    def get_user_without_preload_content(
        self, account_id: str, user_id: str, **options: Unpack[RequestOptions]
    ) -> urllib3.BaseHTTPResponse:
        """Get User, returning the unread, unchecked urllib3 response (see ``get_user``)."""
        return self.api_client.call_without_preload(GET_USER, (account_id, user_id), None, options)

    # -- get_users_for_account: GET /org/{accountId}/user --------------------

    def get_users_for_account(
        self, account_id: str, **options: Unpack[RequestOptions]
    ) -> list[UserResponse]:
        """List Users: every user of an account.

        Args:
            account_id: The account whose users to list.

        Returns:
            The users, possibly none.
        """
        return self.get_users_for_account_with_http_info(account_id, **options).data

    def get_users_for_account_with_http_info(
        self, account_id: str, **options: Unpack[RequestOptions]
    ) -> ApiResponse[list[UserResponse]]:
        """List Users, returning the status, headers and raw body too (see ``get_users_for_account``)."""
        return self.api_client.call(GET_USERS_FOR_ACCOUNT, (account_id,), None, options)

    def get_users_for_account_without_preload_content(
        self, account_id: str, **options: Unpack[RequestOptions]
    ) -> urllib3.BaseHTTPResponse:
        """List Users, returning the unread, unchecked urllib3 response (see ``get_users_for_account``)."""
        return self.api_client.call_without_preload(
            GET_USERS_FOR_ACCOUNT, (account_id,), None, options
        )

    # -- update_user: PUT /org/{accountId}/user/{userId} ---------------------

    def update_user(
        self,
        user_id: str,
        account_id: str,
        user_request: UserRequest,
        **options: Unpack[RequestOptions],
    ) -> UserResponse:
        """Update user: ``update_user(user_id, account_id, user_request)``, the user first.

        The only operation that takes the user before the account; pass the
        arguments by keyword (``update_user(user_id=..., account_id=...,
        user_request=...)``) to make the order impossible to get wrong. When
        the call fails and the body's ``account_id`` differs from the
        ``account_id`` argument, the error's advice says the arguments look
        swapped. Changes the fields ``user_request`` sets; fields left unset
        (None) are not sent and stay as they are.

        Args:
            user_id: The user's id (their email address).
            account_id: The account the user belongs to.
            user_request: The fields to change; ``account_id`` is required.

        Returns:
            The user as updated.

        Raises:
            NotFoundException: no such user in this account.
            BadRequestException: a field is invalid, or the body's
                ``account_id`` is not the ``account_id`` argument.
        """
        return self.update_user_with_http_info(user_id, account_id, user_request, **options).data

    def update_user_with_http_info(
        self,
        user_id: str,
        account_id: str,
        user_request: UserRequest,
        **options: Unpack[RequestOptions],
    ) -> ApiResponse[UserResponse]:
        """Update user (the user first), returning the status, headers and raw body too (see ``update_user``)."""
        return self.api_client.call(UPDATE_USER, (user_id, account_id), user_request, options)

    def update_user_without_preload_content(
        self,
        user_id: str,
        account_id: str,
        user_request: UserRequest,
        **options: Unpack[RequestOptions],
    ) -> urllib3.BaseHTTPResponse:
        """Update user (the user first), returning the unread, unchecked urllib3 response (see ``update_user``)."""
        return self.api_client.call_without_preload(
            UPDATE_USER, (user_id, account_id), user_request, options
        )
