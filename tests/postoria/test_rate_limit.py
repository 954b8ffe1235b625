"""The budget against the sandbox's real rate limit, on a clock both of them share."""

from __future__ import annotations

import threading

import pytest

from bridge.clock import ManualClock
from bridge.errors import RateLimitedError
from bridge.postoria import Budget, Outcome, PostoriaClient, RateLimiter
from bridge.sandbox import FaultRule, SandboxServer

from .helpers import MakeClient, served


def test_the_301st_request_waits_instead_of_meeting_a_429(
    make_client: MakeClient, sandbox: SandboxServer, clock: ManualClock
) -> None:
    client = make_client(budget=Budget(requests=300, per=300.0, margin=0))
    start = clock.monotonic()
    for _ in range(300):
        client.list_workspaces()
    assert clock.monotonic() == start  # 300 fit in the window without waiting
    client.list_workspaces()
    assert clock.monotonic() - start >= 300.0  # the 301st waited for the window to slide
    log = served(sandbox, "list_workspaces")
    assert len(log) == 301
    assert [e for e in log if e["status"] == 429] == []
    assert client.ledger.count("GET /workspaces", Outcome.OK) == 301


def test_a_429_burst_is_waited_out_as_retry_after_says(
    client: PostoriaClient, sandbox: SandboxServer, clock: ManualClock
) -> None:
    sandbox.faults.add(
        FaultRule(endpoint="list_queues", kind="rate_limit", retry_after=20, count=3)
    )
    start = clock.monotonic()
    assert client.list_queues(1)
    assert clock.monotonic() - start >= 60.0
    assert [e["status"] for e in served(sandbox, "list_queues")] == [429, 429, 429, 200]
    assert client.ledger.by_endpoint()["GET /workspaces/{ws}/queues"] == {
        "rate_limited": 3,
        "ok": 1,
    }


def test_someone_else_spending_the_key_tightens_our_budget(
    make_client: MakeClient, sandbox: SandboxServer, clock: ManualClock
) -> None:
    budget = Budget(requests=300, per=300.0, margin=10)
    someone_else = make_client(limiter=RateLimiter(Budget(margin=0), clock))
    for _ in range(280):
        someone_else.list_workspaces()
    ours = make_client(budget=budget)
    ours.list_workspaces()  # the server now says 19 remain; we keep 10 spare
    assert ours.limiter.remaining() == 9
    start = clock.monotonic()
    for _ in range(10):
        ours.list_workspaces()
    assert clock.monotonic() > start  # the 10th had to wait for the window
    assert [e for e in served(sandbox, "list_workspaces") if e["status"] == 429] == []


def test_a_429_from_the_sandbox_window_pauses_the_whole_key(
    make_client: MakeClient, sandbox: SandboxServer, clock: ManualClock
) -> None:
    someone_else = make_client(limiter=RateLimiter(Budget(margin=0), clock))
    for _ in range(300):
        someone_else.list_workspaces()
    client = make_client()
    start = clock.monotonic()
    assert client.list_workspaces()  # 429 with Retry-After, then allowed
    assert clock.monotonic() - start >= 299.0
    statuses = [e["status"] for e in served(sandbox, "list_workspaces")][300:]
    assert statuses == [429, 200]


def test_threads_and_clients_sharing_a_key_share_the_budget(
    sandbox: SandboxServer, clock: ManualClock
) -> None:
    # Two clients built alike share the process-wide limiter of their key. The margin covers
    # the requests in flight while a waiting thread moves the shared manual clock.
    budget = Budget(requests=300, per=300.0, margin=5)
    clients = [PostoriaClient(sandbox.api_key, sandbox.url, budget=budget, clock=clock)]
    clients.append(PostoriaClient(sandbox.api_key, sandbox.url, budget=budget, clock=clock))
    assert clients[0].limiter is clients[1].limiter

    def work(client: PostoriaClient) -> None:
        for _ in range(100):
            client.list_workspaces()

    threads = [threading.Thread(target=work, args=(clients[n % 2],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    log = served(sandbox, "list_workspaces")
    assert len(log) == 400
    assert [e for e in log if e["status"] == 429] == []
    assert clock.monotonic() >= 300.0  # the last hundred waited for the window
    for client in clients:
        client.close()


def test_a_client_told_to_stop_waiting_reports_a_spent_budget_without_sending(
    make_client: MakeClient, sandbox: SandboxServer, clock: ManualClock
) -> None:
    client = make_client(budget=Budget(requests=3, per=300.0, margin=1))
    client.list_workspaces()
    client.stop_waiting.set()
    client.list_workspaces()  # room free now is still used

    with pytest.raises(RateLimitedError) as raised:
        client.list_workspaces()

    assert raised.value.code == "wait_cancelled"
    assert raised.value.retry_after is not None and raised.value.retry_after > 299
    assert len(served(sandbox, "list_workspaces")) == 2
    assert clock.monotonic() == 0  # no wait for the window
