"""Recording every request made to Postoria as an :class:`~bridge.store.Attempt` row.

The client calls a listener after each request with a
:class:`~bridge.postoria.ledger.RequestRecord`; requests made inside ``client.tag(
publication_id=…)`` carry that ID. The recorder keeps the records in memory and
:meth:`AttemptRecorder.flush` writes them, adding each publication's budget-counting requests to
``publication.requests_spent`` in the same transaction. Writing from the listener itself would
open a second database transaction inside whatever the caller is doing (SQLite allows one
writer), so the publisher flushes between units of work instead, when it holds no session.

Requests that serve many publications at once (a status list covering fifty posts) are recorded
with no publication: their cost is shared, and ``requests_spent`` counts only what one
publication spent alone.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..store import Attempt, Publication

if TYPE_CHECKING:
    from ..postoria.ledger import RequestRecord
    from ..store import Database

PUBLICATION_TAG = "publication_id"
MAX_BUFFERED = 10_000
"""Records kept before the oldest are dropped, should nobody flush (a leak guard, not a limit
reached in practice: the publisher flushes after every unit of work)."""


class AttemptRecorder:
    """Buffers the client's request records and stores them as attempts."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._pending: list[RequestRecord] = []

    def __call__(self, record: RequestRecord) -> None:
        """The client listener: remember one finished request."""
        with self._lock:
            self._pending.append(record)
            if len(self._pending) > MAX_BUFFERED:
                del self._pending[0]

    def flush(self) -> int:
        """Write every buffered record; returns how many were written."""
        with self._lock:
            records, self._pending = self._pending, []
        if not records:
            return 0
        spent: Counter[int] = Counter()
        with self.db.session() as session:
            for record in records:
                publication_id = publication_of(record)
                session.add(to_attempt(record, publication_id))
                if publication_id is not None and record.counts_against_budget:
                    spent[publication_id] += 1
            for publication_id, count in spent.items():
                session.execute(
                    sa.update(Publication)
                    .where(Publication.id == publication_id)  # type: ignore[arg-type]
                    .values(requests_spent=Publication.requests_spent + count)
                )
        return len(records)


def publication_of(record: RequestRecord) -> int | None:
    """The publication a request was made for, from its tags."""
    value = record.tags.get(PUBLICATION_TAG)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def to_attempt(record: RequestRecord, publication_id: int | None) -> Attempt:
    """The attempt row for one request record (path and error are already redacted)."""
    return Attempt(
        publication_id=publication_id,
        endpoint=record.endpoint[:120],
        status_code=record.status,
        outcome=str(record.outcome)[:40],
        error=record.error,
        request_id=(record.request_id or None) and record.request_id[:120],
        started_at=record.started_at,
        duration_ms=round(record.duration * 1000.0, 3),
    )
