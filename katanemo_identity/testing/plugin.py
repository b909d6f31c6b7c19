"""pytest fixtures for testing code that uses the Katanemo Identity API.

Installed with the package and registered through the ``pytest11`` entry
point, so any project that has ``katanemo-identity`` installed gets:

* ``identity_server``: a fresh, started ``IdentityServer`` for each test,
  stopped after it (inject faults and read ``requests`` on it). A fault
  injected and never fired fails the test at teardown, as a ``match`` that
  matches nothing is a silent mistake; mark the test
  ``identity_allow_unfired_faults``, or set the ini option
  ``identity_fail_on_unfired_faults = false``, to allow it;
* ``identity_configuration``: a ``Configuration`` pointed at that server
  (override this fixture to change retries or timeouts);
* ``identity_api``: an ``IdentityApi`` on an ``ApiClient`` built from that
  configuration, closed after the test.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from urllib.parse import unquote

import pytest

from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.api_client import ApiClient
from katanemo_identity.configuration import Configuration
from katanemo_identity.testing.server import IdentityServer

#: The marker that lets a test leave injected faults unfired.
ALLOW_UNFIRED_MARKER = "identity_allow_unfired_faults"
#: The ini option that turns the unfired-fault check off for a whole project.
UNFIRED_INI = "identity_fail_on_unfired_faults"

_call_failed = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Declare the ini option ``identity_fail_on_unfired_faults`` (default true)."""
    parser.addini(
        UNFIRED_INI,
        "fail a test whose identity_server has injected faults that never fired",
        type="bool",
        default=True,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``identity_server`` and ``identity_allow_unfired_faults`` markers."""
    config.addinivalue_line(
        "markers", "identity_server(**arguments): IdentityServer arguments, e.g. rules='document'"
    )
    config.addinivalue_line(
        "markers",
        f"{ALLOW_UNFIRED_MARKER}: the test may leave identity_server faults unfired",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether the test body failed: its unfired faults are then not reported."""
    report = yield
    if report.when == "call":
        item.stash[_call_failed] = report.failed
    return report


@pytest.fixture
def identity_server(request: pytest.FixtureRequest) -> Iterator[IdentityServer]:
    """A fresh reference server on a free loopback port, stopped after the test.

    ``@pytest.mark.identity_server(**arguments)`` passes ``IdentityServer``
    arguments, e.g. ``rules="document"``.

    At teardown, a fault injected with ``inject`` that no request matched
    fails the test, listing the fault and the requests received (unless the
    test failed already, is marked ``identity_allow_unfired_faults``, or the
    ini option ``identity_fail_on_unfired_faults`` is false).

    Returns:
        The running server: read ``url`` and ``requests``, call ``inject``.
    """
    marker = request.node.get_closest_marker("identity_server")
    with IdentityServer(**(marker.kwargs if marker else {})) as server:
        yield server
        unfired = server.unfired_faults()
        received = server.requests
    if not unfired or request.node.stash.get(_call_failed, False):
        return
    if request.node.get_closest_marker(ALLOW_UNFIRED_MARKER) is not None:
        return
    if not request.config.getini(UNFIRED_INI):
        return
    lines = [f"identity_server: {len(unfired)} injected fault(s) never fired:"]
    lines += [f"  {fault.describe()}" for fault in unfired]
    lines.append("`match` is compared with 'METHOD /path', the path decoded. Requests received:")
    lines += [f"  {record.method} {unquote(record.path)}" for record in received[:10]] or [
        "  (none)"
    ]
    if len(received) > 10:
        lines.append(f"  ... and {len(received) - 10} more")
    lines.append(f"Mark the test @pytest.mark.{ALLOW_UNFIRED_MARKER} if that is intended.")
    pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def identity_configuration(identity_server: IdentityServer) -> Configuration:
    """A ``Configuration`` for ``identity_server``: default retries and timeouts, strict contract.

    It copies the server's ``url`` and ``access_token``, and ignores the proxy
    environment variables (the server is on loopback).

    Returns:
        The configuration; override the fixture to change it.
    """
    return Configuration(
        host=identity_server.url,
        access_token=identity_server.access_token,
        proxy_from_env=False,
        strict_contract=True,
    )


@pytest.fixture
def identity_api(identity_configuration: Configuration) -> Iterator[IdentityApi]:
    """An ``IdentityApi`` bound to ``identity_server``; its client is closed after the test.

    Returns:
        The API object whose eight operations reach the test's server.
    """
    with ApiClient(identity_configuration) as api_client:
        yield IdentityApi(api_client)
