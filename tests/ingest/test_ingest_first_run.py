"""The first fetch's backlog policy, max_age (also after an outage) and future-dated items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ingest_helpers import (
    Entry,
    open_ingestor,
    rss_document,
    rss_source,
    stored_items,
    write_config,
)

from bridge.clock import ManualClock
from bridge.feedserver import FeedServer


def dated_entries(now: datetime, count: int) -> list[Entry]:
    """``count`` entries, one per hour back from ``now``, newest last (an unsorted feed)."""
    return [
        Entry(
            f"e{n}",
            f"Entry {n}",
            f"https://blog.example/e{n}",
            f"Body {n}",
            now - timedelta(hours=n),
        )
        for n in range(count, 0, -1)
    ]


@pytest.mark.parametrize(
    ("backlog", "expected_new"),
    [("skip", set()), ("latest:2", {"e1", "e2"}), ("all", {"e1", "e2", "e3", "e4", "e5"})],
)
def test_backlog_policy_decides_what_the_first_fetch_leaves_new(
    tmp_path: Path,
    feed_server: FeedServer,
    clock: ManualClock,
    backlog: str,
    expected_new: set[str],
) -> None:
    feed_server.set("/feed.xml", rss_document(dated_entries(clock.now(), 5)))
    config = write_config(
        tmp_path, rss_source("b", feed_server.url_for("/feed.xml"), backlog=backlog)
    )
    db, ingestor = open_ingestor(config, clock)
    summary = ingestor.fetch("b")
    assert (summary.items_seen, summary.items_new) == (5, 5)
    items = stored_items(db)
    assert {i.external_id for i in items if i.status == "new"} == expected_new
    assert {i.status for i in items if i.external_id not in expected_new} <= {"backlog"}

    later = Entry("e0", "Entry 0", "https://blog.example/e0", "Body 0", clock.now())
    feed_server.set("/feed.xml", rss_document([later, *dated_entries(clock.now(), 5)]))
    clock.advance(600)
    ingestor.fetch("b")
    assert {i.external_id: i.status for i in stored_items(db)}["e0"] == "new"
    ingestor.close()


def test_max_age_is_judged_by_the_clock_at_fetch_time_even_after_an_outage(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock
) -> None:
    feed_server.set("/feed.xml", rss_document([]))
    source = rss_source("b", feed_server.url_for("/feed.xml"), max_age="2d")
    config = write_config(tmp_path, source)
    db, ingestor = open_ingestor(config, clock)
    ingestor.fetch("b")  # first run: nothing there yet

    outage_start = clock.now()
    clock.advance(timedelta(days=5))  # the bridge was down for five days
    entries = [
        Entry(
            "during-1",
            "Early in the outage",
            "https://b.example/1",
            "x",
            outage_start + timedelta(hours=2),
        ),
        Entry(
            "during-2",
            "Late in the outage",
            "https://b.example/2",
            "y",
            clock.now() - timedelta(days=1),
        ),
        Entry("undated", "No date at all", "https://b.example/3", "z"),
    ]
    feed_server.set("/feed.xml", rss_document(entries))
    ingestor.fetch("b")
    statuses = {i.external_id: (i.status, i.status_reason) for i in stored_items(db)}
    assert statuses["during-1"][0] == "too_old"
    assert "max_age" in (statuses["during-1"][1] or "")
    assert statuses["during-2"] == ("new", None)
    assert statuses["undated"] == ("new", None)
    ingestor.close()


def test_future_dated_items_are_stored_as_new_with_their_date(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock
) -> None:
    feed_server.set("/feed.xml", rss_document([]))
    config = write_config(tmp_path, rss_source("b", feed_server.url_for("/feed.xml")))
    db, ingestor = open_ingestor(config, clock)
    ingestor.fetch("b")
    future = clock.now() + timedelta(days=2)
    feed_server.set(
        "/feed.xml", rss_document([Entry("f", "Embargoed", "https://b.example/f", "t", future)])
    )
    clock.advance(60)
    assert ingestor.fetch("b").items_new == 1
    (item,) = stored_items(db)
    assert item.status == "new"
    assert item.published == future.replace(microsecond=0).astimezone(UTC)
    ingestor.close()


def test_every_normalized_field_is_stored(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock
) -> None:
    entry = Entry(
        "full",
        "Launch day",
        "https://blog.example/launch",
        "<p>We <b>launched</b> it.</p>",
        clock.now() - timedelta(hours=1),
        categories=["News", "Product"],
        author="Alice",
        enclosure="https://cdn.example/launch.jpg",
    )
    feed_server.set("/feed.xml", rss_document([entry]))
    config = write_config(
        tmp_path, rss_source("b", feed_server.url_for("/feed.xml"), backlog="all")
    )
    db, ingestor = open_ingestor(config, clock)
    ingestor.fetch("b")
    (item,) = stored_items(db)
    assert item.title == "Launch day"
    assert item.link == "https://blog.example/launch"
    assert "launched" in item.summary_text and "<b>" in item.summary_html
    assert item.author == "Alice"
    assert item.categories == ["News", "Product"]
    assert item.media[0]["url"] == "https://cdn.example/launch.jpg"
    assert item.media[0]["origin"] == "enclosure"
    assert len(item.fingerprint) == 64
    assert item.first_seen_at == clock.now()
    ingestor.close()
