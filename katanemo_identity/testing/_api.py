"""The API half of the reference server: routing, validation and the eight operations.

``answer`` takes one request (method, target, headers, body) and returns the
``Reply`` to send: it checks the token and the rate limit, routes by path
segment, validates the body, calls the ``Store``, and maps the store's
refusals to 404 and 409. It knows nothing of sockets; ``_http`` does the HTTP.

Where the server is stricter than the API document, the rule is named in
``SERVICE_RULES``; a server built with ``rules="document"`` drops those rules
and accepts every request the document allows.
"""

from __future__ import annotations

import functools
import hmac
import importlib.resources
import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote_to_bytes

from pydantic import BaseModel

from katanemo_identity.models._base import IdentityModel
from katanemo_identity.models.bad_request_exception import BadRequestException
from katanemo_identity.models.conflict_exception import ConflictException
from katanemo_identity.models.error import Error
from katanemo_identity.models.internal_server_error_exception import (
    InternalServerErrorException,
)
from katanemo_identity.models.too_many_requests_exception import TooManyRequestsException
from katanemo_identity.models.unauthorized_exception import UnauthorizedException
from katanemo_identity.testing._store import ConflictError, NotFoundError, Store

if TYPE_CHECKING:
    from email.message import Message

    from katanemo_identity.testing._ratelimit import RateLimiter

logger = logging.getLogger("katanemo_identity.testing")

#: Which rules the server applies: the real service's (``"service"``, the
#: default), or only the API document's (``"document"``).
Rules = Literal["service", "document"]

#: Every rule by which the server (with ``rules="service"``) refuses a request
#: the API document allows, by name. ``docs/testing.md`` has them as a table.
SERVICE_RULES: Mapping[str, str] = {
    "invite-needs-user-id": "an invite (create_user_for_account) must carry userId",
    "user-id-is-an-email": "an invite's userId must be an email address of at most 254 characters",
    "body-account-is-the-path-account": (
        "the accountId of an invite's or update's body must equal the path's accountId"
    ),
    "body-user-is-the-path-user": "an update's body userId, when sent, must equal the path's",
}

#: Error-body model per status, as the API document gives them; any other
#: status carries an ``Error`` (the document's ``default`` response).
_ERROR_MODELS: dict[int, type[IdentityModel]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    409: ConflictException,
    429: TooManyRequestsException,
    500: InternalServerErrorException,
}

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


@functools.cache
def openapi_document() -> bytes:
    """Return the package's OpenAPI document, as served at ``/openapi.json``."""
    return importlib.resources.files("katanemo_identity").joinpath("openapi.json").read_bytes()


def error_body(status: int, message: str, error_code: str | None = None) -> bytes:
    """Return the JSON error body the API document gives for ``status``."""
    model = _ERROR_MODELS.get(status)
    if model is None:
        return Error(code=status, message=message).to_json().encode()
    return model.model_validate({"message": message, "errorCode": error_code}).to_json().encode()


@dataclass
class Reply:
    """An answer to send: status, JSON body, extra headers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class HttpError(Exception):
    """Ends handling of a request with an error reply."""

    def __init__(
        self,
        status: int,
        message: str,
        error_code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.reply = Reply(status, error_body(status, message, error_code), headers or {})


def bad_request(message: str, error_code: str = "INVALID_FIELD") -> HttpError:
    """Return the 400 error for a request the server refuses."""
    return HttpError(400, message, error_code)


@dataclass
class Api:
    """The eight operations over one store, with the token, rate limit and rules to apply.

    Attributes:
        store: The keys and users.
        access_token: The bearer token every request must carry, or None.
        limiter: The per-client rate limit, or None.
        rules: ``"service"`` applies ``SERVICE_RULES``; ``"document"`` does not.
    """

    store: Store
    access_token: str | None = None
    limiter: RateLimiter | None = None
    rules: Rules = "service"

    def answer(self, request: Request) -> Reply:
        """Return the reply to one request; never raises."""
        try:
            return self._route(request)
        except HttpError as error:
            return error.reply
        # The store's two refusals mean the same status for every operation.
        except NotFoundError as error:
            return HttpError(404, str(error)).reply
        except ConflictError as error:
            return HttpError(409, str(error), "CONFLICT").reply
        except Exception:
            logger.exception("internal error answering %s %s", request.method, request.target)
            return Reply(500, error_body(500, "internal error", "INTERNAL_ERROR"))

    def _route(self, request: Request) -> Reply:
        path = request.target.split("?", 1)[0]
        if path == "/openapi.json":
            # The document is public: no token or rate limit, like any API's docs.
            if request.method not in ("GET", "HEAD"):
                raise HttpError(405, "/openapi.json allows GET", headers={"Allow": "GET"})
            return Reply(200, openapi_document())

        token = request.bearer_token()
        if self.access_token is not None and (
            token is None or not hmac.compare_digest(token.encode(), self.access_token.encode())
        ):
            raise HttpError(
                401,
                "missing or invalid access token: send Authorization: Bearer <token>",
                "UNAUTHORIZED",
                {"WWW-Authenticate": "Bearer"},
            )
        if self.limiter is not None:
            wait = self.limiter.admit(token or request.client)
            if wait is not None:
                raise HttpError(
                    429,
                    f"rate limit of {self.limiter.per_second} requests per second exceeded",
                    "TOO_MANY_REQUESTS",
                    {"Retry-After": str(wait)},
                )

        raw_segments = path.split("/")
        shape = _shape(raw_segments)
        methods = _ROUTES.get(shape) if shape is not None else None
        if shape is None or methods is None:
            raise HttpError(404, f"no such resource: {path}")
        route = methods.get(request.method)
        if route is None:
            allowed = ", ".join(sorted(methods))
            raise HttpError(
                405,
                f"{request.method} is not allowed here; use {allowed}",
                headers={"Allow": allowed},
            )
        names = _PARAMETERS[shape]
        values = [_decode_segment(name, raw_segments[2 * i + 2]) for i, name in enumerate(names)]
        return route(self, values, request)

    def _applies(self, rule: str) -> bool:
        # Every stricter-than-the-document check asks here, by its name.
        assert rule in SERVICE_RULES
        return self.rules == "service"

    # -- the eight operations ---------------------------------------------

    def create_client_key(self, values: list[str], request: Request) -> Reply:
        """POST /org/{accountId}/keys."""
        (account_id,) = values
        body = request.json_object()
        client_name = _required_string(body, "clientName")
        default_role_id = _required_string(body, "defaultRoleId")
        created = self.store.create_key(account_id, client_name, default_role_id)
        return Reply(200, created.to_json().encode())

    def get_client_key_list(self, values: list[str], request: Request) -> Reply:
        """GET /org/{accountId}/keys."""
        return Reply(200, _json_list(self.store.list_keys(values[0])))

    def get_client_key(self, values: list[str], request: Request) -> Reply:
        """GET /org/{accountId}/key/{keyId}."""
        account_id, key_id = values
        return Reply(200, self.store.get_key(account_id, key_id).to_json().encode())

    def delete_client_key(self, values: list[str], request: Request) -> Reply:
        """DELETE /org/{accountId}/key/{keyId}."""
        account_id, key_id = values
        self.store.delete_key(account_id, key_id)
        return Reply(200, json.dumps(f"client key {key_id} deleted").encode())

    def create_user_for_account(self, values: list[str], request: Request) -> Reply:
        """POST /org/{accountId}/user."""
        (account_id,) = values
        body = request.json_object()
        self._check_account(body, account_id)
        if self._applies("invite-needs-user-id"):
            user_id = _required_string(body, "userId")
        else:
            # The document lets the server choose; an empty id could not be
            # addressed in a path, so it counts as none.
            user_id = _optional_string(body, "userId") or f"user-{uuid.uuid4().hex}"
        if self._applies("user-id-is-an-email") and (
            len(user_id) > 254 or not _EMAIL.fullmatch(user_id)
        ):
            raise bad_request("userId must be an email address")
        tags = _tags(body)
        roles = _string_list(body, "roles")
        user = self.store.invite_user(account_id, user_id, tags or {}, roles or [])
        return Reply(200, user.to_json().encode())

    def get_users_for_account(self, values: list[str], request: Request) -> Reply:
        """GET /org/{accountId}/user."""
        return Reply(200, _json_list(self.store.list_users(values[0])))

    def get_user(self, values: list[str], request: Request) -> Reply:
        """GET /org/{accountId}/user/{userId}."""
        account_id, user_id = values
        return Reply(200, self.store.get_user(account_id, user_id).to_json().encode())

    def update_user(self, values: list[str], request: Request) -> Reply:
        """PUT /org/{accountId}/user/{userId}."""
        account_id, user_id = values
        body = request.json_object()
        self._check_account(body, account_id)
        sent_user_id = _optional_string(body, "userId")
        if (
            self._applies("body-user-is-the-path-user")
            and sent_user_id is not None
            and sent_user_id != user_id
        ):
            raise bad_request("userId in the body differs from the userId in the path")
        tags = _tags(body)
        roles = _string_list(body, "roles")
        user = self.store.update_user(account_id, user_id, tags, roles)
        return Reply(200, user.to_json().encode())

    def _check_account(self, body: dict[str, object], account_id: str) -> None:
        # accountId is required by the document; only its equality is the service's rule.
        sent = _required_string(body, "accountId")
        if self._applies("body-account-is-the-path-account") and sent != account_id:
            raise bad_request("accountId in the body differs from the accountId in the path")


@dataclass(frozen=True)
class Request:
    """One request as the API half sees it.

    Attributes:
        method: ``GET``, ``POST``, ...
        target: The request target as sent (percent-encoding and query included).
        headers: The request headers.
        body: The body bytes (``b""`` when none was sent).
        client: The client's address, the rate limit's key when no token is sent.
    """

    method: str
    target: str
    headers: Message
    body: bytes
    client: str

    def bearer_token(self) -> str | None:
        """Return the bearer token sent, or None."""
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()

    def json_object(self) -> dict[str, object]:
        """Return the body as a JSON object.

        Raises:
            HttpError: 400, when the Content-Type is not JSON, the body is not
                valid JSON, or it is not an object.
        """
        content_type = self.headers.get("Content-Type", "")
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            raise bad_request(
                f"Content-Type must be application/json, not {content_type or 'missing'}",
                "UNSUPPORTED_MEDIA_TYPE",
            )
        try:
            value = json.loads(self.body, parse_constant=_refuse_constant)
        except ValueError as error:
            raise bad_request(f"the body is not valid JSON: {error}", "INVALID_JSON") from None
        if not isinstance(value, dict):
            raise bad_request("the body must be a JSON object", "INVALID_BODY")
        return value


Route = Callable[[Api, list[str], Request], Reply]

#: Routes by path shape (the literal segments, ``*`` for a parameter), then method.
_ROUTES: dict[str, dict[str, Route]] = {
    "/org/*/keys": {"GET": Api.get_client_key_list, "POST": Api.create_client_key},
    "/org/*/key/*": {"GET": Api.get_client_key, "DELETE": Api.delete_client_key},
    "/org/*/user": {"GET": Api.get_users_for_account, "POST": Api.create_user_for_account},
    "/org/*/user/*": {"GET": Api.get_user, "PUT": Api.update_user},
}

#: The path parameters of each shape, in path order.
_PARAMETERS: dict[str, tuple[str, ...]] = {
    "/org/*/keys": ("accountId",),
    "/org/*/key/*": ("accountId", "keyId"),
    "/org/*/user": ("accountId",),
    "/org/*/user/*": ("accountId", "userId"),
}


def _shape(segments: list[str]) -> str | None:
    # ["", "org", account, collection] or ["", "org", account, collection, id]
    if len(segments) not in (4, 5) or segments[0] != "" or segments[1] != "org":
        return None
    literal = segments[3]
    return "/org/*/" + literal + ("/*" if len(segments) == 5 else "")


def _decode_segment(name: str, raw: str) -> str:
    # Split first, decode second: an encoded "/", "?" or "%" is part of the value.
    # http.server hands over the request line as Latin-1; recover the bytes.
    try:
        value = unquote_to_bytes(raw.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        raise bad_request(f"{name} is not valid percent-encoded UTF-8") from None
    if not value:
        # An empty segment addresses nothing: as for any unknown path, a 404.
        raise HttpError(404, f"no such resource: {name} is empty")
    return value


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _required_string(body: dict[str, object], name: str) -> str:
    if name not in body:
        raise bad_request(f"{name} is required", "MISSING_FIELD")
    value = _optional_string(body, name)
    assert value is not None
    return value


def _optional_string(body: dict[str, object], name: str) -> str | None:
    if name not in body:
        return None
    value = body[name]
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    return value


def _string_list(body: dict[str, object], name: str) -> list[str] | None:
    if name not in body:
        return None
    value = body[name]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise bad_request(f"{name} must be a list of strings")
    return value


def _tags(body: dict[str, object]) -> dict[str, list[str]] | None:
    if "tags" not in body:
        return None
    value = body["tags"]
    if not isinstance(value, dict) or not all(
        isinstance(items, list) and all(isinstance(item, str) for item in items)
        for items in value.values()
    ):
        raise bad_request("tags must be an object whose values are lists of strings")
    return value


def _json_list(models: Sequence[BaseModel]) -> bytes:
    return (
        b"["
        + b",".join(
            model.model_dump_json(by_alias=True, exclude_none=True).encode() for model in models
        )
        + b"]"
    )
