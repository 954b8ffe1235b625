"""What the publisher writes down: every request, every state change, every final summary.

**Attempts.** Every request made to Postoria becomes an :class:`~bridge.store.Attempt` row.

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

**Creates.** :func:`build_create_post` is what a create asks for, and :func:`fingerprint`, stored
with it before it is sent, what identifies the intended post for reconciliation
(:mod:`bridge.engine.reconcile`).

**Results.** :func:`save_results` keeps one :class:`~bridge.store.AccountResult` per account,
and :func:`outcome_of` says when a post's results make the publication final.

**State changes.** :func:`transition` moves a publication with a compare-and-set, and
:func:`finish` moves it to a final state once and tells the plugins
(:func:`bridge.registry.publication_finished`) with :func:`publication_summary`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import col, select

from .. import registry
from ..clock import isoformat_z
from ..errors import PostoriaAPIError, PostoriaError, PostoriaValidationError
from ..postoria import CreatePost
from ..store import (
    AccountRecord,
    AccountResult,
    Attempt,
    ItemRecord,
    Publication,
    SourceRecord,
)
from ..store import PublicationState as S

if TYPE_CHECKING:
    from datetime import datetime

    from ..postoria.ledger import RequestRecord
    from ..postoria.models import Post
    from ..store import Database

log = logging.getLogger(__name__)

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
        try:
            self._write(records)
        except Exception:
            with self._lock:  # keep them for the next flush rather than lose the accounting
                self._pending[:0] = records
            raise
        return len(records)

    def _write(self, records: list[RequestRecord]) -> None:
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


def transition(
    db: Database,
    publication_id: int,
    from_states: Iterable[str],
    *,
    attempt: int | None = None,
    **values: Any,
) -> bool:
    """Set ``values`` on a publication only if it is still in one of ``from_states``.

    A compare-and-set in one UPDATE: two publishers sharing a database (or a publisher and a
    person cancelling from the dashboard) can never both move the same publication, and a
    publication that reached a final state is never moved again. ``attempt`` also requires
    ``create_attempts`` to be that number: what is learnt about one create (its answer, or a
    reconciliation of it) never lands on a later create of the same publication.
    """
    query = (
        sa.update(Publication)
        .where(Publication.id == publication_id)  # type: ignore[arg-type]
        .where(col(Publication.state).in_(list(from_states)))
    )
    if attempt is not None:
        query = query.where(Publication.create_attempts == attempt)  # type: ignore[arg-type]
    with db.session() as session:
        result = session.execute(query.values(**values))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def network_of(publication: Publication, account_id: int) -> str | None:
    """The account's network as routing recorded it (``networks`` parallels the accounts)."""
    if len(publication.networks) == len(publication.account_ids):
        return publication.networks[publication.account_ids.index(account_id)]
    return None


def outcome_of(post: Post, account_ids: Iterable[int]) -> str | None:
    """The final state once every account has a link or an error, else ``None``."""
    links = errors = 0
    for account_id in account_ids:
        result = post.result_for(account_id)
        if result is None:
            return None
        if result.error_text:
            errors += 1
        elif result.link_to_post:
            links += 1
        else:
            return None
    if errors == 0:
        return S.POSTED
    return S.FAILED if links == 0 else S.PARTIAL


def save_results(session: Any, publication: Publication, post: Post, now: datetime) -> None:
    """Upsert one :class:`AccountResult` per account that has a link or an error."""
    existing = {
        r.account_id: r
        for r in session.exec(
            select(AccountResult).where(AccountResult.publication_id == publication.id)
        )
    }
    known = _accounts(session, publication.account_ids)
    for account_id in publication.account_ids:
        result = post.result_for(account_id)
        if result is None or not (result.link_to_post or result.error_text):
            continue
        row = existing.get(account_id) or AccountResult(
            publication_id=publication.id or 0, account_id=account_id
        )
        record = known.get(account_id)
        row.account_name = record.name if record else row.account_name
        row.network = record.network if record else network_of(publication, account_id)
        row.link = result.link_to_post
        row.error = result.error_text
        row.updated_at = now
        session.add(row)


def _accounts(session: Any, account_ids: list[int]) -> dict[int, AccountRecord]:
    query = select(AccountRecord).where(col(AccountRecord.account_id).in_(account_ids))
    return {r.account_id: r for r in session.exec(query)}


def final_reason(session: Any, publication_id: int) -> str | None:
    """The accounts' errors, one after the other, for ``state_reason``."""
    rows = session.exec(select(AccountResult).where(AccountResult.publication_id == publication_id))
    errors = [f"{r.account_name or r.account_id}: {r.error}" for r in rows if r.error]
    return "; ".join(errors)[:2000] or None


def finish(
    db: Database, publication_id: int, state: str, reason: str | None, now: datetime
) -> bool:
    """Move a publication to a final state (once) and tell the plugins."""
    moved = transition(
        db,
        publication_id,
        set(S.ALL) - S.FINAL,
        state=state,
        state_reason=reason,
        next_check_at=None,
        final_at=now,
        updated_at=now,
    )
    if moved:
        announce(db, publication_id)
    return moved


def announce(db: Database, publication_id: int) -> None:
    """Call ``publication_finished`` with the documented summary."""
    try:
        summary = publication_summary(db, publication_id)
    except Exception:  # a summary problem must not undo a finished publication
        log.exception("cannot summarize publication %s", publication_id)
        return
    registry.publication_finished(summary)


def publication_summary(db: Database, publication_id: int) -> dict[str, Any]:
    """The summary documented in :func:`bridge.hookspecs.publication_finished`."""
    with db.session() as session:
        publication = session.get(Publication, publication_id)
        assert publication is not None
        item = session.get(ItemRecord, publication.item_id)
        source = session.get(SourceRecord, publication.source_id)
        rows = session.exec(
            select(AccountResult).where(AccountResult.publication_id == publication_id)
        ).all()
        by_account = {r.account_id: r for r in rows}
        results = []
        for account_id in publication.account_ids:
            row = by_account.get(account_id)
            results.append(
                {
                    "account_id": account_id,
                    "network": row.network if row else network_of(publication, account_id),
                    "link": row.link if row else None,
                    "error": row.error if row else None,
                }
            )
        return {
            "id": publication.id,
            "state": publication.state,
            "state_reason": publication.state_reason,
            "source": source.name if source else None,
            "route": publication.route,
            "item_title": item.title if item else None,
            "item_link": item.link if item else None,
            "post_ids": [publication.post_id] if publication.post_id else [],
            "results": results,
            "requests_spent": publication.requests_spent,
        }


def fingerprint(
    *,
    caption: str,
    account_ids: Sequence[int],
    media_ids: Sequence[int],
    mode: str,
    scheduled_time: datetime | None,
    queue_id: int | None,
) -> str:
    """A stable hash of what identifies the intended post (64 hex characters).

    Accounts are sorted (their order means nothing to Postoria); media keep their order (it is
    the carousel's order).
    """
    document = {
        "caption": normalize_caption(caption),
        "accounts": sorted(int(a) for a in account_ids),
        "media": [int(m) for m in media_ids],
        "mode": mode,
        "scheduled_time": isoformat_z(scheduled_time) if scheduled_time else None,
        "queue_id": queue_id,
    }
    raw = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(raw).hexdigest()


def normalize_caption(text: str | None) -> str:
    """The caption as compared: line endings unified, outer whitespace dropped."""
    return (text or "").replace("\r\n", "\n").strip()


def is_rejection(error: PostoriaError) -> bool:
    """A 4xx (other than 401 and 429) or a local contract check: the post was not created
    and sending it again would fail the same way."""
    if isinstance(error, PostoriaValidationError):
        return True
    return isinstance(error, PostoriaAPIError) and 400 <= error.status < 500


def build_create_post(
    publication: Publication, media_ids: list[int], scheduled_time: datetime | None
) -> CreatePost:
    """The create request with every option the route asked for, media in order."""
    options = publication.options
    fields: dict[str, Any] = {
        "publish_mode": publication.mode,
        "social_account_ids": list(publication.account_ids),
        "caption": publication.caption or None,
        "media_ids": media_ids,
        "link_url": publication.link_url,
        "first_comment": publication.first_comment,
        "content_type": options.get("content_type"),
        "repost": options.get("repost"),
        "youtube": options.get("youtube"),
        "tiktok": options.get("tiktok"),
    }
    if publication.first_comment and options.get("comment_delay") is not None:
        fields["comment_delay"] = options["comment_delay"]
    if publication.mode == "schedule":
        fields["scheduled_time"] = scheduled_time
    if publication.mode == "queue":
        fields["queue_id"] = publication.queue_id
    return CreatePost(**{k: v for k, v in fields.items() if v is not None})
