"""Fixtures for ingest tests: a feed server, a manual clock and databases to ingest into."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bridge.clock import ManualClock
from bridge.feedserver import FeedServer

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A FeedServer on a free loopback port, stopped after the test."""
    with FeedServer() as server:
        yield server


@pytest.fixture
def clock() -> ManualClock:
    """A clock that starts at noon UTC on 2 March 2026 and moves only when told."""
    return ManualClock(START)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: SQLite in tmp_path, then the loopback PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bridge.db'}"
    return str(request.getfixturevalue("postgres_url"))
