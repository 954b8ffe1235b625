"""A small world for routing tests: a feed on loopback, the Postoria sandbox, a store.

``World`` writes a config whose source reads the test's feed and whose routes are given by
the test, resolves them against the sandbox (GETs only), and ingests and routes on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from sqlmodel import select

from bridge import registry
from bridge.clock import ManualClock
from bridge.config import BridgeConfig, load_config
from bridge.engine.directory import AccountDirectory, postoria_client
from bridge.engine.ingest import Ingestor
from bridge.engine.routing import Router
from bridge.feedserver import FeedServer
from bridge.postoria import Budget, RateLimiter
from bridge.sandbox import SandboxServer
from bridge.store import Database, ItemRecord, Publication, PublicationMedia

SANDBOX_KEY = "pst_test_agency_key"


@dataclass
class Entry:
    """One RSS ``<item>``."""

    guid: str
    title: str
    link: str | None = None
    description: str = ""
    published: datetime | None = None
    categories: list[str] = field(default_factory=list)
    author: str | None = None
    image: str | None = None
    video: str | None = None


def rss_document(entries: list[Entry]) -> bytes:
    """An RSS 2.0 document with ``entries`` in order."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
        "<title>Acme blog</title><link>https://acme.example/</link><description>d</description>",
    ]
    for entry in entries:
        parts += ["<item>", f'<guid isPermaLink="false">{escape(entry.guid)}</guid>']
        parts.append(f"<title>{escape(entry.title)}</title>")
        if entry.link:
            parts.append(f"<link>{escape(entry.link)}</link>")
        parts.append(f"<description>{escape(entry.description)}</description>")
        if entry.published:
            parts.append(f"<pubDate>{format_datetime(entry.published)}</pubDate>")
        parts += [f"<category>{escape(c)}</category>" for c in entry.categories]
        if entry.author:
            parts.append(f"<dc:creator>{escape(entry.author)}</dc:creator>")
        for url, mime in ((entry.image, "image/jpeg"), (entry.video, "video/mp4")):
            if url:
                parts.append(f'<enclosure url="{escape(url)}" type="{mime}" length="1000"/>')
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def config_text(sandbox_url: str, database: Path | str, sources: str, routes: str) -> str:
    """A full config: the sandbox, a database (a SQLite file path or a URL), the tables."""
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    return (
        f'[postoria]\napi_key = "{SANDBOX_KEY}"\nbase_url = "{sandbox_url}"\n\n'
        f'[database]\nurl = "{url}"\n\n{sources}\n{routes}'
    )


class World:
    """Config, store, directory, ingestor and router wired to a feed server and a sandbox."""

    def __init__(
        self,
        tmp_path: Path,
        sandbox: SandboxServer,
        feeds: FeedServer,
        clock: ManualClock,
        routes: str,
        *,
        entries: list[Entry] | None = None,
        database_url: str | None = None,
        extra_sources: str = "",
    ) -> None:
        self.tmp_path = tmp_path
        self.feeds = feeds
        self.clock = clock
        self.feeds.set("/feed.xml", rss_document(entries or []))
        sources = (
            f'[[sources]]\nname = "blog"\ntype = "rss"\nurl = "{feeds.url_for("/feed.xml")}"\n'
            'backlog = "skip"\n'
        ) + extra_sources
        self.config_path = tmp_path / "bridge.toml"
        self.config_path.write_text(
            config_text(sandbox.url, database_url or tmp_path / "bridge.db", sources, routes),
            encoding="utf-8",
        )
        self.config: BridgeConfig = load_config(self.config_path)
        self.open()
        for source in self.config.sources:
            self.ingestor.fetch(source.name)  # first run: the backlog is skipped

    def open(self) -> None:
        """(Re)build every part on the same files, as a restarted process would."""
        self.db = Database(self.config.database.url)
        # Its own limiter: the CLI commands under test share the process's, on the real clock.
        limiter = RateLimiter(Budget(), self.clock)
        self.client = postoria_client(self.config, self.clock, limiter=limiter)
        self.directory = AccountDirectory(self.client, self.db, self.clock)
        self.directory.refresh(self.config)
        self.ingestor = Ingestor(self.db, self.config, registry.source_types(), self.clock)
        self.ingestor.sync_sources()
        self.router = Router(self.db, self.config, self.directory, self.clock)

    def close(self) -> None:
        """Release connections and clients."""
        self.ingestor.close()
        self.client.close()
        self.db.dispose()

    def publish(self, entries: list[Entry]) -> list[int]:
        """Serve ``entries`` as the feed, fetch it and route what is new."""
        self.feeds.set("/feed.xml", rss_document(entries))
        summary = self.ingestor.fetch("blog")
        assert summary.outcome == "ok", summary.error
        return self.router.route_new_items()

    def publications(self) -> list[Publication]:
        """Every publication, oldest first."""
        with self.db.session() as session:
            return list(session.exec(select(Publication).order_by(Publication.id)).all())

    def media(self, publication_id: int) -> list[PublicationMedia]:
        """The media rows of one publication, in order."""
        with self.db.session() as session:
            query = select(PublicationMedia).where(
                PublicationMedia.publication_id == publication_id
            )
            return sorted(session.exec(query).all(), key=lambda m: m.position)

    def items(self) -> list[ItemRecord]:
        """Every stored item, oldest first."""
        with self.db.session() as session:
            return list(session.exec(select(ItemRecord).order_by(ItemRecord.id)).all())
