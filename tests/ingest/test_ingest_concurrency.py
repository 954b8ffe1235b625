"""Two processes' ingestors storing the same items at the same moment store each once."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

from ingest_helpers import stored_items, write_config
from sqlmodel import func, select

from bridge import FetchResult, Item, Source
from bridge.clock import ManualClock
from bridge.engine.ingest import Ingestor
from bridge.store import Database, ItemIdentity

ROUNDS = 5


class BarrierSource(Source):
    """Returns the shared items, but only once every concurrent fetch has got them."""

    type_name: ClassVar[str] = "barrier"
    items: ClassVar[list[Item]] = []
    barrier: ClassVar[threading.Barrier] = threading.Barrier(2)

    def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        items = [Item(i.external_id, i.title, i.link, aliases=list(i.aliases)) for i in self.items]
        self.barrier.wait(timeout=30)
        return FetchResult(items=items)


def test_concurrent_fetches_store_each_item_once(
    tmp_path: Path, clock: ManualClock, database_url: str
) -> None:
    config = write_config(
        tmp_path,
        '[[sources]]\nname = "shared"\ntype = "barrier"\nbacklog = "all"\n',
        database_url=database_url,
    )
    types: dict[str, type[Source]] = {"barrier": BarrierSource}
    databases = [Database(config.database.url) for _ in range(2)]
    ingestors = [Ingestor(db, config, types, clock) for db in databases]
    for ingestor in ingestors:
        ingestor.sync_sources()
    results: list[int] = []
    for round_number in range(ROUNDS):
        BarrierSource.items = [
            Item(f"r{round_number}-{n}", f"T{n}", f"https://x.example/{round_number}/{n}")
            for n in range(30)
        ] + BarrierSource.items
        threads = [
            threading.Thread(target=lambda i=i: results.append(i.fetch("shared").items_new))
            for i in ingestors
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        clock.advance(timedelta(minutes=10))
    items = stored_items(databases[0])
    assert len(items) == 30 * ROUNDS
    assert len({item.external_id for item in items}) == 30 * ROUNDS
    assert sum(results) == 30 * ROUNDS  # each item counted new by exactly one of the two
    with databases[0].session() as session:
        identities = session.exec(select(func.count()).select_from(ItemIdentity)).one()
    assert identities == 30 * ROUNDS  # each item's one identity, once
    for ingestor, db in zip(ingestors, databases, strict=True):
        ingestor.close()
        db.dispose()
