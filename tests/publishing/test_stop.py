"""A stop request ends a publishing step at the next publication boundary, never mid-create.

``bridge run`` sets :attr:`Publisher.stop_requested` on SIGTERM and then waits for its jobs;
during a backlog that wait must be one publication long, not a whole step. The stop is asked
for from another thread while the step is sending creates, as the signal handler does.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlmodel import select

from bridge.clock import ManualClock
from bridge.postoria import Budget, PostoriaClient, RateLimiter, RequestRecord
from bridge.sandbox import SandboxServer
from bridge.store import Publication
from bridge.store import PublicationState as S

from .conftest import FAST_RETRY
from .helpers import World

TINY = Budget(requests=6, per=60, margin=1)
"""Five requests a minute: a backlog of creates outlasts many budget windows."""

BACKLOG = 12
STOP_AFTER = 2
"""Creates sent before the stop is requested (from another thread, after the 2nd answer)."""


@pytest.fixture
def client(sandbox: SandboxServer, clock: ManualClock) -> Iterator[PostoriaClient]:
    """A client whose budget is far smaller than the backlog."""
    with PostoriaClient(
        sandbox.api_key,
        sandbox.url,
        clock=clock,
        budget=TINY,
        limiter=RateLimiter(TINY, clock),
        retry=FAST_RETRY,
    ) as made:
        yield made


def _stop_after_creates(world: World, count: int) -> None:
    """Request the stop from another thread once ``count`` creates have been answered."""
    creates = 0

    def listener(record: RequestRecord) -> None:
        nonlocal creates
        if record.method == "POST" and record.endpoint.endswith("/posts"):
            creates += 1
            if creates == count:
                stopper = threading.Thread(target=world.publisher.stop_requested.set)
                stopper.start()
                stopper.join()

    world.client.add_listener(listener)


def _states(world: World) -> Counter[str]:
    with world.db.session() as session:
        return Counter(p.state for p in session.exec(select(Publication)))


def test_a_stop_ends_the_step_after_the_create_in_progress(world: World) -> None:
    ids = [world.add(caption=f"Backlog post {n}") for n in range(BACKLOG)]
    _stop_after_creates(world, STOP_AFTER)

    report = world.publisher.step()

    assert len(world.served("create_post")) == STOP_AFTER
    assert report.submitted == STOP_AFTER
    # Every create sent was stored with its post; nothing was left between intent and answer.
    assert _states(world) == Counter({S.SUBMITTED: STOP_AFTER, S.READY: BACKLOG - STOP_AFTER})
    assert report.polled == 0 and report.media_checked == 0

    world.publisher.stop_requested.clear()  # a later step (a restarted process) goes on
    world.run(max_steps=400)

    assert len(world.served("create_post")) == BACKLOG
    posted = world.captions_posted()
    assert posted == Counter({f"Backlog post {n}": 1 for n in range(BACKLOG)})
    assert {world.publication(pid).state for pid in ids} == {S.POSTED}


def test_a_step_asked_to_stop_before_it_starts_sends_nothing(world: World) -> None:
    submitted = [world.add(caption=f"Earlier post {n}") for n in range(3)]
    world.publisher.step()  # three creates: after a while their statuses are due
    assert {world.publication(pid).state for pid in submitted} == {S.SUBMITTED}
    for n in range(3):
        world.add(caption=f"Later post {n}", media=("https://media.example/a.jpg",))
    world.advance(120)
    served = len(world.server.state.requests())

    world.publisher.stop_requested.set()
    report = world.publisher.step()

    assert report.total == 0
    assert len(world.server.state.requests()) == served
    assert _states(world) == Counter({S.SUBMITTED: 3, S.PENDING: 3})
