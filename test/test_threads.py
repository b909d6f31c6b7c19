"""One client shared by many threads: every result right, connections reused."""

from __future__ import annotations

import threading

from conftest import USER, ApiFactory
from servers import RecordedRequest, Reply, ScriptedServer

THREADS = 16
CALLS = 50


def echo_user(request: RecordedRequest) -> Reply:
    user_id = request.path.rsplit("/", 1)[1]
    return Reply.json(200, dict(USER, userId=user_id))


def test_one_client_serves_many_threads_correctly_over_few_connections(
    make_api: ApiFactory,
) -> None:
    results: dict[int, list[str | None]] = {}
    errors: list[BaseException] = []
    with ScriptedServer(responder=echo_user) as server:
        api = make_api(server.url, connection_pool_maxsize=THREADS)
        start = threading.Barrier(THREADS)

        def work(worker: int) -> None:
            try:
                start.wait(timeout=10)
                results[worker] = [
                    api.get_user("acme", f"user-{worker}-{call}").user_id for call in range(CALLS)
                ]
            except BaseException as error:
                errors.append(error)

        workers = [threading.Thread(target=work, args=(worker,)) for worker in range(THREADS)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=60)
    assert errors == []
    assert all(not thread.is_alive() for thread in workers)
    for worker in range(THREADS):
        assert results[worker] == [f"user-{worker}-{call}" for call in range(CALLS)]
    assert len(server.requests) == THREADS * CALLS
    assert server.connections <= 2 * THREADS
    assert server.connections * 10 < len(server.requests)
