"""The reference server against the package's OpenAPI document, with schemathesis.

Every operation gets generated valid and invalid requests (positive and
negative generation); every answer must not be a 5xx and must match the
document: a documented status, the documented content type, and a body that
validates against the status's schema. Generation is derandomized, so a run
is the same on every machine.
"""

from __future__ import annotations

import json
from importlib.resources import files

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
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
