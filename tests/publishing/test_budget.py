"""The budget: what is left, per publication costs, and headroom kept for creates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bridge.engine import budget
from bridge.engine.publisher import Publisher
from bridge.postoria import Budget, PostoriaClient, Priority, RateLimiter
from bridge.sandbox import FaultRule
from bridge.store import PublicationState as S

from .conftest import FAST_RETRY
from .helpers import World


@pytest.fixture
def tight(world: World) -> Iterator[World]:
    """The world with a key allowed only 40 requests per 5 minutes."""
    small = Budget(requests=40, per=300.0, margin=0)
    client = PostoriaClient(
        world.server.api_key,
        world.server.url,
        clock=world.clock,
        budget=small,
        limiter=RateLimiter(small, world.clock),
        retry=FAST_RETRY,
    )
    world.publisher.close()
    world.client = client
    world.publisher = Publisher(
        world.db, client, world.clock, world.settings, allow_private_media_hosts=True
    )
    yield world
    client.close()


def drain_to(client: PostoriaClient, remaining: int) -> None:
    """Spend the window (as another user of the key would) until ``remaining`` are left."""
    while client.limiter.remaining() > remaining:
        client.limiter.acquire(Priority.OPTIONAL)


def test_snapshot_reports_what_is_left_and_spent(world: World) -> None:
    world.add()
    world.run()

    snap = budget.snapshot(world.client)

    spent = len(world.server.state.requests())
    assert snap.spent_total == spent
    assert snap.capacity == 290 and snap.remaining == 290 - spent
    assert snap.by_endpoint["POST /workspaces/{ws}/posts"] == {"ok": 1}
    assert snap.to_dict()["period_seconds"] == 300.0


def test_status_polling_keeps_headroom_for_waiting_creates(tight: World) -> None:
    world = tight
    submitted = [world.add(caption=f"Post {n}") for n in range(10)]
    world.publisher.step()
    assert all(world.publication(p).state == S.SUBMITTED for p in submitted)
    later = world.clock.now() + timedelta(seconds=60)
    for n in range(3):  # creates waiting out a 429: their requests must stay available
        world.add(caption=f"Waiting {n}", state=S.READY, next_check_at=later)
    world.advance(15)

    world.add(caption="Due in an hour, beyond this window", due_in=3600)
    drain_to(world.client, budget.headroom(3))
    world.publisher.step()
    assert world.served("list_posts") == []
    assert world.client.limiter.remaining() == budget.headroom(3)
    wakeup = world.publisher.next_wakeup()  # checks wait for the window, not a busy loop
    assert wakeup is not None and wakeup >= world.clock.now() + budget_recheck()

    world.advance(300)  # the window moves on: everything spent so far has expired
    drain_to(world.client, budget.headroom(3) + 1)
    world.publisher.step()
    assert len(world.served("list_posts")) == 1  # one request read all ten statuses
    assert all(world.publication(p).state == S.POSTED for p in submitted)


def test_headroom_never_takes_more_than_half_the_window() -> None:
    assert budget.headroom(0) == budget.MIN_HEADROOM
    assert budget.headroom(3, capacity=290) == budget.MIN_HEADROOM + 6
    assert budget.headroom(500, capacity=290) == 145


def budget_recheck() -> timedelta:
    from bridge.engine.publisher import BUDGET_RECHECK

    return BUDGET_RECHECK


def test_requests_spent_counts_each_publications_own_requests(world: World) -> None:
    world.server.faults.add(FaultRule(endpoint="create_post", kind="drop_after_create", count=1))
    pid = world.add(media=("https://cdn.example/a.jpg",))

    world.run()

    publication = world.publication(pid)
    endpoints = [a.endpoint for a in world.attempts(pid)]
    assert endpoints[:3] == [
        "POST /workspaces/{ws}/media/imports",
        "GET /workspaces/{ws}/media/{id}",
        "POST /workspaces/{ws}/posts",
    ]
    assert "GET /workspaces/{ws}/posts" in endpoints  # the reconciliation's list
    assert publication.requests_spent == len(endpoints)


def test_post_checks_follow_the_posts_time_then_back_off(world: World) -> None:
    now = world.clock.now()
    later = now + timedelta(hours=2)
    assert budget.next_check(later, 0, now) == later + budget.PUBLISH_EXPECTED
    assert budget.next_check(now, 0, now) == now + budget.PUBLISH_EXPECTED
    minute = timedelta(minutes=1)
    gaps = [budget.next_check(now, n, now, minute) - now for n in range(1, 7)]
    assert gaps == [
        minute,
        2 * minute,
        4 * minute,
        8 * minute,
        budget.MAX_RECHECK,
        budget.MAX_RECHECK,
    ]
    fast = timedelta(seconds=2)
    assert budget.next_check(now, 0, now, fast) == now + fast
    assert budget.next_check(now, 3, now, fast) == now + 4 * fast


def test_no_intent_is_recorded_while_the_budget_is_spent(tight: World) -> None:
    world = tight
    drain_to(world.client, 0)
    pid = world.add(caption="Waits for the window")

    world.publisher.step()

    assert world.publication(pid).state == S.READY  # never `submitting` while held back
    assert world.served("create_post") == []
    wakeup = world.publisher.next_wakeup()
    assert wakeup is not None and wakeup > world.clock.now()
    world.run()
    assert world.publication(pid).state == S.POSTED
