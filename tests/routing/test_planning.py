"""When publications go out: slots in the workspace's zone, delays, queues and pacing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

from routing_helpers import Entry, World

from bridge.clock import ManualClock
from bridge.engine.planning import local_day, local_time
from bridge.feedserver import FeedServer
from bridge.sandbox import SandboxServer

NEW_YORK = ZoneInfo("America/New_York")


def route(mode: str, **keys: str) -> str:
    lines = [
        "[[routes]]",
        'name = "r"',
        'sources = ["blog"]',
        'workspace = "Acme Corp"',
        'accounts = ["Acme on X", "Acme on LinkedIn"]',
        f'mode = "{mode}"',
        'template = "{{ title }}"',
        *(f"{key} = {value}" for key, value in keys.items()),
    ]
    return "\n".join(lines) + "\n"


def entries(count: int, start: int = 0, published: datetime | None = None) -> list[Entry]:
    return [
        Entry(f"g{n}", f"Post {n}", f"https://acme.example/{n}", "b", published)
        for n in range(start, start + count)
    ]


def test_slots_are_workspace_local_times_across_a_dst_change(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> None:
    world = World(
        tmp_path, sandbox, feed_server, clock, route("schedule", slots='["09:00"]', max_per_day="1")
    )
    world.publish(entries(8))
    times = [p.scheduled_time for p in world.publications()]
    # 2 March 2026 is a Monday; New York moves to daylight time on Sunday 8 March.
    expected = [datetime(2026, 3, day, 14, 0, tzinfo=UTC) for day in range(2, 8)]
    expected += [datetime(2026, 3, day, 13, 0, tzinfo=UTC) for day in (8, 9)]
    assert times == expected
    assert all(t.astimezone(NEW_YORK).hour == 9 for t in times if t)
    assert {p.due_at for p in world.publications()} == {clock.now()}
    world.close()


def test_several_slots_a_day_skip_the_ones_already_past(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 3, 2, 17, 0, tzinfo=UTC))  # 12:00 in New York
    routes = route("schedule", slots='["17:30", "09:00", "13:00"]')
    world = World(tmp_path, sandbox, feed_server, clock, routes)
    world.publish(entries(1))
    (publication,) = world.publications()
    assert publication.scheduled_time == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # 13:00 local
    world.close()


def test_delay_counts_from_when_the_item_appeared_or_its_future_date(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> None:
    world = World(tmp_path, sandbox, feed_server, clock, route("schedule", delay='"30m"'))
    past = clock.now() - timedelta(days=1)
    future = clock.now() + timedelta(hours=5)
    world.publish([*entries(1, 0, past), *entries(1, 1, future)])
    times = {p.caption: p.scheduled_time for p in world.publications()}
    assert times == {
        "Post 0": clock.now() + timedelta(minutes=30),
        "Post 1": future + timedelta(minutes=30),
    }
    world.close()


def test_queue_mode_is_due_now_with_the_queue(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> None:
    world = World(tmp_path, sandbox, feed_server, clock, route("queue", queue='"Main"'))
    world.publish(entries(3))
    publications = world.publications()
    assert [(p.mode, p.queue_id, p.scheduled_time) for p in publications] == [
        ("queue", 11, None)
    ] * 3
    assert {p.due_at for p in publications} == {clock.now()}
    world.close()


def test_future_dated_items_are_not_published_before_their_date(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> None:
    world = World(tmp_path, sandbox, feed_server, clock, route("publish_now"))
    soon = clock.now() + timedelta(minutes=5)  # within the skew: a clock difference
    later = clock.now() + timedelta(days=1)
    world.publish([*entries(1, 0, soon), *entries(1, 1, later)])
    due = {p.caption: p.due_at for p in world.publications()}
    assert due == {"Post 0": clock.now(), "Post 1": later}
    world.close()


def test_a_burst_trickles_out_within_pacing_and_pacing_survives_a_restart(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> None:
    routes = route("publish_now", max_per_day="3", min_spacing='"2h"')
    world = World(tmp_path, sandbox, feed_server, clock, routes)
    world.publish(entries(10))
    world.close()
    world.open()  # a restart: pacing is read from the store, not memory
    clock.advance(timedelta(minutes=20))
    world.publish(entries(20))  # the first ten again, and ten more
    publications = world.publications()
    assert len(publications) == 20
    times = sorted(p.due_at for p in publications if p.due_at)
    assert times[0] == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    per_day = Counter(t.astimezone(NEW_YORK).date() for t in times)
    assert max(per_day.values()) <= 3
    assert len(per_day) >= 7
    assert all(later - earlier >= timedelta(hours=2) for earlier, later in pairwise(times))
    world.close()


def test_max_per_source_per_day(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> None:
    routes = route("schedule", slots='["09:00", "12:00", "15:00"]', max_per_source_per_day="1")
    world = World(tmp_path, sandbox, feed_server, clock, routes)
    world.publish(entries(3))
    days = [
        p.scheduled_time.astimezone(NEW_YORK).date()
        for p in world.publications()
        if p.scheduled_time
    ]
    assert len(set(days)) == 3
    world.close()


def test_local_time_handles_skipped_and_repeated_hours() -> None:
    spring = local_time(datetime(2026, 3, 8).date(), datetime(2026, 1, 1, 2, 30).time(), NEW_YORK)
    assert spring == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT: after the gap
    autumn = local_time(datetime(2026, 11, 1).date(), datetime(2026, 1, 1, 1, 30).time(), NEW_YORK)
    assert autumn == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # the first 01:30 (EDT)
    start, end = local_day(datetime(2026, 3, 8, 12, 0, tzinfo=UTC), NEW_YORK)
    assert end - start == timedelta(hours=23)
