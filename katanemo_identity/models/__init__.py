"""The Identity API's data models, one module per schema.

Request and response models are also exported from ``katanemo_identity``.
The five error-body models (``BadRequestException`` and its kin) live only
here, because at the package top level those names belong to the exceptions
a caller catches; each exception carries its body model as ``.data``.
"""

from katanemo_identity.models.bad_request_exception import BadRequestException
from katanemo_identity.models.client_key_object import ClientKeyObject
from katanemo_identity.models.client_key_request import ClientKeyRequest
from katanemo_identity.models.client_key_response import ClientKeyResponse
from katanemo_identity.models.conflict_exception import ConflictException
from katanemo_identity.models.error import Error
from katanemo_identity.models.internal_server_error_exception import InternalServerErrorException
from katanemo_identity.models.too_many_requests_exception import TooManyRequestsException
from katanemo_identity.models.unauthorized_exception import UnauthorizedException
from katanemo_identity.models.user_request import UserRequest
from katanemo_identity.models.user_response import UserResponse

#: Any error-body model the API documents; what ``ApiException.data`` holds.
ErrorModel = (
    BadRequestException
    | UnauthorizedException
    | ConflictException
    | TooManyRequestsException
    | InternalServerErrorException
    | Error
)

__all__ = [
    "BadRequestException",
    "ClientKeyObject",
    "ClientKeyRequest",
    "ClientKeyResponse",
    "ConflictException",
    "Error",
    "InternalServerErrorException",
    "TooManyRequestsException",
    "UnauthorizedException",
    "UserRequest",
    "UserResponse",
]
