"""The API budget as the engine sees it: what is left, what status work may spend, and when
a check is worth a request.

One budget per API key is shared by everything in the process (the client's shared limiter).
The limiter already serves waiting requests by priority; this module adds the engine's rule on
top: status polling and optional reads never take the last requests of a window while creates
are due. Before such work the publisher asks :func:`allowance` how many requests it may spend
now, keeping ``headroom`` for the creates, media checks and reconciliations that are waiting.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import col, select

from ..store import Publication, PublicationMedia
from ..store import PublicationState as S

if TYPE_CHECKING:
    from ..postoria import PostoriaClient
    from ..store import Database

PUBLISH_EXPECTED = timedelta(seconds=10)
"""How long after its time a post is usually published on every account; first check then."""
DEFAULT_STATUS_INTERVAL = timedelta(seconds=60)
"""The engine's default ``status_interval``: the first wait between reads of a post."""
MAX_RECHECK = timedelta(minutes=10)
DEFAULT_PROCESSING = timedelta(seconds=5)
"""Expected media processing time before any media has been seen ready."""
MIN_PROCESSING, MAX_PROCESSING = timedelta(seconds=1), timedelta(minutes=5)
HISTORY = 25
"""Recent ready media the expected processing time is learned from."""
MIN_HEADROOM = 5
"""Requests always kept for creates, whatever is due right now (a create may take a retry)."""
REQUESTS_PER_CREATE = 2
"""Headroom per due publication: its create, plus one retry or reconciliation list."""


@dataclass(frozen=True)
class BudgetSnapshot:
    """The budget at one moment, for summaries, the dashboard and logs."""

    remaining: int
    capacity: int
    period_seconds: float
    spent_total: int
    by_endpoint: dict[str, dict[str, int]]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {
            "remaining": self.remaining,
            "capacity": self.capacity,
            "period_seconds": self.period_seconds,
            "spent_total": self.spent_total,
            "by_endpoint": self.by_endpoint,
        }


@dataclass
class Allowance:
    """Requests a piece of lower-priority work may still spend in this pass."""

    left: int

    def take(self) -> bool:
        """Spend one request if any is left."""
        if self.left <= 0:
            return False
        self.left -= 1
        return True


def snapshot(client: PostoriaClient) -> BudgetSnapshot:
    """How much of the key's budget is left in the current window, and what was spent."""
    limiter = client.limiter
    ledger = client.ledger.snapshot()
    return BudgetSnapshot(
        remaining=limiter.remaining(),
        capacity=limiter.budget.capacity,
        period_seconds=limiter.budget.per,
        spent_total=ledger.budget_requests,
        by_endpoint=ledger.by_endpoint(),
    )


def headroom(due_creates: int) -> int:
    """Requests to keep for ``due_creates`` publications waiting to be created."""
    return MIN_HEADROOM + REQUESTS_PER_CREATE * max(0, due_creates)


def allowance(client: PostoriaClient, *, reserved: int) -> int:
    """Requests lower-priority work may spend now, leaving ``reserved`` for creates."""
    return max(0, client.limiter.remaining() - reserved)


def creates_waiting(db: Database, now: datetime) -> int:
    """Publications due to be created or reconciled: what the headroom is kept for."""
    with db.session() as session:
        query = (
            select(sa.func.count())
            .select_from(Publication)
            .where(col(Publication.state).in_((S.READY, S.UNKNOWN, S.SUBMITTING)))
            .where(sa.or_(col(Publication.due_at).is_(None), col(Publication.due_at) <= now))
        )
        return int(session.exec(query).one())


def next_check(
    post_date: datetime | None,
    check_count: int,
    now: datetime,
    interval: timedelta = DEFAULT_STATUS_INTERVAL,
) -> datetime:
    """When to read a post again.

    The first read comes just after the post's time (its date when in the future, else now),
    when Postoria has usually published it; later reads back off from ``interval`` (the
    engine's ``status_interval``), doubling up to :data:`MAX_RECHECK`, while Postoria is still
    publishing.
    """
    if check_count == 0 or (post_date is not None and post_date > now):
        start = post_date if post_date is not None and post_date > now else now
        return start + min(PUBLISH_EXPECTED, interval)
    cap = max(MAX_RECHECK, interval)
    return now + min(interval * (2 ** (check_count - 1)), cap)


def expected_processing(db: Database) -> timedelta:
    """The median ``ready_at - requested_at`` of recent media, within sane bounds.

    Media status is first checked when processing is likely done, rather than on a fixed beat
    of a few seconds that would spend requests on answers saying "still processing".
    """
    with db.session() as session:
        query = (
            select(PublicationMedia.requested_at, PublicationMedia.ready_at)
            .where(PublicationMedia.state == "ready")
            .where(col(PublicationMedia.ready_at).is_not(None))
            .where(col(PublicationMedia.requested_at).is_not(None))
            .order_by(col(PublicationMedia.ready_at).desc())
            .limit(HISTORY)
        )
        spans = [(ready - asked).total_seconds() for asked, ready in session.exec(query)]
    if not spans:
        return DEFAULT_PROCESSING
    median = timedelta(seconds=statistics.median(spans))
    return min(max(median, MIN_PROCESSING), MAX_PROCESSING)
