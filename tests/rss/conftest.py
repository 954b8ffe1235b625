"""Fixtures for the rss connector tests: a live feed server and sources pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from bridge_rss import RssOptions, RssSource
from rss_samples import SourceFactory

from bridge import SourceContext
from bridge.feedserver import FeedServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A FeedServer on a free loopback port, stopped after the test."""
    with FeedServer() as server:
        yield server


@pytest.fixture(scope="session")
def http_client() -> Iterator[httpx.Client]:
    """One httpx client for the session, as the engine would hand to sources."""
    with httpx.Client(headers={"User-Agent": "bridge-tests"}) as client:
        yield client


@pytest.fixture
def make_source(http_client: httpx.Client) -> SourceFactory:
    """Build an RssSource for a URL with the given options, using the shared client."""

    def make(
        url: str, *, name: str = "test-feed", http: Any = http_client, **options: Any
    ) -> RssSource:
        return RssSource(RssOptions(url=url, **options), SourceContext(name=name, http=http))

    return make
