"""pytest fixtures for testing code that uses the Katanemo Identity API.

Installed with the package and registered through the ``pytest11`` entry
point, so any project that has ``katanemo-identity`` installed gets:

* ``identity_server``: a fresh, started ``IdentityServer`` for each test,
  stopped after it (inject faults and read ``requests`` on it);
* ``identity_configuration``: a ``Configuration`` pointed at that server
  (override this fixture to change retries or timeouts);
* ``identity_api``: an ``IdentityApi`` on an ``ApiClient`` built from that
  configuration, closed after the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.api_client import ApiClient
from katanemo_identity.configuration import Configuration
from katanemo_identity.testing.server import IdentityServer


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``identity_server`` marker."""
    config.addinivalue_line(
        "markers", "identity_server(**arguments): IdentityServer arguments, e.g. rules='document'"
    )


@pytest.fixture
def identity_server(request: pytest.FixtureRequest) -> Iterator[IdentityServer]:
    """A fresh reference server on a free loopback port, stopped after the test.

    ``@pytest.mark.identity_server(**arguments)`` passes ``IdentityServer``
    arguments, e.g. ``rules="document"``.

    Returns:
        The running server: read ``url`` and ``requests``, call ``inject``.
    """
    marker = request.node.get_closest_marker("identity_server")
    with IdentityServer(**(marker.kwargs if marker else {})) as server:
        yield server


@pytest.fixture
def identity_configuration(identity_server: IdentityServer) -> Configuration:
    """A ``Configuration`` for ``identity_server``: default retries and timeouts, strict contract.

    Returns:
        The configuration; override the fixture to change it.
    """
    return Configuration(
        host=identity_server.url, access_token=identity_server.access_token, strict_contract=True
    )


@pytest.fixture
def identity_api(identity_configuration: Configuration) -> Iterator[IdentityApi]:
    """An ``IdentityApi`` bound to ``identity_server``; its client is closed after the test.

    Returns:
        The API object whose eight operations reach the test's server.
    """
    with ApiClient(identity_configuration) as api_client:
        yield IdentityApi(api_client)
