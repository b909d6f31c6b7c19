"""Nothing lost, nothing doubled: many creates through shared clients while the server faults.

Half the creates go through a real forwarding proxy (pproxy), so that a
connection dropped after processing reaches the client relayed as well as
directly.

``faultkit.run_soak`` does the work; ``scripts/reliability_report.py`` runs it
bigger and publishes the figures in ``docs/RELIABILITY.md``.
"""

from __future__ import annotations

import sys

import pytest
from faultkit import SOAK_FAULTS, run_soak

# pproxy 2.7.9 running on Python 3.13 relays some POST bodies on kept-alive
# connections as empty (the server then sees a create without a body): the
# same SDK on 3.13 passes through pproxy on 3.11, and the SDK on 3.11 fails
# through pproxy on 3.13. The soak runs on 3.10 to 3.12, in CI on 3.10 and 3.11.
pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 13),
    reason="pproxy 2.7.9 on Python 3.13 drops POST bodies it forwards on kept-alive connections",
)


def test_soak_loses_and_doubles_no_create_under_faults() -> None:
    result = run_soak(creates=200, threads=8, fault_rate=0.3)

    assert result.violations == []
    assert result.duplicates == 0
    assert result.done + result.failed_outcome_unknown + result.failed_not_applied == 200
    # The run must have been attacked by every kind of fault, or it proves little.
    assert set(result.faults_injected) == {fault.name for fault in SOAK_FAULTS}
    assert all(count > 0 for count in result.faults_injected.values())
    # Faults after processing leave creates that exist although the call failed.
    assert result.unknown_but_applied > 0
    assert result.done > 100
    # Half went through a real forwarding proxy, and faults after processing reached them.
    assert result.through_proxy == 100
    assert result.through_proxy_unknown > 0


def test_soak_without_faults_reports_every_create_done() -> None:
    result = run_soak(creates=40, threads=4, fault_rate=0.0)

    assert result.violations == []
    assert result.done == 40
    assert result.total_faults == 0
    assert result.requests == 40


@pytest.mark.slow
def test_large_soak_loses_and_doubles_no_create_under_faults() -> None:
    result = run_soak(creates=2000, threads=16, fault_rate=0.3, seed=11)

    assert result.violations == []
    assert result.duplicates == 0
    assert result.done + result.failed_outcome_unknown + result.failed_not_applied == 2000
