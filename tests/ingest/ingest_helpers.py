"""Small builders for ingest tests: RSS documents and config files written to tmp_path."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from sqlmodel import select

from bridge import registry
from bridge.clock import Clock
from bridge.config import BridgeConfig, load_config
from bridge.engine.ingest import Ingestor
from bridge.store import Database, FetchRecord, ItemRecord, SourceRecord


@dataclass
class Entry:
    """One RSS ``<item>``; ``guid=None`` leaves the element out."""

    guid: str | None
    title: str
    link: str | None = None
    description: str = ""
    published: datetime | None = None
    categories: list[str] = field(default_factory=list)
    author: str | None = None
    enclosure: str | None = None


def rss_document(entries: list[Entry], *, title: str = "Test feed") -> bytes:
    """An RSS 2.0 document with ``entries`` in the given order."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
        f"<title>{escape(title)}</title><link>https://blog.example/</link>",
        "<description>tests</description>",
    ]
    for entry in entries:
        parts.append("<item>")
        if entry.guid is not None:
            parts.append(f'<guid isPermaLink="false">{escape(entry.guid)}</guid>')
        parts.append(f"<title>{escape(entry.title)}</title>")
        if entry.link:
            parts.append(f"<link>{escape(entry.link)}</link>")
        parts.append(f"<description>{escape(entry.description)}</description>")
        if entry.published:
            parts.append(f"<pubDate>{format_datetime(entry.published)}</pubDate>")
        for category in entry.categories:
            parts.append(f"<category>{escape(category)}</category>")
        if entry.author:
            parts.append(f"<dc:creator>{escape(entry.author)}</dc:creator>")
        if entry.enclosure:
            parts.append(
                f'<enclosure url="{escape(entry.enclosure)}" type="image/jpeg" length="0"/>'
            )
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def write_config(tmp_path: Path, body: str, *, database_url: str | None = None) -> BridgeConfig:
    """A config file with a dummy Postoria section, ``body`` appended, loaded from disk."""
    url = database_url or f"sqlite:///{tmp_path / 'bridge.db'}"
    text = (
        '[postoria]\napi_key = "pst_test_unused"\nbase_url = "http://127.0.0.1:9/v1"\n\n'
        f'[database]\nurl = "{url}"\n\n{body}'
    )
    path = tmp_path / "bridge.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def rss_source(name: str, url: str, **extra: str) -> str:
    """A ``[[sources]]`` table of type rss; ``extra`` values are written as TOML strings."""
    lines = ["[[sources]]", f'name = "{name}"', 'type = "rss"', f'url = "{url}"']
    lines += [f'{key} = "{value}"' for key, value in extra.items()]
    return "\n".join(lines) + "\n\n"


def stored_items(db: Database) -> list[ItemRecord]:
    """Every stored item, oldest first."""
    with db.session() as session:
        return list(session.exec(select(ItemRecord).order_by(ItemRecord.id)).all())


def fetch_records(db: Database) -> list[FetchRecord]:
    """Every fetch record, oldest first."""
    with db.session() as session:
        return list(session.exec(select(FetchRecord).order_by(FetchRecord.id)).all())


def source_record(db: Database, name: str) -> SourceRecord:
    """The stored record of source ``name``."""
    with db.session() as session:
        record = session.exec(select(SourceRecord).where(SourceRecord.name == name)).one()
        return record


def open_ingestor(config: BridgeConfig, clock: Clock) -> tuple[Database, Ingestor]:
    """A fresh Database and Ingestor on the config's database, sources synced."""
    db = Database(config.database.url)
    ingestor = Ingestor(db, config, registry.source_types(), clock)
    ingestor.sync_sources()
    return db, ingestor
