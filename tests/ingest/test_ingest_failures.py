"""A failing source is recorded and backs off; the others keep ingesting in the same run."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from ingest_helpers import (
    Entry,
    fetch_records,
    open_ingestor,
    rss_document,
    rss_source,
    source_record,
    stored_items,
    write_config,
)

from bridge import FetchResult, Item, Source, SourceOptions, registry
from bridge.clock import ManualClock
from bridge.engine.ingest import INTERRUPTED, MAX_BACKOFF, Ingestor, backoff_delay
from bridge.errors import ConfigError
from bridge.feedserver import FeedServer
from bridge.store import Database, FetchRecord


def one_entry(n: int = 1) -> bytes:
    return rss_document([Entry(f"g{n}", f"Title {n}", f"https://b.example/{n}", "body")])


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<!doctype html><html><body><h1>Welcome to our new site</h1></body></html>", "text/html"),
        (b"\x89PNG\r\n\x1a\n\x00\x00garbage\xff\xfe", "application/octet-stream"),
    ],
    ids=["html-page", "garbage"],
)
def test_a_feed_turned_into_something_else_is_reported_while_another_keeps_going(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock, body: bytes, content_type: str
) -> None:
    feed_server.set("/broken.xml", body, content_type=content_type)
    feed_server.set("/fine.xml", one_entry())
    sources = rss_source("broken", feed_server.url_for("/broken.xml"), backlog="all")
    sources += rss_source("fine", feed_server.url_for("/fine.xml"), backlog="all")
    config = write_config(tmp_path, sources)
    db, ingestor = open_ingestor(config, clock)

    summaries = {name: ingestor.fetch(name) for name in ingestor.due_sources()}
    assert summaries["broken"].outcome == "error"
    assert "broken" in (summaries["broken"].error or "")
    assert summaries["fine"].items_new == 1
    record = source_record(db, "broken")
    assert record.consecutive_failures == 1
    assert record.next_fetch_at is not None and record.next_fetch_at > clock.now()
    errors = [f for f in fetch_records(db) if f.outcome == "error"]
    assert len(errors) == 1 and errors[0].error
    # A second failure waits longer: one interval later, only the healthy source is due.
    clock.set(record.next_fetch_at)
    assert ingestor.fetch("broken").outcome == "error"
    clock.advance(timedelta(minutes=10))
    assert ingestor.due_sources() == ["fine"]
    ingestor.close()


def test_410_gone_disables_the_source_with_its_reason(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock
) -> None:
    feed_server.gone("/feed.xml")
    config = write_config(tmp_path, rss_source("b", feed_server.url_for("/feed.xml")))
    db, ingestor = open_ingestor(config, clock)
    summary = ingestor.fetch("b")
    assert summary.outcome == "disabled"
    record = source_record(db, "b")
    assert record.enabled is False
    assert record.disabled_reason and "410" in record.disabled_reason
    clock.advance(timedelta(days=1))
    assert ingestor.due_sources() == []
    assert ingestor.fetch("b").outcome == "disabled"
    assert feed_server.hits("/feed.xml").count == 1

    feed_server.set("/feed.xml", one_entry())
    ingestor.enable("b")
    assert ingestor.due_sources() == ["b"]
    assert ingestor.fetch("b").outcome == "ok"
    ingestor.close()


def test_a_permanent_redirect_is_remembered(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock
) -> None:
    feed_server.set("/new.xml", one_entry())
    feed_server.redirect("/old.xml", "/new.xml")
    config = write_config(tmp_path, rss_source("b", feed_server.url_for("/old.xml")))
    db, ingestor = open_ingestor(config, clock)
    assert ingestor.fetch("b").outcome == "ok"
    assert source_record(db, "b").location == feed_server.url_for("/new.xml")
    clock.advance(timedelta(minutes=10))
    ingestor.fetch("b")
    assert feed_server.hits("/old.xml").count == 1
    assert feed_server.hits("/new.xml").count == 2
    ingestor.close()


class _ExplodingOptions(SourceOptions):
    message: str = "boom"


class ExplodingSource(Source):
    """A connector with a bug: it raises something other than SourceError."""

    type_name: ClassVar[str] = "exploding"
    Options: ClassVar[type[SourceOptions]] = _ExplodingOptions

    def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        raise KeyError(self.options.message)  # type: ignore[attr-defined]


def test_a_plugin_exception_is_recorded_with_its_names_and_backs_off(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock
) -> None:
    feed_server.set("/fine.xml", one_entry())
    body = '[[sources]]\nname = "buggy"\ntype = "exploding"\nmessage = "no such key"\n\n'
    body += rss_source("fine", feed_server.url_for("/fine.xml"), backlog="all")
    config = write_config(tmp_path, body)
    db = Database(config.database.url)
    types = {**registry.source_types(), "exploding": ExplodingSource}
    ingestor = Ingestor(db, config, types, clock, rng=random.Random(1))
    ingestor.sync_sources()
    results = {name: ingestor.fetch(name) for name in ingestor.due_sources()}
    error = results["buggy"].error or ""
    assert results["buggy"].outcome == "error"
    assert "'exploding'" in error and "KeyError" in error and "no such key" in error
    assert results["fine"].items_new == 1
    delays = []
    for _ in range(12):
        clock.set(source_record(db, "buggy").next_fetch_at)  # type: ignore[arg-type]
        before = clock.now()
        ingestor.fetch("buggy")
        delays.append(source_record(db, "buggy").next_fetch_at - before)  # type: ignore[operator]
    assert delays[1] > delays[0]
    assert max(delays) <= MAX_BACKOFF
    assert source_record(db, "buggy").consecutive_failures == 13
    assert len(stored_items(db)) == 1
    ingestor.close()


def test_backoff_doubles_from_the_interval_and_is_capped() -> None:
    rng = random.Random(7)
    interval = timedelta(minutes=10)
    assert timedelta(minutes=7.5) <= backoff_delay(1, interval, rng) <= interval
    assert timedelta(minutes=15) <= backoff_delay(2, interval, rng) <= timedelta(minutes=20)
    assert MAX_BACKOFF * 0.75 <= backoff_delay(50, interval, rng) <= MAX_BACKOFF


def test_bad_source_options_are_reported_with_their_location(
    tmp_path: Path, clock: ManualClock
) -> None:
    body = '[[sources]]\nname = "b"\ntype = "rss"\nurl = "ftp://nope.example/feed"\n'
    config = write_config(tmp_path, body)
    db = Database(config.database.url)
    ingestor = Ingestor(db, config, registry.source_types(), clock)
    with pytest.raises(ConfigError) as caught:
        ingestor.sync_sources()
    message = str(caught.value)
    assert "bridge.toml:" in message and "sources[0].url" in message
    ingestor.close()


def test_an_unknown_source_type_names_the_known_ones(tmp_path: Path, clock: ManualClock) -> None:
    config = write_config(tmp_path, '[[sources]]\nname = "b"\ntype = "rsss"\nurl = "http://x/"\n')
    db = Database(config.database.url)
    with pytest.raises(ConfigError, match=r"unknown source type 'rsss'.*rss"):
        Ingestor(db, config, registry.source_types(), clock).sync_sources()


def test_a_fetch_cut_short_by_a_crash_is_marked_interrupted(
    tmp_path: Path, feed_server: FeedServer, clock: ManualClock
) -> None:
    feed_server.set("/feed.xml", one_entry())
    config = write_config(tmp_path, rss_source("b", feed_server.url_for("/feed.xml")))
    db, ingestor = open_ingestor(config, clock)
    record = source_record(db, "b")
    with db.session() as session:  # what a process killed mid-fetch leaves behind
        session.add(FetchRecord(source_id=record.id, started_at=clock.now(), outcome="running"))
    clock.advance(60)
    assert ingestor.fetch("b").outcome == "ok"
    first, second = fetch_records(db)
    assert (first.outcome, first.error) == ("error", INTERRUPTED)
    assert second.outcome == "ok"
    ingestor.close()


class SloppySource(Source):
    """A connector that returns one malformed item and one with a naive date."""

    type_name: ClassVar[str] = "sloppy"

    def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        broken = Item("broken", title=None)  # type: ignore[arg-type]
        naive = Item("naive", "Naive date", published=datetime(2026, 3, 2, 9, 0))
        return FetchResult(items=[broken, naive, Item("fine", "Fine")])


def test_malformed_items_are_problems_and_naive_dates_are_utc(
    tmp_path: Path, clock: ManualClock
) -> None:
    config = write_config(tmp_path, '[[sources]]\nname = "s"\ntype = "sloppy"\nbacklog = "all"\n')
    db = Database(config.database.url)
    ingestor = Ingestor(db, config, {"sloppy": SloppySource}, clock)
    ingestor.sync_sources()
    summary = ingestor.fetch("s")
    assert (summary.outcome, summary.items_seen, summary.items_new) == ("ok", 3, 2)
    (problem,) = summary.problems
    assert problem.level == "error" and "item not stored" in problem.message
    assert problem.where == "'broken'"
    stored = {item.external_id: item for item in stored_items(db)}
    assert set(stored) == {"naive", "fine"}
    assert stored["naive"].published == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    ingestor.close()
