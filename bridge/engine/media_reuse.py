"""Sharing one Postoria media between the publications that carry the same file.

One item usually becomes several publications (one per route, one per distinct caption), each
with its own :class:`~bridge.store.PublicationMedia` rows for the same image URLs. Importing or
uploading the file once per publication spends the request budget several times over for one
image, so a row about to be started first looks for another row of the same workspace and URL:

- one already **ready** (media and file IDs set) is reused: its media ID, file ID and content
  type are copied, method ``reused``, at no request at all. Postoria media IDs are
  workspace-scoped and a post takes "ready media IDs" (the contract puts no limit on how many
  posts use one); the sandbox checks only that each ID exists in the post's workspace and is
  ready (``bridge/sandbox/validation.py``), so one media in several posts is accepted;
- one still **in progress** (a step claimed, processing, or waiting to retry) is waited for
  rather than imported a second time; when it settles its waiting rows are settled with it
  (:meth:`MediaSharing.followers`), and until then they look again when it next has work;
- one that **failed** recently shares its failure: the same file fails the same way, and each
  publication then goes on according to its own media policy.

Only rows that never started a step of their own (``requested_at`` unset) reuse or wait, and
only for rows that did: no two rows can wait for each other. Every copy is a compare-and-set
on a row nobody started, so two replicas never both settle one row; two replicas starting the
same file at the same instant may still both import it, which costs a request, never a post.
Rows of the same publication are not shared (a carousel repeating a file keeps its separate
media, as before). Media is never shared across workspaces: the IDs would not exist there.

Age: a ready media is reused for :data:`REUSE_AGE` after it became ready. Postoria may expire
media that no post uses; a day keeps every publication of one item (routed together, media
started when due) on one media while never handing out an ID old enough to have been cleaned
up. A reused row keeps the original's ``ready_at``, so reuse does not extend that age.

No index is added: the lookups filter on ``state`` with ``next_check_at``/``ready_at`` (both
indexed) before comparing URLs, so they read only the recent and unfinished rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from ..store import Publication, PublicationMedia
from ..store import PublicationState as S

if TYPE_CHECKING:
    from ..store import Database

PENDING, IMPORTING, DOWNLOADING, UPLOADING = "pending", "importing", "downloading", "uploading"
PROCESSING, READY, FAILED = "processing", "ready", "failed"
STATES = (PENDING, IMPORTING, DOWNLOADING, UPLOADING, PROCESSING, READY, FAILED)
"""A media row's states, in the order :mod:`bridge.engine.media` describes them."""
REUSED = "reused"
"""The ``method`` of a row that took another row's media (or its failure)."""
STEPS = (IMPORTING, DOWNLOADING, UPLOADING)
IN_PROGRESS = (PENDING, *STEPS, PROCESSING)
"""States of a started row that will still settle (``pending`` only once it was requested)."""

REUSE_AGE = timedelta(hours=24)
"""How long after it became ready a media is reused (see the module docstring)."""
FAILURE_AGE = timedelta(hours=1)
"""How long a failure is shared: after this, the same URL is tried afresh."""


@dataclass(frozen=True)
class Shared:
    """What another row of the same workspace and URL offers: ready media, one in progress, or
    a recent failure (at most one is set, in that order of preference)."""

    ready: PublicationMedia | None = None
    leader: PublicationMedia | None = None
    failed: PublicationMedia | None = None


class MediaSharing:
    """Finds rows to share with and copies their outcome, each copy a compare-and-set."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def take(
        self, row: PublicationMedia, workspace_id: int, now: datetime, step_timeout: timedelta
    ) -> bool | None:
        """Settle a not yet started ``row`` from another row if one offers its outcome.

        ``True``: the row is settled (or another process got to it first); ``False``: it waits
        for a row in progress, and looks again at its stored ``next_check_at``; ``None``:
        nothing to share, the row starts its own import or upload.
        """
        shared = self.find(row, workspace_id, now)
        if shared.leader is not None:
            self._wait(row, wait_until(shared.leader, now, step_timeout))
            return False
        source = shared.ready or shared.failed
        if source is None:
            return None
        self.adopt(row, source)
        return True

    def _wait(self, row: PublicationMedia, until: datetime) -> None:
        query = (
            sa.update(PublicationMedia)
            .where(col(PublicationMedia.id) == row.id)
            .where(col(PublicationMedia.state) == PENDING)
            .where(col(PublicationMedia.requested_at).is_(None))
            .values(next_check_at=until)
        )
        with self.db.session() as session:
            session.execute(query)
        row.next_check_at = until

    def release(self, leader: PublicationMedia) -> list[int]:
        """Settle the rows waiting for ``leader``, now ready or failed, with its outcome;
        returns their publications (to be settled in turn). A row that started a step of its
        own shares nothing here: only rows that did are waited for."""
        if leader.requested_at is None or leader.state not in (READY, FAILED):
            return []
        with self.db.session() as session:
            publication = session.get(Publication, leader.publication_id)
        if publication is None:
            return []
        settled = []
        for row in self.followers(leader, publication.workspace_id):
            if self.adopt(row, leader):
                settled.append(row.publication_id)
        return settled

    def find(self, row: PublicationMedia, workspace_id: int, now: datetime) -> Shared:
        """The best row ``row`` (not yet started) may take its media from."""
        base = self._same_file(row.source_url, workspace_id).where(
            PublicationMedia.publication_id != row.publication_id
        )
        with self.db.session() as session:
            ready = session.exec(
                base.where(PublicationMedia.state == READY)
                .where(col(PublicationMedia.ready_at) >= now - REUSE_AGE)
                .where(col(PublicationMedia.media_id).is_not(None))
                .where(col(PublicationMedia.file_id).is_not(None))
                .order_by(col(PublicationMedia.ready_at).desc())
            ).first()
            if ready is not None:
                return Shared(ready=ready)
            # A leader counts only while its publication is being worked on: a cancelled
            # publication's media is never checked again and would keep its followers waiting.
            leader = session.exec(
                base.where(col(PublicationMedia.state).in_(IN_PROGRESS))
                .where(col(PublicationMedia.requested_at).is_not(None))
                .where(Publication.state == S.MEDIA)
                .order_by(col(PublicationMedia.requested_at))
            ).first()
            if leader is not None:
                return Shared(leader=leader)
            failed = session.exec(
                base.where(PublicationMedia.state == FAILED)
                .where(col(PublicationMedia.requested_at) >= now - FAILURE_AGE)
                .order_by(col(PublicationMedia.requested_at).desc())
            ).first()
            return Shared(failed=failed)

    def followers(self, leader: PublicationMedia, workspace_id: int) -> list[PublicationMedia]:
        """Rows waiting for ``leader``: never started, same workspace and URL, of publications
        being worked on (rows of publications not yet due are left for their own start)."""
        query = (
            self._same_file(leader.source_url, workspace_id)
            .where(PublicationMedia.publication_id != leader.publication_id)
            .where(PublicationMedia.state == PENDING)
            .where(col(PublicationMedia.requested_at).is_(None))
            .where(Publication.state == S.MEDIA)
            .order_by(col(PublicationMedia.id))
        )
        with self.db.session() as session:
            return list(session.exec(query))

    def adopt(self, row: PublicationMedia, source: PublicationMedia) -> bool:
        """Copy ``source``'s outcome (ready media or failure) onto ``row`` if nobody started
        ``row`` meanwhile; returns whether it was copied. ``requested_at`` stays unset: the
        row made no request, and processing-time estimates only learn from rows that did."""
        values: dict[str, object] = {
            "method": REUSED,
            "state": source.state,
            "media_id": source.media_id,
            "next_check_at": None,
        }
        if source.state == READY:
            values.update(
                file_id=source.file_id,
                content_type=source.content_type,
                size=source.size,
                ready_at=source.ready_at,
                error=None,
            )
        else:
            values["error"] = source.error
        query = (
            sa.update(PublicationMedia)
            .where(col(PublicationMedia.id) == row.id)
            .where(col(PublicationMedia.state) == PENDING)
            .where(col(PublicationMedia.requested_at).is_(None))
            .values(**values)
        )
        with self.db.session() as session:
            adopted = bool(session.execute(query).rowcount)  # type: ignore[attr-defined]
        if adopted:
            for name, value in values.items():
                setattr(row, name, value)
        return adopted

    @staticmethod
    def _same_file(url: str, workspace_id: int) -> SelectOfScalar[PublicationMedia]:
        return (
            select(PublicationMedia)
            .join(Publication, col(Publication.id) == PublicationMedia.publication_id)
            .where(Publication.workspace_id == workspace_id)
            .where(PublicationMedia.source_url == url)
        )


def wait_until(leader: PublicationMedia, now: datetime, step_timeout: timedelta) -> datetime:
    """When a row waiting for ``leader`` should look again, should the leader's settling not
    reach it (another process settled it, or stopped in between): just after the leader's own
    next work, a check or retry, or the takeover of a step abandoned for ``step_timeout``."""
    if leader.state in STEPS:
        nxt = (leader.requested_at or now) + step_timeout
    else:
        nxt = leader.next_check_at or now
    return max(nxt, now) + timedelta(seconds=1)
