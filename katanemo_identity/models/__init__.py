"""The Identity API's data models, one module per schema.

Request and response models are also exported from ``katanemo_identity``.
The five error-body models (``BadRequestException`` and its kin) live only
here, because at the package top level those names belong to the exceptions
a caller catches; each exception carries its body model as ``.data``.
"""

from katanemo_identity.models.bad_request_exception import (
    BadRequestException as BadRequestException,
)
from katanemo_identity.models.client_key_object import ClientKeyObject as ClientKeyObject
from katanemo_identity.models.client_key_request import ClientKeyRequest as ClientKeyRequest
from katanemo_identity.models.client_key_response import ClientKeyResponse as ClientKeyResponse
from katanemo_identity.models.conflict_exception import ConflictException as ConflictException
from katanemo_identity.models.error import Error as Error
from katanemo_identity.models.internal_server_error_exception import (
    InternalServerErrorException as InternalServerErrorException,
)
from katanemo_identity.models.too_many_requests_exception import (
    TooManyRequestsException as TooManyRequestsException,
)
from katanemo_identity.models.unauthorized_exception import (
    UnauthorizedException as UnauthorizedException,
)
from katanemo_identity.models.user_request import UserRequest as UserRequest
from katanemo_identity.models.user_response import UserResponse as UserResponse

#: Any error-body model the API documents; what ``ApiException.data`` holds.
ErrorModel = (
    BadRequestException
    | UnauthorizedException
    | ConflictException
    | TooManyRequestsException
    | InternalServerErrorException
    | Error
)

#: Every model class imported above (not the ``ErrorModel`` alias).
__all__ = sorted(name for name, value in globals().items() if isinstance(value, type))
