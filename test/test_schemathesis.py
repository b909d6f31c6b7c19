"""The reference server against the package's OpenAPI document, with schemathesis.

Every operation gets generated valid and invalid requests (positive and
negative generation); every answer must not be a 5xx and must match the
document: a documented status, the documented content type, and a body that
validates against the status's schema. With ``rules="document"`` the server
must also pass every other check schemathesis has (valid data accepted,
invalid data rejected, unsupported methods, auth, resources available after
their create and gone after their delete), request by request and in stateful
runs that follow the document's links. Generation is derandomized, so a run
is the same on every machine.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from katanemo_identity.testing import IdentityServer

DOCUMENT = json.loads(files("katanemo_identity").joinpath("openapi.json").read_text("utf-8"))

schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=30
)
schema.config.seed = 20240601

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_server_answers_every_generated_request_as_documented(
    case: schemathesis.Case, identity_server: IdentityServer
) -> None:
    make_user_request_acceptable(case, identity_server)
    case.call_and_validate(base_url=identity_server.url, checks=CHECKS)


@pytest.mark.identity_server(rules="document")
@schema.parametrize()
@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_server_following_the_document_passes_every_check(
    case: schemathesis.Case, identity_server: IdentityServer
) -> None:
    case.call_and_validate(base_url=identity_server.url)


def make_user_request_acceptable(case: schemathesis.Case, server: IdentityServer) -> None:
    """Let valid user requests succeed, so their 200 answers are checked too.

    A random ``UserRequest`` is valid by the document, yet the server rightly
    refuses one whose ``accountId`` differs from the path or whose ``userId``
    is not an email; untouched, positive generation would only ever see 400.
    """
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return
    body = case.body
    if not isinstance(body, dict) or "accountId" not in body:
        return
    account_id = case.path_parameters["accountId"] if case.path_parameters else ""
    body["accountId"] = account_id
    if case.method == "POST":
        body["userId"] = f"user{len(server.requests)}@example.com"
    else:
        body.pop("userId", None)


# -- stateful: the document's links, followed with every check ------------------------

STATEFUL_SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
STATEFUL_SCHEMA.config.seed = 20240601

#: Every check schemathesis has, by name; the stateful run must apply them all.
ALL_CHECKS = frozenset(schemathesis.checks.CHECKS.get_all_names())


def test_the_document_links_new_keys_and_users_to_the_operations_that_take_their_ids() -> None:
    links = {
        operation: {
            name: (link["operationId"], link["parameters"])
            for name, link in DOCUMENT["paths"][path]["post"]["responses"]["200"]["links"].items()
        }
        for operation, path in (("key", "/org/{accountId}/keys"), ("user", "/org/{accountId}/user"))
    }
    from_key = {"accountId": "$request.path.accountId", "keyId": "$response.body#/clientId"}
    from_user = {"accountId": "$request.path.accountId", "userId": "$response.body#/userId"}
    assert links == {
        "key": {
            "GetClientKeyByClientId": ("getClientKey", from_key),
            "DeleteClientKeyByClientId": ("deleteClientKey", from_key),
        },
        "user": {
            "GetUserByUserId": ("getUser", from_user),
            "UpdateUserByUserId": ("updateUser", from_user),
        },
    }


def test_stateful_runs_follow_every_link_and_pass_every_check() -> None:
    # The document's letter: positive_data_acceptance holds every schema-valid
    # request to a 2xx (or 401/403/404/409/429), which the service's own
    # stricter rules would break by design (docs/testing.md tables them).
    applied: set[str] = set()
    reached: set[tuple[str, str]] = set()

    def record(context: object, case: object, response: object, results: list[Any]) -> None:
        applied.update(result.name for result in results)

    with IdentityServer(rules="document") as server:

        class Machine(STATEFUL_SCHEMA.as_state_machine()):  # type: ignore[misc]
            def setup(self) -> None:
                # Each scenario starts from an empty server; note what the last one reached.
                reached.update((each.method, each.path.split("/")[3]) for each in server.requests)
                server.reset()

            def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
                return {"base_url": server.url}

        STATEFUL_SCHEMA.hooks.register_hook_with_name(record, "after_validate")
        try:
            run_state_machine_as_test(
                Machine,
                settings=settings(
                    max_examples=40,
                    stateful_step_count=6,
                    derandomize=True,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                ),
            )
        finally:
            STATEFUL_SCHEMA.hooks.unregister(record)
        reached.update((each.method, each.path.split("/")[3]) for each in server.requests)

    assert applied == ALL_CHECKS
    # The links are what get a key's and a user's id to the operations that take it.
    assert {("GET", "key"), ("DELETE", "key"), ("PUT", "user"), ("GET", "user")} <= reached
