"""Fault rules: what ``match`` is compared with, and which rules are left unfired."""

from __future__ import annotations

import pytest

from katanemo_identity.testing._faults import Fault, FaultRules


@pytest.mark.parametrize(
    ("match", "fires"),
    [
        ("GET /org/acme/user/ada@example.com", True),  # as written in code
        ("GET /org/acme/user/ada%40example.com", True),  # as sent
        ("GET /org/acme/user/", True),
        ("GET /org/acme/user/bob", False),
        ("POST /org/acme/user/ada@example.com", False),
        (None, True),
    ],
)
def test_match_is_a_prefix_of_the_decoded_or_the_raw_target(match: str | None, fires: bool) -> None:
    assert (
        Fault(status=503, match=match).matches("GET", "/org/acme/user/ada%40example.com") is fires
    )


def test_a_slash_encoded_in_a_segment_matches_in_its_decoded_form() -> None:
    fault = Fault(status=503, match="GET /org/a/b/keys")
    assert fault.matches("GET", "/org/a%2Fb/keys")


def test_unfired_lists_the_rules_no_request_took() -> None:
    rules = FaultRules()
    taken = rules.add(Fault(status=503, match="GET /org/acme/keys"))
    missed = rules.add(Fault(status=500, match="GET /org/acme/users"))
    assert rules.take("GET", "/org/acme/keys") is taken
    assert rules.take("GET", "/org/acme/user") is None
    assert rules.unfired() == [missed]


def test_describe_names_what_a_rule_does_and_where() -> None:
    fault = Fault(status=429, retry_after=2, match="POST /org/acme/keys", times=None)
    assert fault.describe() == (
        "Fault(status=429, retry_after=2, match='POST /org/acme/keys', times=None, hits=0)"
    )
    assert Fault(drop_connection=True, processed=True).describe() == (
        "Fault(drop_connection=True, processed=True, every request, times=1, hits=0)"
    )
