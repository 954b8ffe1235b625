"""A publishing world for tests: sandbox, client, database and publisher sharing one clock.

Publications are inserted the way routing inserts them (with a source, an item and media rows),
then the publisher is stepped while the shared manual clock jumps to its next wakeup, so hours
of polling run in milliseconds and nothing sleeps.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select

from bridge.clock import ManualClock
from bridge.config import EngineSettings
from bridge.engine.publisher import Publisher
from bridge.postoria import PostoriaClient
from bridge.sandbox import SandboxServer
from bridge.store import (
    AccountResult,
    Attempt,
    Database,
    ItemRecord,
    Publication,
    PublicationMedia,
    SourceRecord,
)

ACME = 1
ACME_X = 101
ACME_LINKEDIN = 102
ACME_FACEBOOK = 103
ACME_INSTAGRAM = 104
ACME_TIKTOK = 105
ACME_BLUESKY = 106
ACME_YOUTUBE = 107
MAIN_QUEUE = 11
GLOBEX = 2
GLOBEX_FACEBOOK = 201

JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64 + b"IEND\xaeB`\x82"

_NETWORKS = {
    ACME_X: "x",
    ACME_LINKEDIN: "linkedin",
    ACME_FACEBOOK: "facebook",
    ACME_INSTAGRAM: "instagram",
    ACME_TIKTOK: "tiktok",
    ACME_BLUESKY: "bluesky",
    ACME_YOUTUBE: "youtube",
    GLOBEX_FACEBOOK: "facebook",
}


@dataclass
class World:
    """Everything a publishing test touches."""

    server: SandboxServer
    clock: ManualClock
    db: Database
    client: PostoriaClient
    settings: EngineSettings
    publisher: Publisher
    allow_private: bool = True
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    source_id: int = 0

    def add(
        self,
        *,
        caption: str = "Hello from the bridge",
        accounts: tuple[int, ...] = (ACME_X, ACME_LINKEDIN),
        mode: str = "publish_now",
        workspace_id: int = ACME,
        media: tuple[str, ...] = (),
        due_in: float = 0.0,
        **fields: Any,
    ) -> int:
        """Insert a publication as routing would and return its ID."""
        now = self.clock.now()
        number = next(self._counter)
        with self.db.session() as session:
            if not self.source_id:
                source = SourceRecord(name="blog", type="rss", created_at=now)
                session.add(source)
                session.flush()
                self.source_id = source.id or 0
            item = ItemRecord(
                source_id=self.source_id,
                external_id=f"item-{number}",
                title=f"Item {number}",
                link=f"https://blog.example/{number}",
                first_seen_at=now,
            )
            session.add(item)
            session.flush()
            publication = Publication(
                item_id=item.id or 0,
                source_id=self.source_id,
                route="news",
                workspace_id=workspace_id,
                account_ids=list(accounts),
                networks=[_NETWORKS.get(a, "x") for a in accounts],
                mode=mode,
                due_at=now + timedelta(seconds=due_in),
                caption=caption,
                created_at=now,
                updated_at=now,
                **fields,
            )
            session.add(publication)
            session.flush()
            for position, url in enumerate(media):
                session.add(
                    PublicationMedia(
                        publication_id=publication.id or 0, position=position, source_url=url
                    )
                )
            return publication.id or 0

    def run(self, *, max_steps: int = 200) -> int:
        """Step until nothing is pending, jumping the clock to each wakeup; returns steps."""
        publisher = self.publisher
        for steps in range(1, max_steps + 1):
            publisher.step()
            if publisher.pending_count() == 0:
                return steps
            wake = publisher.next_wakeup()
            if wake is None:
                return steps
            if wake > self.clock.now():
                self.clock.set(wake)
        raise AssertionError(f"still {publisher.pending_count()} pending after {max_steps} steps")

    def run_beside(self, other: Publisher, *, rounds: int, pause: float) -> list[BaseException]:
        """Step this world's publisher and ``other`` in two threads at once, round after round,
        ``pause`` seconds apart, until nothing is pending; returns what either raised."""
        errors: list[BaseException] = []

        def step(publisher: Publisher) -> None:
            try:
                publisher.step()
            except BaseException as exc:  # reported to the caller: a replica must never crash
                errors.append(exc)

        for _ in range(rounds):
            threads = [threading.Thread(target=step, args=(p,)) for p in (self.publisher, other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if self.publisher.pending_count() == 0:
                break
            wakeup = self.publisher.next_wakeup()
            assert wakeup is not None and wakeup.tzinfo is not None
            self.advance(pause)
        return errors

    def advance(self, seconds: float) -> None:
        """Move the shared clock (sandbox and bridge) forward."""
        self.clock.advance(seconds)

    def publication(self, publication_id: int) -> Publication:
        """The stored publication."""
        with self.db.session() as session:
            found = session.get(Publication, publication_id)
            assert found is not None
            return found

    def media_rows(self, publication_id: int) -> list[PublicationMedia]:
        """The publication's media rows in order."""
        with self.db.session() as session:
            query = (
                select(PublicationMedia)
                .where(PublicationMedia.publication_id == publication_id)
                .order_by(col(PublicationMedia.position))
            )
            return list(session.exec(query))

    def results(self, publication_id: int) -> dict[int, AccountResult]:
        """The publication's per-account results by account ID."""
        with self.db.session() as session:
            query = select(AccountResult).where(AccountResult.publication_id == publication_id)
            return {r.account_id: r for r in session.exec(query)}

    def attempts(self, publication_id: int | None = None) -> list[Attempt]:
        """Attempt rows, for one publication or all."""
        with self.db.session() as session:
            query = select(Attempt).order_by(col(Attempt.id))
            if publication_id is not None:
                query = query.where(Attempt.publication_id == publication_id)
            return list(session.exec(query))

    def posts(self, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Every post in the sandbox, newest first."""
        return self.server.state.posts(include_deleted=include_deleted)

    def post_record(self, post_id: int) -> Any:
        """The sandbox's stored record of a post (every field it was created with)."""
        return self.server.state.post_records[post_id]

    def captions_posted(self) -> Counter[str]:
        """How many live sandbox posts carry each caption."""
        return Counter(self.post_record(p["id"]).caption for p in self.posts())

    def served(self, endpoint: str) -> list[dict[str, Any]]:
        """The sandbox's log entries for one endpoint (``create_post``, ``list_posts``, …)."""
        return [e for e in self.server.state.requests() if e["endpoint"] == endpoint]

    def restart(self) -> Publisher:
        """Replace the publisher by a new one on the same database (a restarted process)."""
        self.publisher.close()
        self.publisher = Publisher(
            self.db,
            self.client,
            self.clock,
            self.settings,
            allow_private_media_hosts=self.allow_private,
        )
        return self.publisher


def at(clock: ManualClock, seconds: float) -> datetime:
    """The clock's time plus ``seconds``."""
    return clock.now() + timedelta(seconds=seconds)
