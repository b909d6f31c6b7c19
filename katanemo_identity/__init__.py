"""Python client for the Katanemo Identity API: the users and client keys of an organization.

::

    import katanemo_identity

    configuration = katanemo_identity.Configuration(host="https://api.katanemo.com")
    with katanemo_identity.ApiClient(configuration) as api_client:
        api = katanemo_identity.IdentityApi(api_client)
        for key in api.get_client_key_list("acme"):
            print(key.client_name)

The exception classes own the names ``BadRequestException``,
``UnauthorizedException``, ``ConflictException``, ``TooManyRequestsException``
and ``InternalServerErrorException`` here; the error-body models of the same
names are in ``katanemo_identity.models``.
"""

from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.api_client import ApiClient, RequestOptions
from katanemo_identity.api_response import ApiResponse
from katanemo_identity.configuration import Configuration, __version__
from katanemo_identity.exceptions import (
    ApiAttributeError,
    ApiConnectionError,
    ApiDecodeError,
    ApiException,
    ApiKeyError,
    ApiResponseTooLargeError,
    ApiTimeoutError,
    ApiTypeError,
    ApiValueError,
    BadRequestException,
    ConflictException,
    ForbiddenException,
    InternalServerErrorException,
    NotFoundException,
    OpenApiException,
    ServiceException,
    TooManyRequestsException,
    UnauthorizedException,
    UnprocessableEntityException,
)
from katanemo_identity.models.client_key_object import ClientKeyObject
from katanemo_identity.models.client_key_request import ClientKeyRequest
from katanemo_identity.models.client_key_response import ClientKeyResponse
from katanemo_identity.models.error import Error
from katanemo_identity.models.user_request import UserRequest
from katanemo_identity.models.user_response import UserResponse

__all__ = [
    "ApiAttributeError",
    "ApiClient",
    "ApiConnectionError",
    "ApiDecodeError",
    "ApiException",
    "ApiKeyError",
    "ApiResponse",
    "ApiResponseTooLargeError",
    "ApiTimeoutError",
    "ApiTypeError",
    "ApiValueError",
    "BadRequestException",
    "ClientKeyObject",
    "ClientKeyRequest",
    "ClientKeyResponse",
    "Configuration",
    "ConflictException",
    "Error",
    "ForbiddenException",
    "IdentityApi",
    "InternalServerErrorException",
    "NotFoundException",
    "OpenApiException",
    "RequestOptions",
    "ServiceException",
    "TooManyRequestsException",
    "UnauthorizedException",
    "UnprocessableEntityException",
    "UserRequest",
    "UserResponse",
    "__version__",
]
