"""Getting a publication's media into Postoria and ready before its post is created.

Each :class:`~bridge.store.PublicationMedia` row goes ``pending`` → ``importing`` (a public
HTTPS URL Postoria fetches itself) or ``downloading`` → ``uploading`` (anything else: fetched
here by :mod:`bridge.engine.download`, then sent through a signed upload slot) → ``processing``
→ ``ready`` or ``failed``. Each step is stored before its request is sent and after its answer
comes, so a restart resumes the row; repeating a media step is harmless (an orphaned upload slot
is not a post), so an interrupted step is simply started again.

Processing is not polled on a fixed beat: the first check comes when processing is likely done,
learned from the recent rows (median of ``ready_at - requested_at``), then backs off.

A row whose file another publication of the workspace already has (ready, or in progress)
takes that media instead of spending requests on its own (:mod:`bridge.engine.media_reuse`).

When every row is settled the publication moves on according to its media policy
(``publication.options["media"]``): ``required`` fails the publication with the media's error;
``optional`` posts without the failed files (the reason is recorded); ``none`` ignores media.

This module holds the :class:`MediaStage` that moves the rows; the helpers that only read and
describe rows (:func:`~bridge.engine.media_rows.ready_media`,
:func:`~bridge.engine.media_rows.media_note`, :func:`~bridge.engine.media_rows.media_policy` and
others) live in :mod:`bridge.engine.media_rows`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import col, select

from ..errors import BridgeError, PostoriaError, RateLimitedError
from ..postoria import Priority
from ..store import Publication, PublicationMedia
from ..store import PublicationState as S
from .attempts import finish, transition
from .budget import MIN_PROCESSING, expected_processing
from .download import DownloadError, is_public_https
from .media_reuse import STATES, MediaSharing
from .media_rows import describe, dropped_note, is_permanent, media_error, media_policy

if TYPE_CHECKING:
    from ..clock import Clock
    from ..postoria import PostoriaClient
    from ..postoria.models import Media
    from ..store import Database
    from .download import Downloader

log = logging.getLogger(__name__)

PENDING, IMPORTING, DOWNLOADING, UPLOADING, PROCESSING, READY, FAILED = STATES
STARTABLE = (PENDING, IMPORTING, DOWNLOADING, UPLOADING)
"""Row states a start picks up: new rows, and rows whose step was interrupted."""

MAX_START_TRIES = 5
"""Transient failures (5xx, network) of a media step before the row is given up."""
RETRY_DELAY = timedelta(seconds=30)
STALE_STEP = timedelta(minutes=5)
"""A media step started this long ago and not finished was interrupted: start it again."""


class MediaStage:
    """Starts media imports and uploads, checks processing, settles publications."""

    def __init__(
        self,
        db: Database,
        client: PostoriaClient,
        clock: Clock,
        downloader: Downloader,
        *,
        media_timeout: timedelta,
        stop: threading.Event | None = None,
    ) -> None:
        self.db = db
        self.stop = stop or threading.Event()
        """When set, no further row is started or checked (a shutdown is under way)."""
        self.client = client
        self.clock = clock
        self.downloader = downloader
        self.media_timeout = media_timeout
        self.sharing = MediaSharing(db)

    # -- starting --------------------------------------------------------------------------

    def startable_rows(self, publication_id: int) -> list[PublicationMedia]:
        """Rows of a publication that still need a step started, retries due."""
        now = self.clock.now()
        with self.db.session() as session:
            query = (
                select(PublicationMedia)
                .where(PublicationMedia.publication_id == publication_id)
                .where(col(PublicationMedia.state).in_(STARTABLE))
                .order_by(col(PublicationMedia.position))
            )
            rows = list(session.exec(query))
        return [r for r in rows if self._startable(r, now)]

    def _startable(self, row: PublicationMedia, now: datetime) -> bool:
        if row.state == PENDING:
            return row.next_check_at is None or row.next_check_at <= now
        # A step in progress is only taken over once it is clearly abandoned (the process
        # stopped); until then another replica may still be doing it.
        return row.requested_at is None or row.requested_at <= now - STALE_STEP

    def start(self, publication: Publication) -> int:
        """Start every row of ``publication`` that is due, then settle it if all are done.

        Returns how many rows were started or settled (0 when everything is already under way
        or waiting for another publication's media).
        """
        rows = self.startable_rows(publication.id or 0)
        started = 0
        for row in rows:
            if self.stop.is_set():
                break  # the rest are started by a later step; settle() sees them unfinished
            with self.client.tag(publication_id=publication.id):
                started += self._start_row(publication, row)
        self.settle(publication.id or 0)
        return started

    def _start_row(self, publication: Publication, row: PublicationMedia) -> bool:
        """Start (or share) one row; ``False`` when it only waits for another row's media."""
        if row.requested_at is None:  # never started: another row may have the file already
            shared = self.sharing.take(row, publication.workspace_id, self.clock.now(), STALE_STEP)
            if shared is not None:
                return shared
        try:
            if is_public_https(row.source_url):
                self._import(publication, row)
            else:
                self._upload(publication, row)
        except RateLimitedError as exc:
            wait = timedelta(seconds=exc.retry_after or RETRY_DELAY.total_seconds())
            self._update(row, state=PENDING, next_check_at=self.clock.now() + wait)
        except PostoriaError as exc:
            if is_permanent(exc):
                self._fail(row, str(exc))
            else:
                self._retry_later(row, str(exc))
        except DownloadError as exc:
            self._fail(row, str(exc))
        except OSError as exc:  # the local disk, not the media: try again later
            self._retry_later(row, f"cannot store the downloaded file: {exc}")
        return True

    def _import(self, publication: Publication, row: PublicationMedia) -> None:
        if not self._claim(row, method="import", state=IMPORTING):
            return
        with self.client.priority(Priority.MEDIA):
            media = self.client.import_media(publication.workspace_id, row.source_url)
        self._processing(row, media)

    def _upload(self, publication: Publication, row: PublicationMedia) -> None:
        if not self._claim(row, method="upload", state=DOWNLOADING):
            return
        downloaded = self.downloader.download(row.source_url)
        try:
            self._update(
                row, state=UPLOADING, content_type=downloaded.content_type, size=downloaded.size
            )
            with self.client.priority(Priority.MEDIA):
                slot = self.client.create_upload(
                    publication.workspace_id, downloaded.name, downloaded.content_type
                )
                self._update(row, media_id=slot.id)
                with downloaded.path.open("rb") as body:
                    self.client.put_upload(
                        slot, body, downloaded.content_type, content_length=downloaded.size
                    )
                media = self.client.complete_upload(publication.workspace_id, slot.id)
        finally:
            downloaded.remove()
        self._processing(row, media)

    def _processing(self, row: PublicationMedia, media: Media) -> None:
        now = self.clock.now()
        if media.is_ready:
            self._update(
                row,
                media_id=media.id,
                state=READY,
                file_id=str(media.file_id),
                ready_at=now,
                next_check_at=None,
            )
            self._release(row)
        elif media.is_failed:
            self._update(row, media_id=media.id)
            self._fail(row, media_error(media))
        else:
            self._update(
                row,
                media_id=media.id,
                state=PROCESSING,
                check_count=0,
                next_check_at=now + self.expected_processing(),
            )

    # -- checking --------------------------------------------------------------------------

    def due_checks(self, limit: int) -> list[tuple[PublicationMedia, int]]:
        """Processing rows (with their workspace) whose check has come, most overdue first.

        Only rows of publications still waiting for media: a cancelled publication's media is
        never checked again.
        """
        now = self.clock.now()
        with self.db.session() as session:
            query = (
                select(PublicationMedia, Publication.workspace_id)
                .join(Publication, col(Publication.id) == PublicationMedia.publication_id)
                .where(Publication.state == S.MEDIA)
                .where(PublicationMedia.state == PROCESSING)
                .where(col(PublicationMedia.media_id).is_not(None))
                .where(col(PublicationMedia.next_check_at) <= now)
                .order_by(col(PublicationMedia.next_check_at))
                .limit(limit)
            )
            return [(row, workspace_id) for row, workspace_id in session.exec(query)]

    def check(self, allowance: int) -> int:
        """Check due processing rows within ``allowance`` requests; returns rows checked."""
        if allowance <= 0:
            return 0
        checked = 0
        for row, workspace_id in self.due_checks(allowance):
            if self.stop.is_set():
                break
            assert row.media_id is not None
            try:
                with (
                    self.client.priority(Priority.MEDIA),
                    self.client.tag(publication_id=row.publication_id),
                ):
                    media = self.client.get_media(workspace_id, row.media_id)
            except PostoriaError as exc:
                log.warning("media %s status failed: %s", row.media_id, exc)
                self._backoff(row)
            else:
                self._observe(row, media)
            checked += 1
            self.settle(row.publication_id)
        return checked

    def _observe(self, row: PublicationMedia, media: Media) -> None:
        if media.is_ready or media.is_failed:
            self._processing(row, media)
            return
        requested = row.requested_at or self.clock.now()
        if self.clock.now() - requested > self.media_timeout:
            minutes = self.media_timeout.total_seconds() / 60
            self._fail(
                row,
                f"media {row.media_id} was not ready after {minutes:g} minutes "
                f"(status {media.status})",
            )
            return
        self._backoff(row)

    def _backoff(self, row: PublicationMedia) -> None:
        count = row.check_count + 1
        delay = max(self.expected_processing() / 2, MIN_PROCESSING) * (2 ** (count - 1))
        delay = min(delay, timedelta(minutes=1))
        self._update(row, check_count=count, next_check_at=self.clock.now() + delay)

    def expected_processing(self) -> timedelta:
        """How long media processing usually takes, learned from recent media."""
        return expected_processing(self.db)

    def next_check_at(self) -> datetime | None:
        """The earliest time a media row needs work: a check, a retry, or a takeover."""
        with self.db.session() as session:
            query = (
                select(PublicationMedia)
                .join(Publication, col(Publication.id) == PublicationMedia.publication_id)
                .where(Publication.state == S.MEDIA)
                .where(col(PublicationMedia.state).in_((PROCESSING, *STARTABLE)))
            )
            rows = list(session.exec(query))
        times = [self._next_work(row) for row in rows]
        return min((t for t in times if t is not None), default=None)

    def _next_work(self, row: PublicationMedia) -> datetime | None:
        if row.state in (PROCESSING, PENDING):
            return row.next_check_at or (self.clock.now() if row.state == PENDING else None)
        return (row.requested_at or self.clock.now()) + STALE_STEP

    # -- settling --------------------------------------------------------------------------

    def settle(self, publication_id: int) -> None:
        """Move a publication on once none of its media is still in progress."""
        with self.db.session() as session:
            publication = session.get(Publication, publication_id)
            rows = list(
                session.exec(
                    select(PublicationMedia)
                    .where(PublicationMedia.publication_id == publication_id)
                    .order_by(col(PublicationMedia.position))
                )
            )
        if publication is None or publication.state != S.MEDIA:
            return
        if any(r.state not in (READY, FAILED) for r in rows):
            return
        failed = [r for r in rows if r.state == FAILED]
        now = self.clock.now()
        if failed and media_policy(publication) == "required":
            first = failed[0]
            reason = f"required {describe(first)} failed: {first.error}"
            finish(self.db, publication_id, S.FAILED, reason, now)
            return
        reason = dropped_note(failed)
        ready = [r for r in rows if r.state == READY]
        if not ready and not publication.caption.strip():
            finish(self.db, publication_id, S.FAILED, reason or "nothing to post", now)
            return
        transition(
            self.db, publication_id, {S.MEDIA}, state=S.READY, state_reason=reason, updated_at=now
        )

    # -- row bookkeeping -------------------------------------------------------------------

    def _fail(self, row: PublicationMedia, error: str) -> None:
        log.info("media %s of publication %s failed: %s", row.position, row.publication_id, error)
        self._update(row, state=FAILED, error=error[:2000], next_check_at=None)
        self._release(row)

    def _release(self, row: PublicationMedia) -> None:
        """Give a settled row's outcome to the rows waiting for it, and settle theirs."""
        for publication_id in self.sharing.release(row):
            self.settle(publication_id)

    def _retry_later(self, row: PublicationMedia, error: str) -> None:
        tries = row.check_count + 1
        if tries >= MAX_START_TRIES:
            self._fail(row, f"gave up after {tries} tries: {error}")
            return
        self._update(
            row,
            state=PENDING,
            check_count=tries,
            error=error[:2000],
            next_check_at=self.clock.now() + RETRY_DELAY * tries,
        )

    def _claim(self, row: PublicationMedia, **values: object) -> bool:
        """Start a step on ``row`` only if nobody changed it since it was read."""
        values["requested_at"] = self.clock.now()
        query = sa.update(PublicationMedia).where(PublicationMedia.id == row.id)  # type: ignore[arg-type]
        query = query.where(PublicationMedia.state == row.state)  # type: ignore[arg-type]
        if row.requested_at is None:
            query = query.where(col(PublicationMedia.requested_at).is_(None))
        else:
            query = query.where(PublicationMedia.requested_at == row.requested_at)  # type: ignore[arg-type]
        with self.db.session() as session:
            claimed = bool(session.execute(query.values(**values)).rowcount)  # type: ignore[attr-defined]
        if claimed:
            for name, value in values.items():
                setattr(row, name, value)
        return claimed

    def _update(self, row: PublicationMedia, **values: object) -> None:
        """Store ``values`` on the row now (committed) and mirror them on the object."""
        with self._row_session(row) as stored:
            for name, value in values.items():
                setattr(stored, name, value)
                setattr(row, name, value)

    @contextmanager
    def _row_session(self, row: PublicationMedia) -> Iterator[PublicationMedia]:
        with self.db.session() as session:
            stored = session.get(PublicationMedia, row.id)
            if stored is None:
                raise BridgeError(f"publication media {row.id} disappeared")
            yield stored
