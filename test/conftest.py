"""Shared fixtures: a client factory pointed at a loopback server, a clean environment."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from katanemo_identity import ApiClient, Configuration, IdentityApi
from katanemo_identity._resolver import THREAD_NAME as RESOLVER_THREAD
from katanemo_identity.configuration import HOST_ENV, TOKEN_ENV

#: A user as the API returns it; ``token`` is a secret.
USER = {
    "accountId": "acme",
    "serviceId": "svc-1",
    "userId": "ann@example.com",
    "isAdmin": False,
    "isActive": True,
    "token": "user-token-s3cr3t",
    "tags": {"team": ["blue"]},
    "roles": ["admin"],
}

#: A client key as listed and fetched.
KEY = {
    "accountId": "acme",
    "roles": ["reader"],
    "clientName": "ci",
    "clientKeyId": "key-1",
    "serviceId": "svc-1",
    "isActive": True,
}

#: A newly created key's credentials; ``clientSecret`` is a secret.
KEY_CREDENTIALS = {"clientId": "client-1", "clientSecret": "client-secret-s3cr3t"}

#: For tests that call ``os.fork()``: skipped where it does not exist (Windows).
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork() does not exist here")

#: For tests that stop another process with a POSIX signal (SIGINT, SIGTERM,
#: SIGKILL) or start a POSIX shell: skipped where those do not exist (Windows).
needs_posix_signals = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL"), reason="POSIX signals do not exist here"
)

#: Builds an ``IdentityApi`` for a server URL; extra keywords go to ``Configuration``.
ApiFactory = Callable[..., IdentityApi]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run every test without the SDK's environment variables or shared defaults."""
    monkeypatch.delenv(HOST_ENV, raising=False)
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    Configuration.set_default(None)
    ApiClient.set_default(None)
    yield
    Configuration.set_default(None)
    ApiClient.set_default(None)


WATCHDOG_THREAD = "katanemo-identity-deadlines"

#: Threads that live past a test by design: the watchdog, and the few name
#: look-up threads, which are reused and end after a while idle.
LASTING_THREADS = (WATCHDOG_THREAD, RESOLVER_THREAD)


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail a test that leaves threads running after it ends.

    The one thread that enforces whole-call limits lives as long as the
    process, and the name look-up threads are kept for reuse, by design:
    neither is a leak.
    """
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        leaked = [
            thread
            for thread in threading.enumerate()
            if thread not in before and thread.name not in LASTING_THREADS
        ]
        if not leaked:
            return
        time.sleep(0.02)
    pytest.fail(f"threads left running: {leaked}")


@pytest.fixture
def make_api() -> Iterator[ApiFactory]:
    """Return a factory of ``IdentityApi`` objects whose clients are closed after the test.

    Backoff is zero so retries cost no time; pass ``retry_backoff_factor`` to change it.
    """
    clients: list[ApiClient] = []

    def factory(host: str, **settings: object) -> IdentityApi:
        settings.setdefault("retry_backoff_factor", 0.0)
        client = ApiClient(Configuration(host=host, **settings))  # type: ignore[arg-type]
        clients.append(client)
        return IdentityApi(client)

    yield factory
    for client in clients:
        client.close()
