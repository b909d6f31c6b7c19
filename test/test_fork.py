"""After os.fork(), parent and child never share a connection, so never each other's answers."""

from __future__ import annotations

import os
from collections.abc import Callable

import forkkit
import pytest
from conftest import needs_fork
from servers import ScriptedServer

from katanemo_identity import ApiClient, Configuration, IdentityApi

pytestmark = needs_fork

FORKS = 50


def in_child(action: Callable[[], str]) -> str:
    """Run ``action`` in a forked child and return what it returned there."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.write(writer, action().encode())
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        said = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return said


def test_parent_and_children_of_os_fork_each_get_their_own_answers() -> None:
    result = forkkit.run_os_fork(FORKS)
    assert result.hung == 0
    assert result.children.calls == FORKS * forkkit.CALLS_PER_SIDE
    assert result.children.wrong == 0
    assert result.children.errors == []
    assert result.parent.calls == (FORKS + 1) * forkkit.CALLS_PER_SIDE
    assert result.parent.wrong == 0
    assert result.parent.errors == []


def test_a_fork_start_multiprocessing_pool_and_its_parent_get_their_own_answers() -> None:
    result = forkkit.run_multiprocessing_pool(FORKS)
    assert result.children.calls == FORKS * forkkit.CALLS_PER_SIDE
    assert result.children.wrong == 0
    assert result.children.errors == []
    assert result.parent.calls >= forkkit.CALLS_PER_SIDE
    assert result.parent.wrong == 0
    assert result.parent.errors == []


def test_a_forked_child_opens_its_own_connections_and_the_parent_keeps_its_own() -> None:
    with ScriptedServer(responder=forkkit.echo_user) as server:
        client = ApiClient(Configuration(host=server.url, retries=0))
        api = IdentityApi(client)
        api.get_user("acme", "before-fork")
        assert server.connections == 1
        assert in_child(lambda: api.get_user("acme", "in-child").user_id or "") == "in-child"
        assert server.connections == 2  # the child's own
        assert api.get_user("acme", "after-fork").user_id == "after-fork"
        assert server.connections == 2  # the parent reused the one it had
        client.close()


def test_the_default_client_is_renewed_in_a_forked_child() -> None:
    with ScriptedServer(responder=forkkit.echo_user) as server:
        Configuration.set_default(Configuration(host=server.url, retries=0))
        api = IdentityApi()  # ApiClient.get_default()
        api.get_user("acme", "before-fork")
        pool_before = ApiClient.get_default().rest_client.pool_manager

        def in_the_child() -> str:
            renewed = ApiClient.get_default().rest_client.pool_manager is not pool_before
            return f"{renewed} {api.get_user('acme', 'in-child').user_id}"

        assert in_child(in_the_child) == "True in-child"
        assert ApiClient.get_default().rest_client.pool_manager is pool_before
        ApiClient.get_default().close()


@pytest.mark.slow
def test_many_forks_stay_apart() -> None:
    result = forkkit.run_os_fork(500)
    assert (result.hung, result.children.wrong, result.parent.wrong) == (0, 0, 0)
