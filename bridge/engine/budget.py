"""The API budget as the engine sees it: what is left, what status work may spend, when a
check is worth a request, and when the publisher next has work.

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

from ..store import Approval, Publication, PublicationMedia
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


def headroom(due_creates: int, capacity: int | None = None) -> int:
    """Requests to keep for ``due_creates`` publications waiting to be created.

    Never more than half of ``capacity``: however many creates wait, status work always gets
    part of each window, so nothing starves.
    """
    wanted = MIN_HEADROOM + REQUESTS_PER_CREATE * max(0, due_creates)
    return min(wanted, capacity // 2) if capacity is not None else wanted


def allowance(client: PostoriaClient, *, reserved: int) -> int:
    """Requests lower-priority work may spend now, leaving ``reserved`` for creates."""
    return max(0, client.limiter.remaining() - reserved)


def creates_waiting(db: Database, now: datetime, horizon: timedelta) -> int:
    """Publications that will need a create (or a reconciliation) before ``now + horizon``.

    Called with the budget's window as the horizon: a create due in this window, including one
    waiting out a 429 or a settle time, should find requests left when its time comes.
    """
    until = now + horizon
    check_due = sa.or_(
        col(Publication.next_check_at).is_(None), col(Publication.next_check_at) <= until
    )
    with db.session() as session:
        query = (
            select(sa.func.count())
            .select_from(Publication)
            .where(
                sa.or_(
                    col(Publication.state).in_((S.PENDING, S.MEDIA, S.SUBMITTING)),
                    sa.and_(Publication.state == S.READY, check_due),
                    sa.and_(
                        Publication.state == S.UNKNOWN,
                        col(Publication.next_check_at) <= until,
                    ),
                )
            )
            .where(col(Publication.approval).in_((Approval.NOT_REQUIRED, Approval.APPROVED)))
            .where(sa.or_(col(Publication.due_at).is_(None), col(Publication.due_at) <= until))
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


def next_wakeup(
    db: Database,
    now: datetime,
    *,
    settle: timedelta,
    media_next: datetime | None,
    checks_blocked_until: datetime | None,
    creates_blocked_until: datetime | None = None,
) -> datetime | None:
    """The earliest time any publication needs work, for schedulers that sleep until then.

    Checks (post statuses, media) the budget could not afford are not due before
    ``checks_blocked_until``, and creates held back by an empty window not before
    ``creates_blocked_until``, so a scheduler waits for the window instead of spinning.
    """
    approved = col(Publication.approval).in_((Approval.NOT_REQUIRED, Approval.APPROVED))
    checks = [media_next] if media_next is not None else []
    with db.session() as session:

        def earliest(column: Any, state: str) -> datetime | None:
            query = select(sa.func.min(column)).where(Publication.state == state).where(approved)
            return session.exec(query.where(column.is_not(None))).one()

        submitted = earliest(col(Publication.next_check_at), S.SUBMITTED)
        lost = earliest(col(Publication.next_check_at), S.UNKNOWN)
        pending = earliest(col(Publication.due_at), S.PENDING)
        sending = earliest(col(Publication.submit_started_at), S.SUBMITTING)
        undated = select(Publication.id).where(Publication.state == S.PENDING).where(approved)
        if session.exec(undated.where(col(Publication.due_at).is_(None))).first() is not None:
            pending = now
        ready_rows = select(Publication).where(Publication.state == S.READY).where(approved)
        ready = [wakeup_of(p, now, settle) for p in session.exec(ready_rows)]
    times = [t for t in (lost, pending, *ready) if t is not None]
    if sending is not None:
        times.append(sending + settle)
    if submitted is not None:
        checks.append(submitted)
    if checks_blocked_until is not None:
        checks = [max(t, checks_blocked_until) for t in checks]
    if creates_blocked_until is not None:
        times = [max(t, creates_blocked_until) for t in times]
    return min(times + checks, default=None)


def wakeup_of(publication: Publication, now: datetime, settle: timedelta) -> datetime | None:
    """When one publication next needs work (``None``: only a person can move it)."""
    state = publication.state
    if state == S.PENDING:
        return publication.due_at or now
    if state == S.READY:
        candidates = [t for t in (publication.due_at, publication.next_check_at) if t]
        return max(candidates) if candidates else now
    if state == S.SUBMITTING and publication.submit_started_at:
        return publication.submit_started_at + settle
    if state in (S.UNKNOWN, S.SUBMITTED):
        return publication.next_check_at
    return None  # media: the media rows say when (``media_next``)
