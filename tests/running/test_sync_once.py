"""``bridge sync --once`` end to end: a real sandbox, a real feed server, the real CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from bridge.cli import cli
from bridge.clock import ManualClock
from bridge.commands.sync import sync_once
from bridge.config import load_config
from bridge.engine.engine import Engine
from bridge.engine.summary import RunSummary, render_summary
from bridge.feedserver import FeedServer
from bridge.sandbox import FaultRule, SandboxConfig, SandboxServer

from .helpers import ACME_LINKEDIN, ACME_X, make_items, posts_by_caption, render_rss, write_config

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _sync(config: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sync", "--once", "-c", str(config), *extra])
    return result.exit_code, result.output


@pytest.fixture
def clock() -> ManualClock:
    """One simulated clock for the sandbox and the engine: waits cost no real time."""
    return ManualClock(START)


@pytest.fixture
def clocked_sandbox(clock: ManualClock) -> Iterator[SandboxServer]:
    """A sandbox following ``clock``."""
    with SandboxServer(SandboxConfig(clock=clock)) as server:
        yield server


def _sync_on(clock: ManualClock, sandbox: SandboxServer, path: Path) -> RunSummary:
    """What ``bridge sync --once`` does, on the simulated clock."""
    config = load_config(path, environ={"POSTORIA_API_KEY": sandbox.api_key})
    with Engine.from_config(config, clock=clock) as engine:
        summary, _fetches = sync_once(engine, timedelta(hours=1))
    return summary


def test_sync_posts_every_item_once_and_prints_a_summary(
    sandbox: SandboxServer, feeds: FeedServer, api_key_env: str, tmp_path: Path
) -> None:
    items = make_items(3, START, images=True)
    feeds.set("/feed.xml", render_rss(items))
    config = write_config(
        tmp_path / "bridge.toml",
        postoria_url=sandbox.url,
        feed_url=feeds.url_for("/feed.xml"),
        interval="10m",
    )

    status, output = _sync(config, "--timeout", "2m")

    assert status == 0, output
    captions = posts_by_caption(sandbox)
    assert sorted(captions) == sorted(f"{item.title} {item.link}" for item in items)
    assert set(captions.values()) == {1}
    for item in items:
        assert item.title in output
    assert output.count("https://x.com/") == 3
    assert output.count("linkedin.com/") == 3
    assert "3 posted" in output
    assert "left in the current budget window" in output
    assert api_key_env not in output

    status, output = _sync(config)

    assert status == 0, output
    assert "acme-blog: not due yet (next fetch at " in output
    assert "Nothing to publish." in output
    assert len(sandbox.state.posts()) == 3


def test_a_second_sync_posts_nothing_again(
    clock: ManualClock, clocked_sandbox: SandboxServer, feeds: FeedServer, tmp_path: Path
) -> None:
    feeds.set("/feed.xml", render_rss(make_items(2, START)))
    config = write_config(
        tmp_path / "bridge.toml",
        postoria_url=clocked_sandbox.url,
        feed_url=feeds.url_for("/feed.xml"),
    )
    assert _sync_on(clock, clocked_sandbox, config).ok

    summary = _sync_on(clock, clocked_sandbox, config)

    assert summary.ok
    assert summary.lines == []
    assert render_summary(summary).startswith("Nothing to publish.")
    assert len(clocked_sandbox.state.posts()) == 2


def test_sync_exits_non_zero_when_postoria_rejects_a_post(
    sandbox: SandboxServer, feeds: FeedServer, api_key_env: str, tmp_path: Path
) -> None:
    feeds.set("/feed.xml", render_rss(make_items(1, START)))
    config = write_config(
        tmp_path / "bridge.toml",
        postoria_url=sandbox.url,
        feed_url=feeds.url_for("/feed.xml"),
        extra_route='tiktok = { who_can_watch = "everybody" }',
    )

    status, output = _sync(config)

    assert status == 1, output
    assert "failed" in output
    assert "tiktok.who_can_watch" in output
    assert sandbox.state.posts() == []


def test_sync_reports_accounts_a_network_rule_skipped(
    clock: ManualClock, clocked_sandbox: SandboxServer, feeds: FeedServer, tmp_path: Path
) -> None:
    # Pinterest takes only posts with an image: routing skips it and says why; not a failure.
    feeds.set("/feed.xml", render_rss(make_items(1, START)))
    config = write_config(
        tmp_path / "bridge.toml",
        postoria_url=clocked_sandbox.url,
        feed_url=feeds.url_for("/feed.xml"),
        accounts=("Acme on LinkedIn", "Acme on Pinterest"),
        media="none",
    )

    summary = _sync_on(clock, clocked_sandbox, config)

    assert summary.ok
    assert sorted(line.state for line in summary.lines) == ["posted", "skipped"]
    skipped = next(line for line in summary.lines if line.state == "skipped")
    assert [account.name for account in skipped.accounts] == ["Acme on Pinterest"]
    assert "skipped: pinterest" in render_summary(summary).lower()
    assert [post["results"][0]["account_id"] for post in clocked_sandbox.state.posts()] == [102]


def test_sync_exits_non_zero_when_results_are_late(
    feeds: FeedServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    slow = SandboxConfig(media_delay=0.2, publish_delay=3600.0)
    with SandboxServer(slow) as sandbox:
        monkeypatch.setenv("POSTORIA_API_KEY", sandbox.api_key)
        feeds.set("/feed.xml", render_rss(make_items(1, START)))
        config = write_config(
            tmp_path / "bridge.toml", postoria_url=sandbox.url, feed_url=feeds.url_for("/feed.xml")
        )

        status, output = _sync(config, "--timeout", "1s")

        assert status == 1, output
        assert "timeout" in output
        assert len(sandbox.state.posts()) == 1


def test_sync_reports_an_unreadable_feed_and_exits_non_zero(
    sandbox: SandboxServer, feeds: FeedServer, api_key_env: str, tmp_path: Path
) -> None:
    feeds.set("/feed.xml", b"<html><body>Maintenance</body></html>", content_type="text/html")
    config = write_config(
        tmp_path / "bridge.toml", postoria_url=sandbox.url, feed_url=feeds.url_for("/feed.xml")
    )

    status, output = _sync(config)

    assert status == 1, output
    assert "acme-blog: could not be read" in output
    assert sandbox.state.posts() == []


def test_sync_survives_a_lost_create_answer_without_posting_twice(
    clock: ManualClock, clocked_sandbox: SandboxServer, feeds: FeedServer, tmp_path: Path
) -> None:
    items = make_items(2, START)
    feeds.set("/feed.xml", render_rss(items))
    clocked_sandbox.faults.add(FaultRule(endpoint="create_post", kind="drop_after_create", count=1))
    config = write_config(
        tmp_path / "bridge.toml",
        postoria_url=clocked_sandbox.url,
        feed_url=feeds.url_for("/feed.xml"),
    )

    summary = _sync_on(clock, clocked_sandbox, config)

    assert summary.ok, render_summary(summary)
    assert [line.state for line in summary.lines] == ["posted", "posted"]
    captions = posts_by_caption(clocked_sandbox)
    assert sorted(captions) == sorted(f"{item.title} {item.link}" for item in items)
    assert set(captions.values()) == {1}


def test_sync_stops_and_asks_a_person_when_a_lost_create_matches_two_posts(
    clock: ManualClock, clocked_sandbox: SandboxServer, feeds: FeedServer, tmp_path: Path
) -> None:
    (item,) = make_items(1, START)
    feeds.set("/feed.xml", render_rss([item]))
    # Someone already posted the very same text by hand; then the bridge's create is lost.
    manual = httpx.post(
        f"{clocked_sandbox.url}/workspaces/1/posts",
        headers={"Authorization": f"Bearer {clocked_sandbox.api_key}"},
        json={
            "publish_mode": "publish_now",
            "social_account_ids": [ACME_X, ACME_LINKEDIN],
            "caption": f"{item.title} {item.link}",
        },
    )
    assert manual.status_code == 201
    clocked_sandbox.faults.add(FaultRule(endpoint="create_post", kind="drop_after_create", count=1))
    config = write_config(
        tmp_path / "bridge.toml",
        postoria_url=clocked_sandbox.url,
        feed_url=feeds.url_for("/feed.xml"),
    )

    summary = _sync_on(clock, clocked_sandbox, config)

    assert not summary.ok
    assert not summary.timed_out
    assert [line.state for line in summary.lines] == ["unknown"]
    assert "unknown" in render_summary(summary)
    assert len(clocked_sandbox.state.posts()) == 2  # nothing sent a third time


@pytest.mark.postgres
def test_sync_on_postgresql_recovers_a_lost_create_without_posting_twice(
    clock: ManualClock,
    clocked_sandbox: SandboxServer,
    feeds: FeedServer,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    items = make_items(3, START, images=True)
    feeds.set("/feed.xml", render_rss(items))
    clocked_sandbox.faults.add(FaultRule(endpoint="create_post", kind="drop_after_create", count=2))
    config = write_config(
        tmp_path / "bridge.toml",
        postoria_url=clocked_sandbox.url,
        feed_url=feeds.url_for("/feed.xml"),
        database_url=postgres_url,
    )

    summary = _sync_on(clock, clocked_sandbox, config)

    assert summary.ok, render_summary(summary)
    assert [line.state for line in summary.lines] == ["posted"] * 3
    assert set(posts_by_caption(clocked_sandbox).values()) == {1}
    assert len(clocked_sandbox.state.posts()) == 3


def test_sync_needs_once(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["sync", "-c", str(tmp_path / "bridge.toml")])

    assert result.exit_code == 2
    assert "--once" in result.output
