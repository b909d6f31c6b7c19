"""Error statuses and unusable bodies become the documented exception, with the evidence."""

from __future__ import annotations

import pytest
from conftest import USER, ApiFactory
from servers import Reply, ScriptedServer

import katanemo_identity
from katanemo_identity import (
    ApiConnectionError,
    ApiDecodeError,
    ApiException,
    ApiResponseTooLargeError,
    ApiTimeoutError,
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
    models,
    rest,
)

DOCUMENTED = [
    (400, BadRequestException, models.BadRequestException),
    (401, UnauthorizedException, models.UnauthorizedException),
    (409, ConflictException, models.ConflictException),
    (429, TooManyRequestsException, models.TooManyRequestsException),
    (500, InternalServerErrorException, models.InternalServerErrorException),
]

DEFAULT = [
    (403, ForbiddenException),
    (404, NotFoundException),
    (418, ApiException),
    (422, UnprocessableEntityException),
    (502, ServiceException),
    (503, ServiceException),
]


@pytest.mark.parametrize(("status", "exception", "model"), DOCUMENTED)
def test_a_documented_status_raises_its_exception_with_the_parsed_body(
    make_api: ApiFactory, status: int, exception: type[ApiException], model: type[object]
) -> None:
    document = {"message": "account acme is not happy", "errorCode": "E42"}
    reply = Reply.json(status, document, headers=[("X-Request-Id", "req-9")])
    with (
        ScriptedServer(reply) as server,
        pytest.raises(exception) as caught,
    ):
        make_api(server.url, retries=0).get_user("acme", "ann")
    error = caught.value
    assert type(error) is exception
    assert error.status == status
    assert error.reason
    assert error.body == reply.body.decode()
    assert isinstance(error.data, model)
    assert error.data.message == "account acme is not happy"  # type: ignore[attr-defined]
    assert error.headers["x-request-id"] == "req-9"
    text = str(error)
    assert text.startswith(f"({status}) ")
    assert "account acme is not happy" in text
    assert "[E42]" in text


@pytest.mark.parametrize(("status", "exception"), DEFAULT)
def test_an_undocumented_status_raises_by_status_with_an_error_body(
    make_api: ApiFactory, status: int, exception: type[ApiException]
) -> None:
    with (
        ScriptedServer(Reply.json(status, {"code": 7, "message": "no"})) as server,
        pytest.raises(exception) as caught,
    ):
        make_api(server.url, retries=0).get_client_key("acme", "key-1")
    error = caught.value
    assert type(error) is exception
    assert error.status == status
    assert isinstance(error.data, models.Error)
    assert (error.data.code, error.data.message) == (7, "no")
    assert f"({status})" in str(error)
    assert "[7]" in str(error)


def test_an_error_body_that_is_not_json_leaves_data_none_and_keeps_the_text(
    make_api: ApiFactory,
) -> None:
    page = "<html><body><h1>503 Service Unavailable</h1></body></html>"
    with (
        ScriptedServer(Reply.text(503, page, "text/html")) as server,
        pytest.raises(ServiceException) as caught,
    ):
        make_api(server.url, retries=0).get_user("acme", "ann")
    assert caught.value.data is None
    assert caught.value.body == page
    assert page in str(caught.value)


def test_an_error_body_of_the_wrong_shape_leaves_data_none(make_api: ApiFactory) -> None:
    with (
        ScriptedServer(Reply.json(404, {"code": "not a number"})) as server,
        pytest.raises(NotFoundException) as caught,
    ):
        make_api(server.url).get_user("acme", "ann")
    assert caught.value.data is None
    assert caught.value.body == '{"code": "not a number"}'


def test_an_empty_error_body_is_an_empty_string(make_api: ApiFactory) -> None:
    with (
        ScriptedServer(Reply(401)) as server,
        pytest.raises(UnauthorizedException) as caught,
    ):
        make_api(server.url).get_user("acme", "ann")
    assert caught.value.body == ""
    assert caught.value.data is None
    assert "access token" in str(caught.value)


@pytest.mark.parametrize(
    "reply",
    [
        Reply.text(200, "<html>maintenance</html>", "text/html"),
        Reply.json(200, {"unexpected": "object"}),
        Reply.json(200, [{"accountId": 5}]),
        Reply(200),
        Reply.text(200, '{"accountId": "acme"', "application/json"),
    ],
    ids=["html", "wrong-shape", "wrong-type", "empty", "truncated-json"],
)
def test_a_success_body_that_does_not_decode_raises_api_decode_error(
    make_api: ApiFactory, reply: Reply
) -> None:
    with (
        ScriptedServer(reply) as server,
        pytest.raises(ApiDecodeError) as caught,
    ):
        make_api(server.url).get_users_for_account("acme")
    error = caught.value
    assert isinstance(error, ApiException)
    assert error.status == 200
    assert error.body == reply.body.decode()
    assert "get_users_for_account() expected" in str(error)


def test_a_decode_error_never_quotes_a_secret(make_api: ApiFactory) -> None:
    bad = {"accountId": "acme", "token": "user-token-s3cr3t", "isAdmin": "maybe"}
    with (
        ScriptedServer(Reply.json(200, bad)) as server,
        pytest.raises(ApiDecodeError) as caught,
    ):
        make_api(server.url).get_user("acme", "ann")
    assert "isAdmin" in str(caught.value)
    assert "user-token-s3cr3t" not in str(caught.value)
    assert "user-token-s3cr3t" in (caught.value.body or "")


def test_a_secret_in_an_error_body_is_masked_in_str(make_api: ApiFactory) -> None:
    leaky = {"message": "bad", "clientSecret": "client-secret-s3cr3t"}
    with (
        ScriptedServer(Reply.json(400, leaky)) as server,
        pytest.raises(BadRequestException) as caught,
    ):
        make_api(server.url).get_user("acme", "ann")
    assert "client-secret-s3cr3t" not in str(caught.value)
    assert "client-secret-s3cr3t" in (caught.value.body or "")


def test_a_body_over_max_response_size_with_content_length_is_refused(make_api: ApiFactory) -> None:
    users = [USER] * 50
    with (
        ScriptedServer(Reply.json(200, users)) as server,
        pytest.raises(ApiResponseTooLargeError) as caught,
    ):
        make_api(server.url, max_response_size=1000).get_users_for_account("acme")
    assert caught.value.limit == 1000
    assert caught.value.status == 200
    assert "1000 bytes" in str(caught.value)


def test_a_chunked_body_over_max_response_size_is_refused(make_api: ApiFactory) -> None:
    piece = b"[" + b" " * 4000
    chunked = b"%x\r\n%s\r\n" % (len(piece), piece) * 3 + b"0\r\n\r\n"
    reply = Reply(200, [("Transfer-Encoding", "chunked")], chunked)
    with (
        ScriptedServer(reply) as server,
        pytest.raises(ApiResponseTooLargeError),
    ):
        make_api(server.url, max_response_size=10_000).get_users_for_account("acme")


def test_a_body_just_within_max_response_size_is_read(make_api: ApiFactory) -> None:
    reply = Reply.json(200, [USER])
    with ScriptedServer(reply) as server:
        users = make_api(server.url, max_response_size=len(reply.body)).get_users_for_account(
            "acme"
        )
    assert len(users) == 1


def test_retry_after_is_read_from_a_429() -> None:
    error = TooManyRequestsException(429, "Too Many Requests", "", None, {"Retry-After": "12"})
    assert error.retry_after == 12.0
    assert "retry after 12 seconds" in str(error)
    assert TooManyRequestsException(429, "Too Many Requests").retry_after is None


def test_the_hierarchy_is_as_documented() -> None:
    assert issubclass(ApiTimeoutError, ApiConnectionError)
    assert issubclass(ApiConnectionError, OpenApiException)
    assert issubclass(InternalServerErrorException, ServiceException)
    assert issubclass(ServiceException, ApiException)
    assert issubclass(ApiDecodeError, ApiException)
    assert issubclass(ApiResponseTooLargeError, ApiException)
    assert issubclass(katanemo_identity.ApiValueError, ValueError)
    assert issubclass(katanemo_identity.ApiTypeError, TypeError)
    assert ServiceException(503).outcome_unknown is True
    assert NotFoundException(404).outcome_unknown is False


def test_top_level_names_are_the_exceptions_and_models_keep_the_bodies() -> None:
    assert katanemo_identity.BadRequestException is BadRequestException
    assert issubclass(katanemo_identity.ConflictException, Exception)
    assert not issubclass(models.ConflictException, Exception)
    assert rest.ApiException is ApiException


def test_str_of_an_exception_built_by_hand_is_one_readable_headline() -> None:
    error = ApiException(599, "Odd", None, None, None)
    assert str(error).splitlines()[0] == "(599) Odd"
    assert error.headers == {}
