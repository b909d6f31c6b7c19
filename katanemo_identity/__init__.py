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

The exceptions are imported with the package: they are small, and an
``except`` clause names them before any call is made. The other names are
loaded on first use (PEP 562), so that importing the package costs a
short-lived tool next to nothing (no urllib3, no pydantic) until it makes a call.
"""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import TYPE_CHECKING

from katanemo_identity._version import __version__ as __version__
from katanemo_identity.exceptions import ApiAttributeError as ApiAttributeError
from katanemo_identity.exceptions import ApiClientClosedError as ApiClientClosedError
from katanemo_identity.exceptions import ApiConnectionError as ApiConnectionError
from katanemo_identity.exceptions import ApiContractError as ApiContractError
from katanemo_identity.exceptions import ApiDecodeError as ApiDecodeError
from katanemo_identity.exceptions import ApiException as ApiException
from katanemo_identity.exceptions import ApiKeyError as ApiKeyError
from katanemo_identity.exceptions import ApiResponseTooLargeError as ApiResponseTooLargeError
from katanemo_identity.exceptions import ApiTimeoutError as ApiTimeoutError
from katanemo_identity.exceptions import ApiTypeError as ApiTypeError
from katanemo_identity.exceptions import ApiValueError as ApiValueError
from katanemo_identity.exceptions import BadRequestException as BadRequestException
from katanemo_identity.exceptions import ConflictException as ConflictException
from katanemo_identity.exceptions import ForbiddenException as ForbiddenException
from katanemo_identity.exceptions import (
    InternalServerErrorException as InternalServerErrorException,
)
from katanemo_identity.exceptions import NotFoundException as NotFoundException
from katanemo_identity.exceptions import OpenApiException as OpenApiException
from katanemo_identity.exceptions import ServiceException as ServiceException
from katanemo_identity.exceptions import TooManyRequestsException as TooManyRequestsException
from katanemo_identity.exceptions import UnauthorizedException as UnauthorizedException
from katanemo_identity.exceptions import (
    UnprocessableEntityException as UnprocessableEntityException,
)

if TYPE_CHECKING:
    from katanemo_identity.api.identity_api import IdentityApi as IdentityApi
    from katanemo_identity.api_client import ApiClient as ApiClient
    from katanemo_identity.api_client import RequestOptions as RequestOptions
    from katanemo_identity.api_response import ApiResponse as ApiResponse
    from katanemo_identity.configuration import Configuration as Configuration
    from katanemo_identity.models.client_key_object import ClientKeyObject as ClientKeyObject
    from katanemo_identity.models.client_key_request import ClientKeyRequest as ClientKeyRequest
    from katanemo_identity.models.client_key_response import ClientKeyResponse as ClientKeyResponse
    from katanemo_identity.models.error import Error as Error
    from katanemo_identity.models.user_request import UserRequest as UserRequest
    from katanemo_identity.models.user_response import UserResponse as UserResponse

#: Each public name and the module it is loaded from.
_EXPORTS: dict[str, str] = {
    "IdentityApi": "katanemo_identity.api.identity_api",
    "ApiClient": "katanemo_identity.api_client",
    "RequestOptions": "katanemo_identity.api_client",
    "ApiResponse": "katanemo_identity.api_response",
    "Configuration": "katanemo_identity.configuration",
    "ClientKeyObject": "katanemo_identity.models.client_key_object",
    "ClientKeyRequest": "katanemo_identity.models.client_key_request",
    "ClientKeyResponse": "katanemo_identity.models.client_key_response",
    "Error": "katanemo_identity.models.error",
    "UserRequest": "katanemo_identity.models.user_request",
    "UserResponse": "katanemo_identity.models.user_response",
}

#: The exceptions imported above, the names loaded on first use, and the version.
__all__ = sorted(
    [name for name, value in globals().items() if isinstance(value, type)]
    + [*_EXPORTS, "__version__"]
)


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'katanemo_identity' has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    # The public names only: not the helpers this module imports for itself.
    return list(__all__)


# Names this module needed while loading, which are not part of its surface.
del annotations, TYPE_CHECKING
