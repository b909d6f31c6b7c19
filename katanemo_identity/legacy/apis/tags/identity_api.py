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

import io
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import urllib3

from katanemo_identity import models
from katanemo_identity.api import identity_api as modern
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
from katanemo_identity.api_client import ApiClient, Operation, RequestOptions
from katanemo_identity.api_response import ApiResponse as ModernApiResponse
from katanemo_identity.exceptions import ApiDecodeError, ApiTypeError, ApiValueError
from katanemo_identity.exceptions import ApiException as ModernApiException
from katanemo_identity.legacy.api_client import ApiResponse, ApiResponseWithoutDeserialization
from katanemo_identity.legacy.exceptions import ApiException
from katanemo_identity.legacy.model.bad_request_exception import BadRequestException
from katanemo_identity.legacy.model.client_key_object import ClientKeyObject
from katanemo_identity.legacy.model.client_key_request import ClientKeyRequest
from katanemo_identity.legacy.model.client_key_response import ClientKeyResponse
from katanemo_identity.legacy.model.conflict_exception import ConflictException
from katanemo_identity.legacy.model.error import Error
from katanemo_identity.legacy.model.internal_server_error_exception import (
    InternalServerErrorException,
)
from katanemo_identity.legacy.model.too_many_requests_exception import TooManyRequestsException
from katanemo_identity.legacy.model.unauthorized_exception import UnauthorizedException
from katanemo_identity.legacy.model.user_request import UserRequest
from katanemo_identity.legacy.model.user_response import UserResponse
from katanemo_identity.legacy.schemas import DictSchema
from katanemo_identity.models._base import IdentityModel

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


T = TypeVar("T")
B = TypeVar("B")
M = TypeVar("M", bound=models.ClientKeyRequest | models.UserRequest)

#: ``path_params``: the path's values by their camelCase names (``{"accountId": "acme"}``).
PathParams = Mapping[str, str]
#: A ``create_client_key`` body: the old model, a dict of its JSON fields, or the modern model.
ClientKeyRequestBody = ClientKeyRequest | models.ClientKeyRequest | Mapping[str, object]
#: A ``create_user_for_account`` / ``update_user`` body, in the same three forms.
UserRequestBody = UserRequest | models.UserRequest | Mapping[str, object]

JSON = "application/json"

_NO_PATH_PARAMS: PathParams = MappingProxyType({})
_READ_OPTIONS = frozenset({"accept_content_types", "stream", "timeout", "skip_deserialization"})
_WRITE_OPTIONS = _READ_OPTIONS | {"content_type"}

#: The old model for each error-body model, for ``ApiException.api_response.body``.
_ERROR_BODIES: Mapping[type[IdentityModel], type[DictSchema[Any]]] = {
    models.BadRequestException: BadRequestException,
    models.UnauthorizedException: UnauthorizedException,
    models.ConflictException: ConflictException,
    models.TooManyRequestsException: TooManyRequestsException,
    models.InternalServerErrorException: InternalServerErrorException,
    models.Error: Error,
}


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
        (account_id,) = _path_values(CREATE_CLIENT_KEY, path_params)
        request = _request_body(CREATE_CLIENT_KEY, body, ClientKeyRequest)
        return _run(
            CREATE_CLIENT_KEY,
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
        (account_id,) = _path_values(CREATE_USER_FOR_ACCOUNT, path_params)
        request = _request_body(CREATE_USER_FOR_ACCOUNT, body, UserRequest)
        return _run(
            CREATE_USER_FOR_ACCOUNT,
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
        account_id, key_id = _path_values(DELETE_CLIENT_KEY, path_params)
        return _run(
            DELETE_CLIENT_KEY,
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
        account_id, key_id = _path_values(GET_CLIENT_KEY, path_params)
        return _run(
            GET_CLIENT_KEY,
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
        (account_id,) = _path_values(GET_CLIENT_KEY_LIST, path_params)
        return _run(
            GET_CLIENT_KEY_LIST,
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
        account_id, user_id = _path_values(GET_USER, path_params)
        return _run(
            GET_USER,
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
        (account_id,) = _path_values(GET_USERS_FOR_ACCOUNT, path_params)
        return _run(
            GET_USERS_FOR_ACCOUNT,
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
        user_id, account_id = _path_values(UPDATE_USER, path_params)
        request = _request_body(UPDATE_USER, body, UserRequest)
        return _run(
            UPDATE_USER,
            lambda o: self._api.update_user_with_http_info(user_id, account_id, request, **o),
            UserResponse.from_model,
            options,
        )


def _path_values(operation: Operation[Any], path_params: PathParams) -> tuple[str, ...]:
    """The path values in the order the modern method takes them, every key checked."""
    names = operation.path_params
    if not isinstance(path_params, Mapping):
        raise ApiTypeError(
            f"{operation.name}(): path_params must be a dict with the keys {', '.join(names)}, "
            f"not {type(path_params).__name__}"
        )
    missing = [name for name in names if name not in path_params]
    unexpected = sorted(repr(key) for key in path_params if key not in names)
    if missing or unexpected:
        problems = []
        if missing:
            problems.append(f"missing {', '.join(map(repr, missing))}")
        if unexpected:
            problems.append(f"unexpected {', '.join(unexpected)}")
        raise ApiTypeError(
            f"{operation.name}(): path_params is {' and '.join(problems)}; "
            f"it takes {', '.join(names)}"
        )
    return tuple(path_params[name] for name in names)


def _request_body(operation: Operation[Any], body: object, schema: type[DictSchema[M]]) -> M:
    """The modern model to send, from the old model, a dict of its JSON fields, or the model."""
    if isinstance(body, schema):
        return body.to_model()
    if isinstance(body, schema.model_class):
        return body
    if isinstance(body, Mapping) and not isinstance(body, DictSchema):
        return schema(body).to_model()
    name = schema.__name__
    raise ApiTypeError(
        f"{operation.name}() takes a {name} body (katanemo_identity.legacy.model), a dict of its "
        f"fields, or a katanemo_identity.{name}; not {type(body).__name__}"
    )


def _run(
    operation: Operation[Any],
    call: Callable[[RequestOptions], ModernApiResponse[T]],
    to_body: Callable[[T], B],
    given: Mapping[str, object],
) -> ApiResponse[B] | ApiResponseWithoutDeserialization:
    """Make the modern call with the old options, and shape its answer or error the old way."""
    options, skip_deserialization = _request_options(operation, given)
    try:
        answer = call(options)
    except ApiDecodeError as error:
        # A 2xx body that is not the documented JSON: the old client returned
        # it undecoded when asked to skip decoding.
        if not skip_deserialization:
            raise _legacy_error(error, False) from error
        return ApiResponseWithoutDeserialization(_error_response(error))
    except ModernApiException as error:
        raise _legacy_error(error, skip_deserialization) from error
    response = _raw_response(answer.status_code, answer.reason, answer.headers, answer.raw_data)
    if skip_deserialization:
        return ApiResponseWithoutDeserialization(response)
    return ApiResponse(response, to_body(answer.data))


def _request_options(
    operation: Operation[Any], given: Mapping[str, object]
) -> tuple[RequestOptions, bool]:
    """Turn the old per-call options into the modern ones; also whether to skip decoding."""
    allowed = _WRITE_OPTIONS if operation.body_type is not None else _READ_OPTIONS
    unknown = sorted(given.keys() - allowed)
    if unknown:
        raise ApiTypeError(
            f"{operation.name}() got unexpected keyword argument(s) {', '.join(unknown)}; "
            f"it takes {', '.join(sorted(allowed))}"
        )
    options: RequestOptions = {}
    content_type = given.get("content_type", JSON)
    if content_type != JSON:
        raise ApiValueError(
            f"{operation.name}(): content_type {content_type!r} is not supported; "
            f"the API takes {JSON} bodies only"
        )
    accept = given.get("accept_content_types")
    if accept is not None:
        if not isinstance(accept, (tuple, list)) or not all(isinstance(t, str) for t in accept):
            raise ApiTypeError(
                f"{operation.name}(): accept_content_types must be a tuple of media types, "
                f"e.g. ('{JSON}',)"
            )
        options["_headers"] = {"Accept": ", ".join(accept)}
    timeout = given.get("timeout")
    if isinstance(timeout, (tuple, list)) and len(timeout) == 2:
        options["_request_timeout"] = (timeout[0], timeout[1])
    elif isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        options["_total_timeout"] = timeout
    elif timeout is not None:
        raise ApiTypeError(
            f"{operation.name}(): timeout must be seconds for the whole call, a (connect, read) "
            f"pair, or None for the configured limits; not {type(timeout).__name__}"
        )
    return options, bool(given.get("skip_deserialization", False))


def _legacy_error(error: ModernApiException, skip_deserialization: bool) -> ApiException:
    """The old ``ApiException`` for a modern one: its ``api_response`` holds the decoded error body."""
    response = _error_response(error)
    schema = None if error.data is None else _ERROR_BODIES.get(type(error.data))
    if skip_deserialization or schema is None:
        api_response: ApiResponse[object] = ApiResponseWithoutDeserialization(response)
    else:
        api_response = ApiResponse(response, schema.from_model(error.data))
    legacy = ApiException(api_response=api_response)
    legacy.outcome_unknown = error.outcome_unknown
    legacy.method, legacy.url, legacy.retries_taken = error.method, error.url, error.retries_taken
    return legacy


def _error_response(error: ModernApiException) -> urllib3.HTTPResponse:
    # The exception keeps the body as text (UTF-8, from the bytes read).
    body = (error.body or "").encode("utf-8")
    return _raw_response(error.status or 0, error.reason, error.headers, body)


def _raw_response(
    status: int, reason: str | None, headers: Mapping[str, str], data: bytes
) -> urllib3.HTTPResponse:
    """A urllib3 response holding what the SDK read; the body, already decompressed, stays as is."""
    return urllib3.HTTPResponse(
        body=io.BytesIO(data),
        headers=headers,
        status=status,
        reason=reason,
        preload_content=True,
        decode_content=False,
    )


__all__ = ["ClientKeyRequestBody", "IdentityApi", "PathParams", "UserRequestBody"]
