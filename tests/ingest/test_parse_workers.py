"""Parsing in worker processes: same items as in-thread, errors still reported per source."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from ingest_helpers import Entry, rss_document, rss_source, write_config
from sqlmodel import select

from bridge import registry
from bridge.clock import ManualClock
from bridge.engine.ingest import Ingestor
from bridge.feedserver import FeedServer
from bridge.store import Database, ItemRecord
from bridge.workers import AUTO_MIN_SOURCES, worker_count


@pytest.mark.parametrize(
    ("setting", "sources", "cpus", "expected"),
    [
        (0, 100, 8, 0),
        (3, 1, 1, 3),
        ("auto", AUTO_MIN_SOURCES - 1, 8, 0),
        ("auto", AUTO_MIN_SOURCES, 8, 8),
        ("auto", 500, 1, 0),
    ],
)
def test_worker_count(setting: int | str, sources: int, cpus: int, expected: int) -> None:
    assert worker_count(setting, sources, cpus) == expected


def test_sources_parse_in_workers_with_the_same_result(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock
) -> None:
    entries = [
        Entry(guid=f"post-{n}", title=f"Post {n}", link=f"https://blog.example/{n}")
        for n in range(5)
    ]
    feed_server.set("/good.xml", rss_document(entries))
    feed_server.set("/html.xml", b"<html><body>Maintenance</body></html>", content_type="text/html")
    body = "[engine]\nparse_workers = 2\n\n" + "\n".join(
        [
            rss_source("good", feed_server.url_for("/good.xml"), backlog="all"),
            rss_source("broken", feed_server.url_for("/html.xml"), backlog="all"),
        ]
    )
    config = write_config(tmp_path, body)
    database = Database(config.database.url)
    ingestor = Ingestor(database, config, registry.source_types(), clock)
    try:
        ingestor.sync_sources()
        assert isinstance(ingestor._parse_workers(), ProcessPoolExecutor)
        good = ingestor.fetch("good")
        broken = ingestor.fetch("broken")
    finally:
        ingestor.close()
    assert (good.outcome, good.items_new) == ("ok", 5)
    assert broken.outcome == "error"
    assert broken.error is not None and "HTML" in broken.error
    with database.session() as session:
        titles = sorted(row.title for row in session.exec(select(ItemRecord)).all())
    assert titles == [f"Post {n}" for n in range(5)]
