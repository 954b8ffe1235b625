"""The publisher: moves routed publications through Postoria, exactly once, within budget.

Routing leaves ``pending`` publications (with their media rows); the publisher does the rest in
one :meth:`Publisher.step` at a time, in priority order:

1. reconcile creates whose outcome is unknown (:mod:`bridge.engine.reconcile`): nothing else
   may create a post for them until Postoria has been asked what exists;
2. start media imports and uploads of due publications (:mod:`bridge.engine.media`);
3. create the posts of due, ready publications (:mod:`bridge.engine.creates`);
4. check media processing, then 5. poll post statuses (:mod:`bridge.engine.status`), both
   within what the budget allows after keeping headroom for creates (:mod:`bridge.engine.budget`).

Creates (step 3) follow a discipline that keeps a post from appearing twice: the intent is
committed before the request leaves, and only reconciliation may send again a create whose
outcome is unknown. That step lives in :class:`~bridge.engine.creates.CreateStep`, a mixin of
:class:`Publisher`; see :mod:`bridge.engine.creates`.

Stopping: :attr:`Publisher.stop_requested` ends a step at the next publication boundary. Every
per-publication loop (reconciliation batches, media starts, creates, media checks, status
batches) looks at it before taking the next one, never in between: a create is recorded,
sent and its answer stored as one unit. Creates never wait in the rate limiter (see
:mod:`bridge.engine.creates`), so a stop is never held up by a budget window on their account.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import col, select

from ..store import Approval, Publication, PublicationMedia
from ..store import PublicationState as S
from . import budget, reconcile
from .attempts import AttemptRecorder, transition
from .creates import CreateStep
from .download import Downloader
from .media import MediaStage
from .media_rows import media_policy
from .status import Canceller, StatusPoller

if TYPE_CHECKING:
    from ..clock import Clock
    from ..config.models import EngineSettings
    from ..postoria import PostoriaClient
    from ..store import Database

log = logging.getLogger(__name__)

APPROVED = (Approval.NOT_REQUIRED, Approval.APPROVED)
BUDGET_RECHECK = timedelta(seconds=10)
"""Least wait before checks the budget could not afford are tried again."""


@dataclass
class StepReport:
    """What one :meth:`Publisher.step` did, by kind of work (publications or rows handled)."""

    reconciled: int = 0
    media_started: int = 0
    submitted: int = 0
    media_checked: int = 0
    polled: int = 0

    @property
    def total(self) -> int:
        """Everything done in the step."""
        return sum(asdict(self).values())

    def as_dict(self) -> dict[str, int]:
        """The counts by kind."""
        return asdict(self)


class Publisher(CreateStep):
    """Publishes due publications and follows them to a final state.

    Step 3, the creates, comes from :class:`~bridge.engine.creates.CreateStep`.

    One per client: it records every request the client makes (as attempts) through a listener,
    so two publishers on one client would count each request twice.
    """

    def __init__(
        self,
        db: Database,
        client: PostoriaClient,
        clock: Clock,
        settings: EngineSettings,
        *,
        allow_private_media_hosts: bool = False,
    ) -> None:
        self.db = db
        self.client = client
        self.clock = clock
        self.settings = settings
        self.attempts = AttemptRecorder(db)
        client.add_listener(self.attempts)
        downloads = Path(settings.data_dir) / "downloads" if settings.data_dir else None
        if downloads is not None:
            downloads.mkdir(parents=True, exist_ok=True)
        self.downloader = Downloader(
            max_bytes=int(settings.download_max_bytes),
            timeout=settings.http_timeout.total_seconds(),
            user_agent=settings.user_agent,
            directory=downloads,
            allow_private_hosts=allow_private_media_hosts,
        )
        self.stop_requested = threading.Event()
        """Set (from any thread) to end the current step at the next publication boundary."""
        stop = self.stop_requested
        self.media = MediaStage(
            db, client, clock, self.downloader, media_timeout=settings.media_timeout, stop=stop
        )
        interval = settings.status_interval
        self.poller = StatusPoller(db, client, clock, interval=interval, stop=stop)
        self.reconciler = reconcile.Reconciler(
            db,
            client,
            clock,
            status_interval=interval,
            busy=lambda: set(self.in_flight),
            stop=stop,
        )
        self.canceller = Canceller(db, client, clock)
        self._checks_blocked_until: datetime | None = None
        self._creates_blocked_until: datetime | None = None
        self.in_flight: set[int] = set()
        """Publications whose create this process is sending right now (never reconciled)."""

    def close(self) -> None:
        """Stop recording the client's requests (store what is buffered first)."""
        self.attempts.flush()
        self.client.remove_listener(self.attempts)

    # -- the step ----------------------------------------------------------------------------

    def step(self) -> StepReport:
        """One pass over everything due, most important work first."""
        report = StepReport()
        report.reconciled = self._recorded(self.reconcile_unknown)
        report.media_started = self._recorded(self.start_media)
        report.submitted = self._recorded(self.submit_due)
        report.media_checked = self._recorded(self.check_media)
        report.polled = self._recorded(self.poll_statuses)
        return report

    def _recorded(self, work: Any) -> int:
        try:
            return int(work())
        finally:
            self.attempts.flush()

    # -- 1. reconciliation --------------------------------------------------------------------

    def reconcile_unknown(self) -> int:
        """Settle every create whose outcome is unknown and whose settle time has passed."""
        return self.reconciler.run()

    @property
    def reconcile_after(self) -> timedelta:
        """How long after a create was sent its outcome may be reconciled."""
        return self.reconciler.settle

    # -- 2. media -----------------------------------------------------------------------------

    def start_media(self) -> int:
        """Start media for due publications (and retry interrupted media steps); returns the
        publications that moved on or had a media step started."""
        started = 0
        for publication in self._due(S.PENDING) + self._due(S.MEDIA):
            if self.stop_requested.is_set():
                break
            pid = publication.id or 0
            now = self.clock.now()
            if publication.state == S.PENDING:
                has_media = media_policy(publication) != "none" and self._has_media(pid)
                target = S.MEDIA if has_media else S.READY
                if not transition(self.db, pid, {S.PENDING}, state=target, updated_at=now):
                    continue
                if not has_media:
                    started += 1
                    continue
                publication.state = S.MEDIA
                started += 1
                self.media.start(publication)
            elif self.media.start(publication):
                started += 1
        return started

    def _has_media(self, publication_id: int) -> bool:
        with self.db.session() as session:
            query = select(PublicationMedia.id).where(
                PublicationMedia.publication_id == publication_id
            )
            return session.exec(query).first() is not None

    # -- 4 and 5. checks within the budget ----------------------------------------------------

    def check_media(self) -> int:
        """Check media processing, keeping headroom for due creates."""
        return self.media.check(self._allowance())

    def poll_statuses(self) -> int:
        """Read post statuses in batches, keeping headroom for due creates."""
        return self.poller.poll(self._allowance())

    def _allowance(self) -> int:
        now = self.clock.now()
        limits = self.client.limiter.budget
        waiting = budget.creates_waiting(self.db, now, timedelta(seconds=limits.per))
        reserved = budget.headroom(waiting, limits.capacity)
        allowed = budget.allowance(self.client, reserved=reserved)
        self._checks_blocked_until = None
        if allowed <= 0:
            # Checks wait for the window to free up: tell sleeping schedulers so, rather than
            # waking them again and again for checks that cannot be afforded yet.
            wait = max(BUDGET_RECHECK.total_seconds(), self.client.limiter.wait_time())
            self._checks_blocked_until = now + timedelta(seconds=wait)
        return allowed

    # -- scheduling helpers ------------------------------------------------------------------

    def next_wakeup(self) -> datetime | None:
        """The earliest time any publication needs work; ``None`` when nothing is waiting."""
        return budget.next_wakeup(
            self.db,
            self.clock.now(),
            settle=self.reconcile_after,
            media_next=self.media.next_check_at(),
            checks_blocked_until=self._checks_blocked_until,
            creates_blocked_until=self._creates_blocked_until,
        )

    def pending_count(self) -> int:
        """Publications the publisher still has to move: not final, not waiting for (or
        refused) approval, and not left for a person after an ambiguous reconciliation."""
        left_for_a_person = sa.and_(
            Publication.state == S.UNKNOWN, col(Publication.next_check_at).is_(None)
        )
        with self.db.session() as session:
            query = (
                select(sa.func.count())
                .select_from(Publication)
                .where(col(Publication.state).not_in(S.FINAL))
                .where(col(Publication.approval).in_(APPROVED))
                .where(sa.not_(left_for_a_person))
            )
            return int(session.exec(query).one())

    # -- cancelling ----------------------------------------------------------------------------

    def cancel(self, publication_id: int, *, recreate: bool = False) -> None:
        """Cancel a publication: intent recorded, then DELETE, then ``cancelled``.

        With ``recreate`` (a source changed the item), the publication goes back to
        ``pending`` once its post is deleted, to be created afresh. See
        :class:`~bridge.engine.status.Canceller`.
        """
        try:
            self.canceller.cancel(publication_id, recreate=recreate)
        finally:
            self.attempts.flush()

    # -- queries -------------------------------------------------------------------------------

    def _due(self, state: str) -> list[Publication]:
        now = self.clock.now()
        with self.db.session() as session:
            query = (
                select(Publication)
                .where(Publication.state == state)
                .where(col(Publication.approval).in_(APPROVED))
                .where(sa.or_(col(Publication.due_at).is_(None), col(Publication.due_at) <= now))
                .order_by(col(Publication.due_at), col(Publication.id))
            )
            return list(session.exec(query))
