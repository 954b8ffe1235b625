"""The publisher: moves routed publications through Postoria, exactly once, within budget.

Routing leaves ``pending`` publications (with their media rows); the publisher does the rest in
one :meth:`Publisher.step` at a time, in priority order:

1. reconcile creates whose outcome is unknown (:mod:`bridge.engine.reconcile`): nothing else
   may create a post for them until Postoria has been asked what exists;
2. start media imports and uploads of due publications (:mod:`bridge.engine.media`);
3. create the posts of due, ready publications;
4. check media processing, then 5. poll post statuses (:mod:`bridge.engine.status`), both
   within what the budget allows after keeping headroom for creates (:mod:`bridge.engine.budget`).

The create discipline is what keeps a post from appearing twice: the publication is stored as
``submitting``, with its fingerprint and the time, and committed *before* the request leaves;
its post ID is stored right after. Any answer that does not prove what happened (a lost answer,
a 5xx, garbage, a crash in between) leaves it ``unknown``/``submitting``, and only
reconciliation may send it again. A 429 or a refused connection proves nothing was created and
simply waits; a 4xx rejection fails the publication with Postoria's message and request ID.
An intent is only recorded when the budget lets the request leave at once, a create this
process is sending is never reconciled, and a post made by a create that was superseded meanwhile
(held up past the settle time while another replica settled it) is deleted.

Stopping: :attr:`Publisher.stop_requested` ends a step at the next publication boundary. Every
per-publication loop (reconciliation batches, media starts, creates, media checks, status
batches) looks at it before taking the next one, never in between: a create is recorded,
sent and its answer stored as one unit. Creates never wait in the rate limiter (see above), so
a stop is never held up by a budget window on their account.

Schedule mode: a scheduled time that has passed by the time the post is sent (the bridge was
down, media took long) is moved forward to :data:`SCHEDULE_LEAD` from now, the least that keeps
it in the future when Postoria receives it; the new time is stored before sending.
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

from ..errors import (
    AuthenticationError,
    OutcomeUnknownError,
    PostoriaError,
    PostoriaTransportError,
    RateLimitedError,
)
from ..postoria import Priority
from ..store import Approval, Publication, PublicationMedia
from ..store import PublicationState as S
from . import budget, reconcile
from .attempts import (
    AttemptRecorder,
    build_create_post,
    fingerprint,
    finish,
    is_rejection,
    transition,
)
from .download import Downloader
from .media import MediaStage
from .media_rows import media_note, media_policy, ready_media
from .status import Canceller, StatusPoller, mark_submitted

if TYPE_CHECKING:
    from ..clock import Clock
    from ..config.models import EngineSettings
    from ..postoria import PostoriaClient
    from ..store import Database

log = logging.getLogger(__name__)

APPROVED = (Approval.NOT_REQUIRED, Approval.APPROVED)
SCHEDULE_LEAD = timedelta(minutes=2)
"""How far ahead a scheduled time that has passed is moved (see the module docstring)."""
BUDGET_RECHECK = timedelta(seconds=10)
"""Least wait before checks the budget could not afford are tried again."""
RETRY_AFTER_UNSENT = timedelta(seconds=60)
"""Wait before sending again a create that provably never arrived (refused, rate limited)."""


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


class Publisher:
    """Publishes due publications and follows them to a final state.

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

    # -- 3. creates ---------------------------------------------------------------------------

    def submit_due(self) -> int:
        """Create the posts of due, ready publications; returns how many were sent."""
        sent = 0
        self._creates_blocked_until = None
        for publication in self._due(S.READY):
            if self.stop_requested.is_set():
                break  # between creates: the one before is fully recorded
            if publication.next_check_at and publication.next_check_at > self.clock.now():
                continue
            wait = self.client.limiter.wait_time()
            if wait > 0:
                # An intent is recorded only when the request can leave at once: a create held
                # back by the budget would look abandoned to another replica's reconciliation.
                self._creates_blocked_until = self.clock.now() + timedelta(seconds=wait)
                break
            with self.client.tag(publication_id=publication.id):
                sent += self._submit(publication)
        return sent

    def _submit(self, publication: Publication) -> int:
        now = self.clock.now()
        pid = publication.id or 0
        media_ids = [r.media_id for r in ready_media(self.db, pid) if r.media_id is not None]
        scheduled = publication.scheduled_time
        if publication.mode == "schedule" and scheduled is not None and scheduled <= now:
            scheduled = (now + SCHEDULE_LEAD).replace(microsecond=0)
        try:
            body = build_create_post(publication, media_ids, scheduled)
        except PostoriaError as exc:
            finish(self.db, pid, S.FAILED, f"invalid post: {exc}", now)
            return 0
        intended = fingerprint(
            caption=publication.caption,
            account_ids=publication.account_ids,
            media_ids=media_ids,
            mode=publication.mode,
            scheduled_time=scheduled,
            queue_id=publication.queue_id,
        )
        # The intent is committed before the request leaves: from here on, a crash leaves a
        # `submitting` row that only reconciliation may send again.
        attempt = publication.create_attempts + 1
        claimed = transition(
            self.db,
            pid,
            {S.READY},
            attempt=publication.create_attempts,
            state=S.SUBMITTING,
            fingerprint=intended,
            scheduled_time=scheduled,
            submit_started_at=now,
            next_check_at=None,
            create_attempts=attempt,
            updated_at=now,
        )
        if not claimed:
            return 0
        self.in_flight.add(pid)
        try:
            with self.client.priority(Priority.CREATE):
                post = self.client.create_post(publication.workspace_id, body)
        except PostoriaError as exc:
            self._create_failed(pid, attempt, exc)
            return 1
        finally:
            self.in_flight.discard(pid)
        note = media_note(self.db, pid)
        now = self.clock.now()
        stored = mark_submitted(
            self.db,
            pid,
            post,
            {S.SUBMITTING},
            note,
            now,
            attempt=attempt,
            interval=self.poller.interval,
        )
        if not stored:
            self.canceller.remove_orphan(pid, publication.workspace_id, post.id)
        return 1

    def _create_failed(self, pid: int, attempt: int, exc: PostoriaError) -> None:
        now = self.clock.now()
        if isinstance(exc, RateLimitedError):
            wait = timedelta(seconds=exc.retry_after) if exc.retry_after else RETRY_AFTER_UNSENT
            self._back_to_ready(pid, attempt, f"rate limited, not created: {exc}", now + wait)
        elif isinstance(exc, AuthenticationError) or (
            type(exc) is PostoriaTransportError and not isinstance(exc, OutcomeUnknownError)
        ):
            self._back_to_ready(pid, attempt, f"not sent: {exc}", now + RETRY_AFTER_UNSENT)
        elif is_rejection(exc):
            finish(self.db, pid, S.FAILED, f"rejected by Postoria: {exc}"[:2000], now)
        else:
            log.warning("publication %s: create outcome unknown: %s", pid, exc)
            transition(
                self.db,
                pid,
                {S.SUBMITTING},
                attempt=attempt,
                state=S.UNKNOWN,
                state_reason=f"outcome unknown: {exc}"[:2000],
                next_check_at=now + self.reconcile_after,
                updated_at=now,
            )

    def _back_to_ready(self, pid: int, attempt: int, reason: str, retry_at: datetime) -> None:
        transition(
            self.db,
            pid,
            {S.SUBMITTING},
            attempt=attempt,
            state=S.READY,
            state_reason=reason[:2000],
            next_check_at=retry_at,
            updated_at=self.clock.now(),
        )

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
