"""The publisher's create step: recording the intent, sending the create, storing the answer.

The create discipline is what keeps a post from appearing twice: the publication is stored as
``submitting``, with its fingerprint and the time, and committed *before* the request leaves;
its post ID is stored right after. Any answer that does not prove what happened (a lost answer,
a 5xx, garbage, a crash in between) leaves it ``unknown``/``submitting``, and only
reconciliation may send it again. A 429 or a refused connection proves nothing was created and
simply waits; a 4xx rejection fails the publication with Postoria's message and request ID.
An intent is only recorded when the budget lets the request leave at once, a create this
process is sending is never reconciled, and a post made by a create that was superseded meanwhile
(held up past the settle time while another replica settled it) is deleted.

Schedule mode: a scheduled time that has passed by the time the post is sent (the bridge was
down, media took long) is moved forward to :data:`SCHEDULE_LEAD` from now, the least that keeps
it in the future when Postoria receives it; the new time is stored before sending.

:class:`CreateStep` is a mixin of :class:`~bridge.engine.publisher.Publisher`, kept here so the
create path can be read on its own; the attributes it uses are the publisher's.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..errors import (
    AuthenticationError,
    OutcomeUnknownError,
    PostoriaError,
    PostoriaTransportError,
    RateLimitedError,
)
from ..postoria import Priority
from ..store import Publication
from ..store import PublicationState as S
from .attempts import build_create_post, fingerprint, finish, is_rejection, transition
from .media_rows import media_note, ready_media
from .status import mark_submitted

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    from ..clock import Clock
    from ..postoria import PostoriaClient
    from ..store import Database
    from .status import Canceller, StatusPoller

log = logging.getLogger(__name__)

SCHEDULE_LEAD = timedelta(minutes=2)
"""How far ahead a scheduled time that has passed is moved (see the module docstring)."""
RETRY_AFTER_UNSENT = timedelta(seconds=60)
"""Wait before sending again a create that provably never arrived (refused, rate limited)."""


class CreateStep:
    """Step 3 of :meth:`Publisher.step <bridge.engine.publisher.Publisher.step>`: create the
    posts of due, ready publications (see the module docstring)."""

    db: Database
    client: PostoriaClient
    clock: Clock
    poller: StatusPoller
    canceller: Canceller
    stop_requested: threading.Event
    in_flight: set[int]
    reconcile_after: timedelta
    _creates_blocked_until: datetime | None
    _due: Callable[[str], list[Publication]]

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
