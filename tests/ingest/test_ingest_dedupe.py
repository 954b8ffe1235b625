"""Items are stored once, whatever the feed does to them, across restarts and databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from ingest_helpers import (
    Entry,
    open_ingestor,
    rss_document,
    rss_source,
    stored_items,
    write_config,
)

from bridge import FetchResult, Item, Source
from bridge.clock import ManualClock
from bridge.engine.ingest import Ingestor
from bridge.feedserver import FeedServer
from bridge.store import Database

DAY = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def three_entries() -> list[Entry]:
    return [
        Entry(
            f"post-{n}",
            f"Post {n}",
            f"https://blog.example/{n}",
            f"Text {n}",
            DAY + timedelta(hours=n),
        )
        for n in (3, 2, 1)
    ]


def test_new_items_are_stored_once_and_restarts_see_them(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock, database_url: str
) -> None:
    feed_server.set("/feed.xml", rss_document(three_entries()))
    source = rss_source("blog", feed_server.url_for("/feed.xml"), backlog="all")
    config = write_config(tmp_path, source, database_url=database_url)
    db, ingestor = open_ingestor(config, clock)

    first = ingestor.fetch("blog")
    assert (first.outcome, first.items_seen, first.items_new) == ("ok", 3, 3)
    clock.advance(600)
    assert ingestor.fetch("blog").items_new == 0
    ingestor.close()
    db.dispose()

    feed_server.set("/feed.xml", rss_document(three_entries()) + b"\n")  # new ETag: full read
    db, ingestor = open_ingestor(config, clock)
    again = ingestor.fetch("blog")
    assert (again.outcome, again.items_seen, again.items_new) == ("ok", 3, 0)
    items = stored_items(db)
    assert sorted(item.external_id for item in items) == ["post-1", "post-2", "post-3"]
    assert {item.status for item in items} == {"new"}
    ingestor.close()
    db.dispose()


def test_reorder_edit_redate_and_new_guid_make_nothing_new(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock, database_url: str
) -> None:
    feed_server.set("/feed.xml", rss_document(three_entries()))
    source = rss_source("blog", feed_server.url_for("/feed.xml"), backlog="all")
    config = write_config(tmp_path, source, database_url=database_url)
    db, ingestor = open_ingestor(config, clock)
    assert ingestor.fetch("blog").items_new == 3

    changed = list(reversed(three_entries()))  # reordered
    changed[0].description = "Text 1, corrected after publication"  # edited
    changed[1].published = DAY + timedelta(days=5)  # re-dated
    changed[2].guid = "https://blog.example/?p=3"  # new guid, same link
    feed_server.set("/feed.xml", rss_document(changed))
    clock.advance(600)
    summary = ingestor.fetch("blog")
    assert (summary.outcome, summary.items_new) == ("ok", 0)

    # The new guid is remembered against the old item: dropping the link later still matches.
    changed[2].link = None
    feed_server.set("/feed.xml", rss_document(changed))
    clock.advance(600)
    assert ingestor.fetch("blog").items_new == 0
    assert len(stored_items(db)) == 3
    ingestor.close()
    db.dispose()


def test_a_really_new_item_among_old_ones_is_the_only_new_one(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock
) -> None:
    feed_server.set("/feed.xml", rss_document(three_entries()))
    config = write_config(tmp_path, rss_source("blog", feed_server.url_for("/feed.xml")))
    db, ingestor = open_ingestor(config, clock)
    ingestor.fetch("blog")
    fresh = Entry("post-4", "Post 4", "https://blog.example/4", "Text 4", DAY + timedelta(days=1))
    feed_server.set("/feed.xml", rss_document([fresh, *three_entries()]))
    clock.advance(600)
    assert ingestor.fetch("blog").items_new == 1
    statuses = {item.external_id: item.status for item in stored_items(db)}
    assert statuses == {
        "post-1": "backlog",
        "post-2": "backlog",
        "post-3": "backlog",
        "post-4": "new",
    }
    ingestor.close()


def test_entries_sharing_a_guid_stay_distinct_items(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock, database_url: str
) -> None:
    shared = [
        Entry(
            "https://gov.example/spotlight/",
            f"Story {n}",
            f"https://gov.example/s/{n}",
            f"Body {n}",
        )
        for n in range(4)
    ]
    feed_server.set("/feed.xml", rss_document(shared))
    source = rss_source("gov", feed_server.url_for("/feed.xml"), backlog="all")
    config = write_config(tmp_path, source, database_url=database_url)
    db, ingestor = open_ingestor(config, clock)
    assert ingestor.fetch("gov").items_new == 4
    feed_server.set("/feed.xml", rss_document(list(reversed(shared))))
    clock.advance(600)
    assert ingestor.fetch("gov").items_new == 0
    assert len(stored_items(db)) == 4
    ingestor.close()
    db.dispose()


def test_entries_sharing_only_their_text_stay_distinct(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock
) -> None:
    twins = [
        Entry(f"id-{n}", "Weekly update", f"https://blog.example/w{n}", "Same words")
        for n in (1, 2)
    ]
    feed_server.set("/feed.xml", rss_document(twins))
    config = write_config(
        tmp_path, rss_source("b", feed_server.url_for("/feed.xml"), backlog="all")
    )
    _db, ingestor = open_ingestor(config, clock)
    assert ingestor.fetch("b").items_new == 2
    ingestor.close()


class OddSource(Source):
    """Items PostgreSQL would refuse as they come: NUL characters, identities over 2000 chars."""

    type_name: ClassVar[str] = "odd"

    def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        long_guid = "urn:x:" + "g" * 3000
        return FetchResult(
            items=[
                Item(long_guid, "Long guid", aliases=["https://x.example/" + "p" * 2500]),
                Item("nul", "Title\x00with NUL", summary_text="a\x00b", extra={"k": "v\x00"}),
            ]
        )


def test_long_identities_and_nul_characters_are_stored_and_still_recognised(
    tmp_path: Path, clock: ManualClock, database_url: str
) -> None:
    body = '[[sources]]\nname = "odd"\ntype = "odd"\nbacklog = "all"\n'
    config = write_config(tmp_path, body, database_url=database_url)
    db = Database(config.database.url)
    ingestor = Ingestor(db, config, {"odd": OddSource}, clock)
    ingestor.sync_sources()
    assert ingestor.fetch("odd").items_new == 2
    assert ingestor.fetch("odd").items_new == 0
    titles = sorted(item.title for item in stored_items(db))
    assert titles == ["Long guid", "Titlewith NUL"]
    assert all(len(item.external_id) <= 2000 for item in stored_items(db))
    ingestor.close()
    db.dispose()
