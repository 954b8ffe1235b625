from __future__ import annotations

import httpx

from bridge.sandbox import FaultRule, SandboxServer
from bridge.sandbox.ratelimit import RateLimiter

from .conftest import PLAIN, client_for, error_of


def test_the_301st_request_in_the_window_is_429(api: httpx.Client, server: SandboxServer) -> None:
    for i in range(300):
        response = api.get("/workspaces")
        assert response.status_code == 200, i
        server.clock.advance(0.5)  # 150 s for all 300
    assert response.headers["X-RateLimit-Remaining"] == "0"
    limited = api.get("/workspaces")
    assert limited.status_code == 429
    assert error_of(limited)["code"] == "rate_limited"
    assert limited.headers["Retry-After"] == "150"
    assert limited.headers["X-RateLimit-Limit"] == "300"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["X-RateLimit-Reset"] == "150"
    server.clock.advance(150)
    assert api.get("/workspaces").status_code == 200
    assert api.get("/workspaces").status_code == 429  # only one slot freed so far


def test_rejected_requests_do_not_count_and_are_logged(make_server) -> None:
    server = make_server(rate_limit=3, rate_window=60)
    with client_for(server) as api:
        statuses = [api.get("/workspaces").status_code for _ in range(6)]
        assert statuses == [200, 200, 200, 429, 429, 429]
        server.clock.advance(60)
        assert [api.get("/workspaces").status_code for _ in range(4)] == [200, 200, 200, 429]
    log = server.state.requests()
    assert [e["rate_limited"] for e in log] == [False] * 3 + [True] * 3 + [False] * 3 + [True]
    assert all(e["processed"] is (not e["rate_limited"]) for e in log)


def test_window_is_per_key(make_server) -> None:
    server = make_server(rate_limit=2)
    with client_for(server) as main, client_for(server, "pst_test_other_key") as other:
        assert [main.get("/workspaces").status_code for _ in range(3)] == [200, 200, 429]
        assert other.get("/workspaces").status_code == 200


def test_workspaces_of_a_key_share_its_budget(make_server) -> None:
    server = make_server(rate_limit=2)
    with client_for(server) as api:
        api.get("/workspaces/1/queues")
        api.get("/workspaces/2/queues")
        assert api.get("/workspaces/3/queues").status_code == 429


def test_injected_429_burst_does_not_use_the_budget(make_server) -> None:
    server = make_server(rate_limit=2)
    server.faults.add(FaultRule(kind="rate_limit", count=2, retry_after=7))
    with client_for(server) as api:
        first = api.get("/workspaces")
        assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
        assert api.get("/workspaces").status_code == 429
        assert [api.get("/workspaces").status_code for _ in range(3)] == [200, 200, 429]


def test_unauthenticated_requests_are_not_counted(make_server) -> None:
    server = make_server(rate_limit=1)
    for _ in range(3):
        assert PLAIN.get(server.url + "/workspaces").status_code == 401
    with client_for(server) as api:
        assert api.get("/workspaces").status_code == 200


def test_limiter_window_slides() -> None:
    limiter = RateLimiter(limit=2, window=10)
    assert limiter.acquire(1, 0.0).allowed
    assert limiter.acquire(1, 4.0).allowed
    blocked = limiter.acquire(1, 5.0)
    assert (blocked.allowed, blocked.reset, blocked.remaining) == (False, 5, 0)
    assert limiter.acquire(1, 10.0).allowed  # the request at 0 left the window
    assert not limiter.acquire(1, 13.9).allowed
    assert limiter.status(1, 14.0).remaining == 1
