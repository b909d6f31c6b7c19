"""What the caller controls, drawn at random: every argument and per-call option, wrong.

Shared by ``test/test_caller_input.py`` (small, derandomized, on every run)
and ``scripts/reliability_report.py`` (large). Each example calls one
operation, in one of its three forms, with exactly one argument or per-call
option of a wrong type or value, and the call must:

* raise ``ApiTypeError`` or ``ApiValueError``, nothing else;
* send nothing (the server behind the client answers every request with a
  success, so a request that slipped through would be seen);
* quote no refused value that may be a credential: every string drawn
  carries ``CREDENTIAL``, and it must appear in no message, ``repr`` or
  exception chain.

``run_caller_input(examples)`` runs the property and counts, per argument,
how often each exception was raised.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from conftest import KEY, KEY_CREDENTIALS, USER
from hostilekit import exception_texts
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from servers import Reply, ScriptedServer

from katanemo_identity import (
    ApiClient,
    ApiTypeError,
    ApiValueError,
    ClientKeyRequest,
    Configuration,
    IdentityApi,
    UserRequest,
)

#: Part of every string the caller passes: none may be quoted back.
CREDENTIAL = "caller-cr3dential-s3cr3t"

_USER_REQUEST = UserRequest(account_id="acme", user_id="ann@example.com")
_KEY_REQUEST = ClientKeyRequest(default_role_id="reader", client_name="ci")


@dataclass(frozen=True)
class Operation:
    """One operation's name and its valid positional arguments, by parameter name."""

    name: str
    arguments: tuple[tuple[str, object], ...]
    document: object


OPERATIONS = (
    Operation(
        "create_client_key",
        (("account_id", "acme"), ("client_key_request", _KEY_REQUEST)),
        KEY_CREDENTIALS,
    ),
    Operation(
        "create_user_for_account",
        (("account_id", "acme"), ("user_request", _USER_REQUEST)),
        USER,
    ),
    Operation("delete_client_key", (("account_id", "acme"), ("key_id", "key-1")), "deleted"),
    Operation("get_client_key", (("account_id", "acme"), ("key_id", "key-1")), KEY),
    Operation("get_client_key_list", (("account_id", "acme"),), [KEY]),
    Operation("get_user", (("account_id", "acme"), ("user_id", "ann@example.com")), USER),
    Operation("get_users_for_account", (("account_id", "acme"),), [USER]),
    Operation(
        "update_user",
        (("user_id", "ann@example.com"), ("account_id", "acme"), ("user_request", _USER_REQUEST)),
        USER,
    ),
)

FORMS = ("", "_with_http_info", "_without_preload_content")


class _Opaque:
    """An object of no type the SDK knows, whose text is a credential."""

    def __repr__(self) -> str:
        return CREDENTIAL

    __str__ = __repr__


#: Values of no use anywhere: every argument and option must refuse them.
_ANYTHING_WRONG = st.sampled_from(
    [
        None,
        -1,
        math.nan,
        True,
        b"bytes-" + CREDENTIAL.encode(),
        [CREDENTIAL],
        (CREDENTIAL,),
        {CREDENTIAL},
        _Opaque(),
    ]
)

#: Wrong path values: not strings, or strings that cannot be one path segment.
PATH_VALUES = st.one_of(
    _ANYTHING_WRONG,
    st.sampled_from(
        [5, 1.5, {CREDENTIAL: CREDENTIAL}, "", CREDENTIAL + "\ud800", CREDENTIAL * 200]
    ),
)


def _bodies(argument: str) -> st.SearchStrategy[object]:
    other = _KEY_REQUEST if argument == "user_request" else _USER_REQUEST
    model = UserRequest if argument == "user_request" else ClientKeyRequest
    return st.one_of(
        _ANYTHING_WRONG,
        st.sampled_from(
            [
                5,
                {CREDENTIAL: CREDENTIAL},
                other,  # the other operation's body
                {"accountId": CREDENTIAL, "defaultRoleId": "r", "clientName": "n"},
                '{"accountId": "' + CREDENTIAL + '"}',
                # Built without validation, holding what JSON cannot carry. (One
                # merely missing a field is sent as built: that is how a body
                # the API must refuse is sent on purpose.)
                model.model_construct(account_id=_Opaque(), client_name=_Opaque()),
                model.model_construct(default_role_id=[_Opaque()], roles=[_Opaque()]),
            ]
        ),
    )


#: Per-call options with a wrong value, as keyword arguments.
_WRONG_TIMEOUTS = [0, -1.0, math.inf, CREDENTIAL, {CREDENTIAL: CREDENTIAL}, (1.0,), (1.0, 2.0, 3.0)]
_WRONG_TIMEOUTS += [(1.0, CREDENTIAL), (None, 1.0), (0, 1), (1, math.nan), [1.0, 2.0], 10**400]

OPTIONS: st.SearchStrategy[dict[str, object]] = st.one_of(
    _ANYTHING_WRONG.map(lambda value: {"_request_timeout": value}),
    st.sampled_from(_WRONG_TIMEOUTS).map(lambda value: {"_request_timeout": value}),
    _ANYTHING_WRONG.map(lambda value: {"_total_timeout": value}),
    st.sampled_from([0, -1.0, math.inf, CREDENTIAL, (1.0, 2.0), 10**400]).map(
        lambda value: {"_total_timeout": value}
    ),
    _ANYTHING_WRONG.filter(lambda value: value is not None).map(lambda value: {"_headers": value}),
    st.sampled_from(
        [
            [("X-Trace", CREDENTIAL)],
            "X-Trace: " + CREDENTIAL,
            {"X-Trace": 5},
            {"X-Trace": CREDENTIAL.encode()},
            {5: CREDENTIAL},
            {"X-Trace": CREDENTIAL + "\r\nX-Injected: 1"},
            {"X-Trace": CREDENTIAL + "\x00"},
            {"X-Trace": CREDENTIAL + "\u20ac"},
            {"": CREDENTIAL},
            {"Authorization: Bearer " + CREDENTIAL: "x"},
            {"X-" + CREDENTIAL + "\n": "x"},
        ]
    ).map(lambda value: {"_headers": value}),
    _ANYTHING_WRONG.map(lambda value: {"_retries": value}),
    st.sampled_from([-5, 2.0, CREDENTIAL, "2", {CREDENTIAL: 1}]).map(
        lambda value: {"_retries": value}
    ),
    st.sampled_from(
        [
            {"_timeout": 5},
            {"_preload_content": False},
            {"_request_auth": {"token": CREDENTIAL}},
            {"_host_index": 0},
            {"timeout": 5},
        ]
    ),
)


@dataclass(frozen=True)
class Example:
    """One call with one wrong argument or option."""

    operation: Operation
    form: str
    arguments: tuple[object, ...]
    options: dict[str, object]
    wrong: str

    def run(self, api: IdentityApi) -> object:
        """Make the call."""
        method: Callable[..., object] = getattr(api, self.operation.name + self.form)
        return method(*self.arguments, **self.options)


def _examples(operation: Operation) -> st.SearchStrategy[Example]:
    valid = tuple(value for _, value in operation.arguments)

    def with_argument(index: int, value: object, form: str) -> Example:
        arguments = (*valid[:index], value, *valid[index + 1 :])
        return Example(operation, form, arguments, {}, operation.arguments[index][0])

    def argument(index: int) -> st.SearchStrategy[Example]:
        name = operation.arguments[index][0]
        values = _bodies(name) if name.endswith("_request") else PATH_VALUES
        return st.builds(with_argument, st.just(index), values, st.sampled_from(FORMS))

    options = st.builds(
        lambda chosen, form: Example(operation, form, valid, chosen, next(iter(chosen))),
        OPTIONS,
        st.sampled_from(FORMS),
    )
    return st.one_of(*(argument(index) for index in range(len(valid))), options)


EXAMPLES_STRATEGY = st.sampled_from(OPERATIONS).flatmap(_examples)


def problems(example: Example, raised: BaseException | None, requests: int) -> list[str]:
    """Every promise a refused call broke; empty when it kept them all."""
    found: list[str] = []
    if not isinstance(raised, (ApiTypeError, ApiValueError)):
        got = "nothing" if raised is None else f"{type(raised).__name__}: {raised!r}"
        found.append(f"{example.wrong} not refused with ApiTypeError/ApiValueError ({got})")
    if requests:
        found.append(f"{requests} request(s) sent")
    if raised is not None and any(CREDENTIAL in text for text in exception_texts(raised)):
        found.append(f"the refused {example.wrong} is quoted: {raised}")
    return found


def run_caller_input(examples: int) -> Counter[str]:
    """Call every operation with one wrong argument or option, ``examples`` times.

    Raises:
        AssertionError: a call was not refused, sent a request, or quoted a credential.
    """
    counts: Counter[str] = Counter()
    with ScriptedServer(default=Reply.json(200, [KEY])) as server:
        client = ApiClient(Configuration(host=server.url, access_token="t0ken", retries=0))
        api = IdentityApi(client)

        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            # No shrinking: each example costs a real exchange, and the
            # failure message names the example and every promise it broke.
            phases=(Phase.explicit, Phase.reuse, Phase.generate),
        )
        @given(EXAMPLES_STRATEGY)
        def every_wrong_input_is_refused(example: Example) -> None:
            before = len(server.requests)
            raised: BaseException | None = None
            try:
                response = example.run(api)
            except BaseException as error:  # the property is what escapes
                raised = error
            else:
                release = getattr(response, "release_conn", None)
                if release is not None:
                    release()
            broken = problems(example, raised, len(server.requests) - before)
            assert not broken, f"{example.operation.name}{example.form}: " + "; ".join(broken)
            counts[f"{example.wrong}: {type(raised).__name__}"] += 1

        try:
            every_wrong_input_is_refused()
        finally:
            client.close()
    return counts


__all__ = ["CREDENTIAL", "OPERATIONS", "Example", "run_caller_input"]
