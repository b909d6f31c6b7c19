"""A local Katanemo Identity API for tests: ``IdentityServer`` and its pytest fixtures.

``IdentityServer`` serves the eight operations over real HTTP on loopback,
with state, optional token and rate limit, injected faults and a log of the
requests received. The pytest plugin (``katanemo_identity.testing.plugin``,
registered automatically when the package is installed) provides the
``identity_server`` and ``identity_api`` fixtures. ``vcr_config`` gives vcrpy
the settings to record calls without their secrets. See ``docs/testing.md``
and ``docs/observability.md``.
"""

from katanemo_identity.testing._faults import Fault, RecordedRequest
from katanemo_identity.testing._recording import VcrConfig, vcr_config
from katanemo_identity.testing.server import IdentityServer

__all__ = ["Fault", "IdentityServer", "RecordedRequest", "VcrConfig", "vcr_config"]
