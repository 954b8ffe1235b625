"""The Engine's own promises: a restart picks up whatever the previous process left half done."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge.clock import ManualClock
from bridge.config import BridgeConfig, load_config
from bridge.engine.engine import Engine
from bridge.feedserver import FeedServer
from bridge.sandbox import SandboxConfig, SandboxServer

from .helpers import make_items, posts_by_caption, render_rss, write_config

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    """One simulated clock for the sandbox and the engines."""
    return ManualClock(START)


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[SandboxServer]:
    """A sandbox following ``clock``."""
    with SandboxServer(SandboxConfig(clock=clock)) as server:
        yield server


@pytest.fixture
def config(sandbox: SandboxServer, feeds: FeedServer, tmp_path: Path) -> BridgeConfig:
    """Two items in the feed, posted right away to X and LinkedIn, SQLite in tmp_path."""
    feeds.set("/feed.xml", render_rss(make_items(2, START)))
    path = write_config(
        tmp_path / "bridge.toml", postoria_url=sandbox.url, feed_url=feeds.url_for("/feed.xml")
    )
    return load_config(path, environ={"POSTORIA_API_KEY": sandbox.api_key})


def test_items_stored_by_a_process_that_stopped_before_routing_are_routed_next_time(
    clock: ManualClock, sandbox: SandboxServer, config: BridgeConfig
) -> None:
    with Engine.from_config(config, clock=clock) as stopped:
        stopped.prepare()
        first = stopped.ingestor.fetch("acme-blog")  # stored; the process dies before routing
    assert first.items_new == 2

    clock.advance(60)
    with Engine.from_config(config, clock=clock) as restarted:
        summary, new_ids = restarted.fetch_source("acme-blog")
        assert summary.outcome == "not_modified"
        assert len(new_ids) == 2
        assert restarted.wait_until_final(timedelta(hours=1))

    assert set(posts_by_caption(sandbox).values()) == {1}
    assert len(sandbox.state.posts()) == 2


def test_a_cycle_finishes_publications_an_earlier_process_left_unfinished(
    clock: ManualClock, sandbox: SandboxServer, config: BridgeConfig
) -> None:
    with Engine.from_config(config, clock=clock) as stopped:
        report = stopped.run_cycle()  # creates sent; results not read before it stops
    assert len(report.new_publications) == 2
    assert len(sandbox.state.posts()) == 2

    with Engine.from_config(config, clock=clock) as restarted:
        restarted.prepare()
        assert sorted(restarted.outstanding()) == sorted(report.new_publications)
        assert restarted.wait_until_final(timedelta(hours=1))
        assert restarted.outstanding() == []

    assert len(sandbox.state.posts()) == 2
