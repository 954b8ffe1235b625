"""Fixtures for routing tests: the Postoria sandbox, a feed server and a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bridge.clock import ManualClock
from bridge.feedserver import FeedServer
from bridge.sandbox import SandboxConfig, SandboxServer

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday, 07:00 in New York


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A Postoria sandbox on a free loopback port with the seeded workspaces."""
    with SandboxServer(SandboxConfig()) as server:
        yield server


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A FeedServer on a free loopback port."""
    with FeedServer() as server:
        yield server


@pytest.fixture
def clock() -> ManualClock:
    """A clock at noon UTC on Monday 2 March 2026 that moves only when told."""
    return ManualClock(START)
