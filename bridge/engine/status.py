"""Post status: reading per-account results from Postoria cheaply, and finishing publications.

Postoria has no webhooks, so every submitted post is polled until each of its accounts has a
link or an error. Polling is where a budget is wasted, so it is done the cheap way:

- statuses are read through the posts *list*, up to 100 posts per request, grouped by
  workspace and narrowed by the posts' accounts and a date window around their dates; a post
  the list did not return is read on its own afterwards;
- a scheduled or queued post is not read before its time (``next_check_at`` = its date plus
  the usual publishing time); a post still being published is read again later and later
  (doubling up to :data:`~bridge.engine.budget.MAX_RECHECK`); a final post is never read again;
- the caller passes an allowance (see :mod:`bridge.engine.budget`), and polling stops when it is
  spent, leaving the rest of the window for creates; a list that fails postpones its batch.

Results land in :class:`~bridge.store.AccountResult` rows; the publication becomes ``posted``
(every account has a link), ``failed`` (every account has an error) or ``partial`` (some of
each), and :func:`bridge.registry.publication_finished` is told once. An account Postoria
never reports on is given up :data:`RESULT_PATIENCE` after publishing, as an error.

:class:`Canceller` deletes posts with the same discipline as creates: intent first.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from ..clock import isoformat_z
from ..errors import BridgeError, ConflictError, NotFoundError, PostoriaError
from ..postoria import PostResult, PostStatus, Priority
from ..store import AccountResult, Publication
from ..store import PublicationState as S
from .attempts import final_reason, finish, outcome_of, save_results, transition
from .budget import DEFAULT_STATUS_INTERVAL, Allowance, next_check

if TYPE_CHECKING:
    from ..clock import Clock
    from ..postoria import PostoriaClient
    from ..postoria.models import Post
    from ..store import Database

log = logging.getLogger(__name__)

BATCH_SIZE = 100
"""Posts read per list request (the list endpoint's maximum page size)."""
LIST_SLACK = timedelta(minutes=2)
"""Widening of the date window around the posts' dates (clock differences, rounding). Kept
small: the list answers newest first, so every post dated after the batch's last one that
falls in the window pushes the batch's own posts to later pages."""
RESULT_PATIENCE = timedelta(hours=6)
"""How long after a post is published an account may stay without a link or error before the
bridge stops waiting and records the silence as that account's error."""
EXTRA_PAGES = 1
"""Pages read beyond what the batch needs before falling back to single reads, plus one more
per ten posts of the batch: newer posts in the window push the batch to later pages, and a
page that finds even a few of them is cheaper than reading those posts one by one."""


def results_overdue(post: Post, now: datetime) -> bool:
    """Postoria says the post is published, yet some account still has no result, for long."""
    return post.status == PostStatus.POSTED and (
        post.date is not None and now - post.date > RESULT_PATIENCE
    )


def with_missing_results(post: Post, account_ids: Iterable[int]) -> Post:
    """``post`` with an error for every account Postoria never reported on."""
    results = [r for r in post.results if r.link_to_post or r.error_text]
    reported = {r.account_id for r in results}
    for account_id in account_ids:
        if account_id not in reported:
            error = f"Postoria reported no result for this account within {RESULT_PATIENCE}"
            results.append(PostResult(account_id=account_id, error=error))
    return post.model_copy(update={"results": results})


class StatusPoller:
    """Reads submitted posts' statuses in batches and records what it finds."""

    def __init__(
        self,
        db: Database,
        client: PostoriaClient,
        clock: Clock,
        *,
        interval: timedelta = DEFAULT_STATUS_INTERVAL,
        stop: threading.Event | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.clock = clock
        self.interval = interval
        self.stop = stop or threading.Event()
        """When set, no further batch is read (a shutdown is under way)."""

    def due(self) -> list[Publication]:
        """Submitted publications whose next check has come, most overdue first."""
        now = self.clock.now()
        with self.db.session() as session:
            query = (
                select(Publication)
                .where(Publication.state == S.SUBMITTED)
                .where(col(Publication.post_id).is_not(None))
                .where(col(Publication.next_check_at) <= now)
                .order_by(col(Publication.next_check_at))
            )
            return list(session.exec(query))

    def poll(self, allowance: int) -> int:
        """Read due posts within ``allowance`` requests; returns the publications updated."""
        if allowance <= 0:
            return 0
        by_workspace: dict[int, list[Publication]] = defaultdict(list)
        for publication in self.due():
            by_workspace[publication.workspace_id].append(publication)
        updated = 0
        budget = Allowance(allowance)
        for workspace_id, publications in by_workspace.items():
            for start in range(0, len(publications), BATCH_SIZE):
                if not budget.left or self.stop.is_set():
                    return updated
                batch = publications[start : start + BATCH_SIZE]
                updated += self._poll_batch(workspace_id, batch, budget)
        return updated

    def _poll_batch(self, workspace_id: int, batch: list[Publication], budget: Allowance) -> int:
        wanted = {p.post_id: p for p in batch if p.post_id is not None}
        try:
            found = self._list(workspace_id, batch, set(wanted), budget)
        except PostoriaError as exc:
            # Postoria is struggling: read these later rather than one by one now.
            log.warning("status list for workspace %s failed: %s", workspace_id, exc)
            for publication in batch:
                self._postpone(publication)
            return 0
        updated = 0
        for post_id, publication in wanted.items():
            post = found.get(post_id)
            if post is None:
                if not budget.take():
                    continue
                post = self._read_one(publication)
                if post is None:
                    continue
            self.apply(publication.id or 0, post)
            updated += 1
        return updated

    def _list(
        self, workspace_id: int, batch: list[Publication], wanted: set[int], budget: Allowance
    ) -> dict[int, Post]:
        dates = [d for p in batch if (d := p.post_date or p.scheduled_time or p.submitted_at)]
        if not dates:
            return {}
        account_ids = sorted({a for p in batch for a in p.account_ids})
        filters: dict[str, Any] = {
            "account_ids": account_ids,
            "date_from": min(dates) - LIST_SLACK,
            "date_to": max(dates) + LIST_SLACK,
            "limit": BATCH_SIZE,
        }
        pages = -(-len(wanted) // BATCH_SIZE) + EXTRA_PAGES + len(wanted) // 10
        found: dict[int, Post] = {}
        cursor: str | None = None
        with self.client.priority(Priority.STATUS):
            for _ in range(pages):
                if not budget.take():
                    break
                page = self.client.list_posts(workspace_id, cursor=cursor, **filters)
                found.update({p.id: p for p in page.data if p.id in wanted})
                if len(found) == len(wanted) or not page.has_more or not page.next_cursor:
                    break
                cursor = page.next_cursor
        return found

    def _read_one(self, publication: Publication) -> Post | None:
        """One post on its own; a post gone from Postoria ends the publication."""
        assert publication.post_id is not None
        try:
            with (
                self.client.priority(Priority.STATUS),
                self.client.tag(publication_id=publication.id),
            ):
                return self.client.get_post(publication.workspace_id, publication.post_id)
        except NotFoundError:
            self.post_gone(publication)
        except PostoriaError as exc:
            log.warning("status of post %s failed: %s", publication.post_id, exc)
            self._postpone(publication)
        return None

    def _postpone(self, publication: Publication) -> None:
        now = self.clock.now()
        transition(
            self.db,
            publication.id or 0,
            {S.SUBMITTED},
            next_check_at=next_check(None, publication.check_count + 1, now, self.interval),
            check_count=publication.check_count + 1,
        )

    def post_gone(self, publication: Publication) -> None:
        """The post no longer exists: cancelled if the bridge deleted it, else failed."""
        if publication.options.get("cancel_requested_at"):
            finish(
                self.db,
                publication.id or 0,
                S.CANCELLED,
                "deleted in Postoria on request",
                self.clock.now(),
            )
            return
        finish(
            self.db,
            publication.id or 0,
            S.FAILED,
            f"post {publication.post_id} no longer exists in Postoria (deleted outside the bridge)",
            self.clock.now(),
        )

    def apply(self, publication_id: int, post: Post) -> None:
        """Record what ``post`` says about the publication; finish it when every account has."""
        now = self.clock.now()
        with self.db.session() as session:
            # Locked, so two pollers sharing a database record one post's results in turn.
            publication = session.get(Publication, publication_id, with_for_update=True)
            if publication is None or publication.state != S.SUBMITTED:
                return
            if outcome_of(post, publication.account_ids) is None and results_overdue(post, now):
                post = with_missing_results(post, publication.account_ids)
            save_results(session, publication, post, now)
            publication.post_status = post.status
            publication.post_date = post.date or publication.post_date
            publication.check_count += 1
            publication.updated_at = now
            final = outcome_of(post, publication.account_ids)
            if final is None:
                publication.next_check_at = next_check(
                    post.date, publication.check_count, now, self.interval
                )
                return
            session.flush()
            errors = final_reason(session, publication_id) if final != S.POSTED else None
            notes = [n for n in (errors, publication.state_reason) if n]
            reason = "; ".join(notes)[:2000] or None
        finish(self.db, publication_id, final, reason, now)


def mark_submitted(
    db: Database,
    publication_id: int,
    post: Post,
    from_states: set[str],
    reason: str | None,
    now: datetime,
    *,
    attempt: int,
    interval: timedelta = DEFAULT_STATUS_INTERVAL,
) -> bool:
    """Store the post create number ``attempt`` made (or reconciliation found for it)."""
    return transition(
        db,
        publication_id,
        from_states,
        attempt=attempt,
        state=S.SUBMITTED,
        post_id=post.id,
        post_status=post.status,
        post_date=post.date,
        submitted_at=now,
        state_reason=reason,
        check_count=0,
        next_check_at=next_check(post.date, 0, now, interval),
        updated_at=now,
    )


class Canceller:
    """Cancels publications with the create discipline: intent recorded before the DELETE.

    The intent (``options["cancel_requested_at"]``) is committed first; if the process stops
    after the DELETE, the next status read finds the post gone and, seeing the intent, ends the
    publication ``cancelled`` rather than ``failed``. A post Postoria is publishing right now
    (409) cannot be cancelled: the intent is withdrawn and the error raised. A publication whose
    create is being reconciled cannot be cancelled until its outcome is known.
    """

    def __init__(self, db: Database, client: PostoriaClient, clock: Clock) -> None:
        self.db = db
        self.client = client
        self.clock = clock

    def cancel(self, publication_id: int, *, recreate: bool = False) -> None:
        """Cancel (and with ``recreate``, reset to ``pending`` after deleting the post)."""
        with self.db.session() as session:
            publication = session.get(Publication, publication_id)
        if publication is None:
            raise BridgeError(f"publication {publication_id} does not exist")
        if publication.state == S.CANCELLED:
            return
        if publication.state in S.FINAL:
            raise BridgeError(f"publication {publication_id} is already {publication.state}")
        if publication.state in (S.SUBMITTING, S.UNKNOWN):
            raise BridgeError(
                f"publication {publication_id}'s create is being reconciled; cancel it once "
                "its outcome is known"
            )
        if publication.post_id is not None:
            self._delete(publication, recreate)
        elif not recreate:
            reason = "cancelled before it was sent"
            if not finish(self.db, publication_id, S.CANCELLED, reason, self.clock.now()):
                raise BridgeError(f"publication {publication_id} changed; try again")

    def _delete(self, publication: Publication, recreate: bool) -> None:
        pid, post_id = publication.id or 0, publication.post_id
        assert post_id is not None
        now = self.clock.now()
        intent = {**publication.options, "cancel_requested_at": isoformat_z(now)}
        if not transition(
            self.db, pid, {S.SUBMITTED}, options=intent, state_reason="cancel requested"
        ):
            raise BridgeError(f"publication {pid} changed while being cancelled; try again")
        try:
            with self.client.tag(publication_id=pid), self.client.priority(Priority.CREATE):
                self.client.delete_post(publication.workspace_id, post_id)
        except NotFoundError:
            pass  # already gone: the intent is fulfilled
        except ConflictError:
            transition(self.db, pid, {S.SUBMITTED}, options=publication.options, state_reason=None)
            raise
        if recreate:
            self._reset(publication)
        else:
            finish(self.db, pid, S.CANCELLED, f"post {post_id} deleted on request", now)

    def remove_orphan(self, publication_id: int, workspace_id: int, post_id: int) -> None:
        """Delete a post whose create was superseded before its answer could be stored.

        Only happens when a create was held up longer than the reconciliation settle time and
        another replica meanwhile settled the publication otherwise: unless the publication
        adopted this very post, it is a duplicate, and is deleted at once.
        """
        with self.db.session() as session:
            publication = session.get(Publication, publication_id)
        if publication is not None and publication.post_id == post_id:
            return
        log.error(
            "publication %s: post %s was created by a superseded attempt; deleting it",
            publication_id,
            post_id,
        )
        try:
            with (
                self.client.tag(publication_id=publication_id),
                self.client.priority(Priority.CREATE),
            ):
                self.client.delete_post(workspace_id, post_id)
        except NotFoundError:
            pass
        except PostoriaError as exc:  # e.g. 409 while it is being published: a person must
            note = f"duplicate post {post_id} from a superseded attempt could not be deleted "
            note += f"({exc}); delete it in Postoria"
            earlier = publication.state_reason if publication else None
            reason = "; ".join(n for n in (earlier, note) if n)
            transition(self.db, publication_id, S.ALL, state_reason=reason[:2000])

    def _reset(self, publication: Publication) -> None:
        pid = publication.id or 0
        with self.db.session() as session:
            query = select(AccountResult).where(AccountResult.publication_id == pid)
            for row in session.exec(query):
                session.delete(row)
        transition(
            self.db,
            pid,
            {S.SUBMITTED},
            state=S.PENDING,
            state_reason=f"post {publication.post_id} deleted; to be created again",
            options=publication.options,
            post_id=None,
            post_status=None,
            post_date=None,
            fingerprint="",
            submit_started_at=None,
            submitted_at=None,
            next_check_at=None,
            check_count=0,
            updated_at=self.clock.now(),
        )
