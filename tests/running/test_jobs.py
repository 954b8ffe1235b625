"""The scheduler jobs of ``bridge run``: stable ids and the settings that keep them safe."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent

from bridge.clock import ManualClock
from bridge.config import load_config
from bridge.engine.engine import Engine
from bridge.engine.jobs import EngineJobs
from bridge.feedserver import FeedServer
from bridge.sandbox import SandboxConfig, SandboxServer

from .helpers import make_items, render_rss, write_config

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(feeds: FeedServer, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a simulated clock shared with a sandbox, prepared and ready to schedule."""
    clock = ManualClock(START)
    with SandboxServer(SandboxConfig(clock=clock)) as sandbox:
        feeds.set("/feed.xml", render_rss(make_items(1, START)))
        path = write_config(
            tmp_path / "bridge.toml",
            postoria_url=sandbox.url,
            feed_url=feeds.url_for("/feed.xml"),
            interval="10m",
            publish_interval="30s",
            status_interval="1m",
        )
        config = load_config(path, environ={"POSTORIA_API_KEY": sandbox.api_key})
        with Engine.from_config(config, clock=clock) as built:
            built.prepare()
            yield built


def test_jobs_have_stable_ids_and_never_pile_up(engine: Engine) -> None:
    jobs = EngineJobs(engine)
    jobs.scheduler.start(paused=True)  # jobs take their defaults once added to a scheduler
    try:
        scheduled = {job.id: job for job in jobs.scheduler.get_jobs()}
    finally:
        jobs.shutdown(wait=False)

    assert set(scheduled) == {"source:acme-blog", "publish", "status", "accounts"}
    for job in scheduled.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time >= 1
    assert scheduled["source:acme-blog"].trigger.interval == timedelta(minutes=10)
    assert scheduled["publish"].trigger.interval == timedelta(seconds=30)
    assert scheduled["status"].trigger.interval == timedelta(minutes=1)


def test_sources_get_a_jitter_of_a_tenth_of_their_interval_at_most_thirty_seconds(
    engine: Engine,
) -> None:
    with_jitter = EngineJobs(engine)
    without = EngineJobs(engine, jitter=False)

    assert with_jitter.scheduler.get_job("source:acme-blog").trigger.jitter == 30
    assert without.scheduler.get_job("source:acme-blog").trigger.jitter is None


def test_a_failing_job_is_logged_once_with_its_id(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = EngineJobs(engine)
    error = RuntimeError("database is gone")
    event = JobExecutionEvent(EVENT_JOB_ERROR, "publish", None, START, exception=error)

    with caplog.at_level(logging.ERROR, logger="bridge.engine.jobs"):
        jobs._on_event(event)

    assert jobs.errors == 1
    assert [record.getMessage() for record in caplog.records] == [
        "job publish failed: database is gone"
    ]


def test_shutdown_asks_running_steps_to_stop_before_waiting_for_them(engine: Engine) -> None:
    jobs = EngineJobs(engine)
    jobs.scheduler.start(paused=True)

    jobs.shutdown(wait=True)

    assert engine.publisher.stop_requested.is_set()  # steps end at the next publication
    assert engine.client.stop_waiting.is_set()  # and no request waits out a budget window
