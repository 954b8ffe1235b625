"""Ingest: poll each source through its plugin and store every item exactly once.

One :class:`Ingestor` serves every configured source. ``fetch(name)`` asks the source's plugin
for its current items, then, in one transaction, stores the items never seen before, saves the
new cursor and finishes the :class:`~bridge.store.FetchRecord`. The cursor and the items commit
together: a crash between them can neither lose items (cursor saved, items not) nor repeat
them (the seen-set makes a re-read harmless).

Deduplication (:class:`SeenSet`): an item is new only if none of its identities
(guid, link alias, content hash) was ever recorded for the source, and identities are never
forgotten, so edits, reorders, re-dating or a new guid on the same link never make an item new
again.

Source problems never escape ``fetch``: a broken feed, an HTML page where a feed was, or a
plugin that crashes is recorded on the fetch and the source, and the source backs off
exponentially (with jitter, capped at :data:`MAX_BACKOFF`) while the others keep going.
"""

from __future__ import annotations

from .ingestor import Ingestor
from .items import initial_statuses, item_from_record, record_from_item, valid_items
from .outcome import (
    INTERRUPTED,
    MAX_BACKOFF,
    MAX_PROBLEMS_KEPT,
    MIN_BACKOFF,
    FetchSummary,
    backoff_delay,
)
from .seen import SeenSet

__all__ = [
    "INTERRUPTED",
    "MAX_BACKOFF",
    "MAX_PROBLEMS_KEPT",
    "MIN_BACKOFF",
    "FetchSummary",
    "Ingestor",
    "SeenSet",
    "backoff_delay",
    "initial_statuses",
    "item_from_record",
    "record_from_item",
    "valid_items",
]
