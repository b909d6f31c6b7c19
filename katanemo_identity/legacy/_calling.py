"""How an old-style call becomes a modern one, and the modern answer or error an old one.

``IdentityApi`` (``legacy.apis.tags.identity_api``) checks its arguments
here (``path_values``, ``request_body``) and makes each call through ``run``,
which turns the old per-call options into the modern ones and shapes the
answer as the old ``ApiResponse``, or an error as the old ``ApiException``
with the modern one as its ``__cause__``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import urllib3

from katanemo_identity import models
from katanemo_identity.api_client import Operation, RequestOptions
from katanemo_identity.api_response import ApiResponse as ModernApiResponse
from katanemo_identity.exceptions import ApiDecodeError, ApiTypeError, ApiValueError
from katanemo_identity.exceptions import ApiException as ModernApiException
from katanemo_identity.legacy.api_client import ApiResponse, ApiResponseWithoutDeserialization
from katanemo_identity.legacy.exceptions import ApiException
from katanemo_identity.legacy.model.bad_request_exception import BadRequestException
from katanemo_identity.legacy.model.conflict_exception import ConflictException
from katanemo_identity.legacy.model.error import Error
from katanemo_identity.legacy.model.internal_server_error_exception import (
    InternalServerErrorException,
)
from katanemo_identity.legacy.model.too_many_requests_exception import TooManyRequestsException
from katanemo_identity.legacy.model.unauthorized_exception import UnauthorizedException
from katanemo_identity.legacy.schemas import DictSchema
from katanemo_identity.models._base import IdentityModel

T = TypeVar("T")
B = TypeVar("B")
M = TypeVar("M", bound=models.ClientKeyRequest | models.UserRequest)

JSON = "application/json"

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


def path_values(operation: Operation[Any], path_params: Mapping[str, str]) -> tuple[str, ...]:
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


def request_body(operation: Operation[Any], body: object, schema: type[DictSchema[M]]) -> M:
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


def run(
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
