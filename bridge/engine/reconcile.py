"""Finding out whether a create whose answer was lost made a post: never post twice.

Postoria documents no idempotency key, so when a create times out, its connection drops, it
answers 5xx or garbage, or the bridge dies between sending it and storing the answer, the post
may or may not exist. Sending it again blindly could put the same post on a client's account
twice, the worst thing this product can do. Instead the posts of that workspace and those
accounts are listed around the intended time and compared with the publication's fingerprint;
the listing and the verdicts (:data:`ADOPT`, :data:`ABSENT`, :data:`AMBIGUOUS`) live in
:mod:`bridge.engine.matching` and are re-exported here. This module holds the
:class:`Reconciler`, which picks the publications to settle, lists once per workspace and batch,
and applies each verdict to the store.

A lost request may still be travelling when its client gives up, so reconciliation only starts
:data:`SETTLE` after the create was sent; until then the post could appear after the list was
read. Only the latest create of a publication can have made a post: every earlier one was
either refused before processing (429, nothing sent) or proven absent by an earlier
reconciliation, so the window covers the latest attempt only.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import col, select

from ..errors import PostoriaError
from ..postoria import Priority
from ..store import Publication
from ..store import PublicationState as S
from .attempts import transition
from .budget import DEFAULT_STATUS_INTERVAL
from .matching import (
    ABSENT,
    ADOPT,
    AMBIGUOUS,
    CLOCK_SLACK,
    LIST_PAGE_SIZE,
    NO_MATCH,
    SCHEDULE_SLACK,
    STRONG,
    WEAK,
    Finding,
    Intent,
    content_blocks,
    find_post,
    judge,
    judge_intent,
    list_candidates,
    match_strength,
    window,
)
from .media_rows import ready_media
from .status import mark_submitted

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from ..clock import Clock
    from ..postoria import PostoriaClient
    from ..store import Database

__all__ = [
    "ABSENT",
    "ADOPT",
    "AMBIGUOUS",
    "BATCH",
    "CLOCK_SLACK",
    "LIST_PAGE_SIZE",
    "NO_MATCH",
    "PROCESSING_MARGIN",
    "RETRY",
    "SCHEDULE_SLACK",
    "SETTLE",
    "STRONG",
    "WEAK",
    "Finding",
    "Intent",
    "Reconciler",
    "content_blocks",
    "find_post",
    "judge",
    "judge_intent",
    "list_candidates",
    "match_strength",
    "settle_time",
    "window",
]

log = logging.getLogger(__name__)

SETTLE = timedelta(seconds=90)
"""Least wait after a create was sent before listing it. The actual wait is
:func:`settle_time`: the client's connect, write and read timeouts plus
:data:`PROCESSING_MARGIN` (125 s with the default timeouts), so a request Postoria was still
processing when the client gave up has landed before the list is read."""
PROCESSING_MARGIN = timedelta(seconds=60)
BATCH = 50
"""Publications of one workspace reconciled from one listing."""
RETRY = timedelta(seconds=60)
"""Wait before listing again when a reconciliation's list failed."""


def settle_time(client: PostoriaClient) -> timedelta:
    """How long a create sent by ``client`` may still be on its way or being processed."""
    timeouts = getattr(client, "timeouts", None)
    if timeouts is None:
        return SETTLE
    patience = timedelta(seconds=timeouts.connect + timeouts.write + timeouts.read)
    return max(SETTLE, patience + PROCESSING_MARGIN)


class Reconciler:
    """Runs :func:`find_post` for stored publications and applies its verdict.

    ``submitting`` rows are picked up once :attr:`settle` has passed since their create was
    sent (the process stopped between sending and storing, or another process is still
    sending); ``unknown`` rows when their ``next_check_at`` comes. An ``unknown`` row without
    ``next_check_at`` is waiting for a person (ambiguous) and is left alone.
    """

    def __init__(
        self,
        db: Database,
        client: PostoriaClient,
        clock: Clock,
        *,
        settle: timedelta = SETTLE,
        status_interval: timedelta = DEFAULT_STATUS_INTERVAL,
        busy: Callable[[], Collection[int]] = lambda: (),
        stop: threading.Event | None = None,
    ) -> None:
        self.busy = busy
        self.stop = stop or threading.Event()
        """When set, no further batch is reconciled (a shutdown is under way)."""
        self.status_interval = status_interval
        self.db = db
        self.client = client
        self.clock = clock
        self.settle = max(settle, settle_time(client))

    def due(self) -> list[Publication]:
        """Publications whose lost create may be reconciled now."""
        now = self.clock.now()
        with self.db.session() as session:
            lost = sa.and_(
                Publication.state == S.UNKNOWN,
                col(Publication.next_check_at).is_not(None),
                col(Publication.next_check_at) <= now,
            )
            stranded = sa.and_(
                Publication.state == S.SUBMITTING,
                col(Publication.submit_started_at) <= now - self.settle,
            )
            query = select(Publication).where(sa.or_(lost, stranded)).order_by(col(Publication.id))
            found = list(session.exec(query))
        busy = set(self.busy())  # creates this process is sending right now are not lost
        return [p for p in found if p.id not in busy]

    def run(self) -> int:
        """Reconcile every due publication, one listing per workspace and batch."""
        by_workspace: dict[int, list[Publication]] = defaultdict(list)
        for publication in self.due():
            by_workspace[publication.workspace_id].append(publication)
        done = 0
        for publications in by_workspace.values():
            for start in range(0, len(publications), BATCH):
                if self.stop.is_set():
                    return done
                batch = publications[start : start + BATCH]
                self.reconcile_batch(batch)
                done += len(batch)
        return done

    def reconcile(self, publication: Publication) -> None:
        """Ask Postoria what exists for one publication and act on the answer."""
        self.reconcile_batch([publication])

    def reconcile_batch(self, publications: list[Publication]) -> None:
        """List once for publications of one workspace, then settle each in turn."""
        now = self.clock.now()
        intents = [self._intent(p) for p in publications]
        tags = {"publication_id": publications[0].id} if len(publications) == 1 else {}
        try:
            with self.client.priority(Priority.CREATE), self.client.tag(**tags):
                posts = list_candidates(self.client, intents, now)
        except PostoriaError as exc:
            reason = f"outcome unknown; reconciliation failed, will retry: {exc}"
            for publication in publications:
                self._move(publication, S.UNKNOWN, reason, now + RETRY)
            return
        for publication, intent in zip(publications, intents, strict=True):
            pid = publication.id or 0
            finding = judge_intent(
                intent, posts, now=now, claimed=lambda ids, pid=pid: self.claimed(ids, pid)
            )
            self._apply(publication, finding, now)

    def _intent(self, publication: Publication) -> Intent:
        rows = ready_media(self.db, publication.id or 0)
        return Intent.of(publication, [r.file_id or "" for r in rows], len(rows))

    def _apply(self, publication: Publication, finding: Finding, now: datetime) -> None:
        level = logging.WARNING if finding.verdict == AMBIGUOUS else logging.INFO
        log.log(level, "publication %s: %s", publication.id, finding.reason)
        if finding.verdict == ADOPT and finding.post is not None:
            mark_submitted(
                self.db,
                publication.id or 0,
                finding.post,
                {publication.state},
                finding.reason,
                now,
                attempt=publication.create_attempts,
                interval=self.status_interval,
            )
        elif finding.verdict == ABSENT:
            self._move(publication, S.READY, finding.reason, None)
        else:
            self._move(publication, S.UNKNOWN, finding.reason, None)

    def _move(
        self, publication: Publication, state: str, reason: str, check_at: datetime | None
    ) -> None:
        # Only from the state and create attempt that were reconciled: another replica may have
        # settled this one and sent a new create meanwhile.
        transition(
            self.db,
            publication.id or 0,
            {publication.state},
            attempt=publication.create_attempts,
            state=state,
            state_reason=reason[:2000],
            next_check_at=check_at,
            updated_at=self.clock.now(),
        )

    def claimed(self, post_ids: set[int], publication_id: int) -> set[int]:
        """Which of ``post_ids`` other publications already own."""
        if not post_ids:
            return set()
        with self.db.session() as session:
            query = (
                select(Publication.post_id)
                .where(col(Publication.post_id).in_(post_ids))
                .where(Publication.id != publication_id)
            )
            return {p for p in session.exec(query) if p is not None}
