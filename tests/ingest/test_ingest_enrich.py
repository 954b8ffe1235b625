"""``enrich_item`` plugins change items before they are stored; a failing one loses nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ingest_helpers import (
    Entry,
    fetch_records,
    open_ingestor,
    rss_document,
    rss_source,
    stored_items,
    write_config,
)

from bridge import Item, hookimpl
from bridge.clock import ManualClock
from bridge.feedserver import FeedServer
from bridge.plugins import pm


class TaggingPlugin:
    """Adds a tag to every item of an rss source; breaks on titles containing "crash"."""

    calls: list[str]

    def __init__(self) -> None:
        self.calls = []

    @hookimpl
    def enrich_item(self, item: Item, source_name: str, source_type: str) -> None:
        self.calls.append(item.external_id)
        if "crash" in item.title:
            raise RuntimeError("enrichment service down")
        item.tags.append(f"from-{source_name}-{source_type}")


@pytest.fixture
def tagging_plugin() -> Iterator[TaggingPlugin]:
    """The plugin, registered for the test only."""
    plugin = TaggingPlugin()
    pm.register(plugin, name="test-tagging")
    yield plugin
    pm.unregister(plugin)


def test_enrich_item_runs_once_per_new_item_and_failures_are_problems(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock, tagging_plugin: TaggingPlugin
) -> None:
    entries = [
        Entry("a", "Fine", "https://b.example/a", "x"),
        Entry("b", "Will crash", "https://b.example/b", "y"),
    ]
    feed_server.set("/feed.xml", rss_document(entries))
    config = write_config(
        tmp_path, rss_source("blog", feed_server.url_for("/feed.xml"), backlog="all")
    )
    db, ingestor = open_ingestor(config, clock)
    summary = ingestor.fetch("blog")
    assert summary.items_new == 2
    tags = {item.external_id: item.tags for item in stored_items(db)}
    assert tags == {"a": ["from-blog-rss"], "b": []}
    (record,) = fetch_records(db)
    messages = [problem["message"] for problem in record.problems]
    assert any("enrichment service down" in message for message in messages)
    feed_server.set("/feed.xml", rss_document(list(reversed(entries))))
    ingestor.fetch("blog")
    assert sorted(tagging_plugin.calls) == ["a", "b"]  # seen items are not enriched again
    ingestor.close()
