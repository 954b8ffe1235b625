"""Matching a lost create to the posts Postoria lists: the verdicts of reconciliation.

:mod:`bridge.engine.reconcile` decides *when* a create whose answer was lost is looked into and
applies the verdict; this module holds *how* the verdict is reached, with no store access. The
posts of that workspace and those accounts are listed in a :func:`window` around the intended
time and compared with the publication's *fingerprint* (caption, accounts, media, mode, time;
:func:`bridge.engine.attempts.fingerprint`):

- exactly one post matches and no other publication owns it: it is adopted (:data:`ADOPT`);
- the list answered completely and nothing matches: creating again is safe (:data:`ABSENT`);
- several posts match: a person must decide (:data:`AMBIGUOUS`), nothing is created;
- the list failed or could not be read to its end: nothing is decided, try again later (the
  caller sees the :class:`~bridge.errors.PostoriaError`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..clock import utc
from .attempts import normalize_caption

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from ..postoria import PostoriaClient
    from ..postoria.models import Post
    from ..store import Publication

CLOCK_SLACK = timedelta(minutes=10)
"""Widening of a publish-now window for clock differences between the bridge and Postoria."""
SCHEDULE_SLACK = timedelta(minutes=1)
"""Widening around an exact scheduled time (Postoria may round it to the minute)."""
LIST_PAGE_SIZE = 100

ADOPT = "adopt"
ABSENT = "absent"
AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class Intent:
    """What the lost create asked for, as stored before it was sent."""

    workspace_id: int
    caption: str
    account_ids: tuple[int, ...]
    media_count: int
    mode: str
    scheduled_time: datetime | None
    queue_id: int | None
    sent_at: datetime
    file_ids: tuple[str, ...] = ()

    @classmethod
    def of(cls, publication: Publication, file_ids: Sequence[str], media_count: int) -> Intent:
        """The intent of ``publication``'s latest create."""
        sent_at = publication.submit_started_at or publication.updated_at
        assert sent_at is not None, "a publication being reconciled has a submit time"
        return cls(
            workspace_id=publication.workspace_id,
            caption=publication.caption,
            account_ids=tuple(sorted(publication.account_ids)),
            media_count=media_count,
            mode=publication.mode,
            scheduled_time=publication.scheduled_time,
            queue_id=publication.queue_id,
            sent_at=sent_at,
            file_ids=tuple(file_ids),
        )


@dataclass(frozen=True)
class Finding:
    """The verdict on one publication: adopt a post, none exists, or ambiguous."""

    verdict: str
    post: Post | None = None
    candidates: tuple[int, ...] = field(default=())
    listed: int = 0

    @property
    def reason(self) -> str:
        """A sentence for ``state_reason`` and logs."""
        if self.verdict == ADOPT and self.post is not None:
            return f"adopted post {self.post.id} found after the create's answer was lost"
        if self.verdict == AMBIGUOUS:
            ids = ", ".join(str(c) for c in self.candidates)
            return (
                f"ambiguous: posts {ids} all match this publication; a person must choose "
                "(nothing was created again)"
            )
        return f"no matching post among {self.listed} listed; safe to create again"


def window(intent: Intent, now: datetime) -> tuple[datetime, datetime | None]:
    """The ``date_from``/``date_to`` to list for ``intent`` (``None``: no upper bound)."""
    if intent.mode == "schedule" and intent.scheduled_time is not None:
        when = utc(intent.scheduled_time)
        return when - SCHEDULE_SLACK, when + SCHEDULE_SLACK
    if intent.mode == "queue":
        # A queued post's date is the queue's next free slot, possibly days ahead.
        return intent.sent_at - CLOCK_SLACK, None
    return intent.sent_at - CLOCK_SLACK, max(now, intent.sent_at) + CLOCK_SLACK


def find_post(
    client: PostoriaClient,
    intent: Intent,
    *,
    now: datetime,
    claimed: Callable[[set[int]], Collection[int]] = lambda ids: (),
) -> Finding:
    """List the candidates of ``intent`` completely and judge them (see :func:`judge_intent`).

    Raises the client's :class:`~bridge.errors.PostoriaError` when the list cannot be read to
    its end.
    """
    posts = list_candidates(client, [intent], now)
    return judge_intent(intent, posts, now=now, claimed=claimed)


def list_candidates(client: PostoriaClient, intents: Sequence[Intent], now: datetime) -> list[Post]:
    """Every post that could match any of ``intents`` (all of one workspace), read completely.

    One listing serves a whole batch: the union of their accounts over the union of their
    windows, so every intent's own window is covered by a complete answer. The contract lets a
    post's ``date`` be empty, and a date filter would hide such a post, so two listings without
    dates are added: posts still ``in_progress`` (for publish-now creates) and each queue's
    posts (for queue creates, whose date is a slot Postoria chooses).
    """
    workspace_id = intents[0].workspace_id
    accounts = sorted({a for intent in intents for a in intent.account_ids})
    found: dict[int, Post] = {}

    def collect(**filters: Any) -> None:
        for post in client.iter_posts(workspace_id, account_ids=accounts, **filters):
            found.setdefault(post.id, post)

    dated = [intent for intent in intents if intent.mode != "queue"]
    if dated:
        windows = [window(intent, now) for intent in dated]
        filters: dict[str, Any] = {"date_from": min(w[0] for w in windows)}
        if all(w[1] is not None for w in windows):
            filters["date_to"] = max(w[1] for w in windows if w[1] is not None)
        collect(limit=LIST_PAGE_SIZE, **filters)
    if any(intent.mode == "publish_now" for intent in intents):
        collect(limit=LIST_PAGE_SIZE, status="in_progress")
    for queue_id in sorted({i.queue_id for i in intents if i.mode == "queue" and i.queue_id}):
        collect(limit=LIST_PAGE_SIZE, queue_id=queue_id)
    return list(found.values())


def judge_intent(
    intent: Intent,
    posts: Sequence[Post],
    *,
    now: datetime,
    claimed: Callable[[set[int]], Collection[int]] = lambda ids: (),
) -> Finding:
    """Judge a complete listing for one intent.

    ``claimed(ids)`` says which of the matching post IDs other publications already own: those
    are never adopted twice.
    """
    date_from, date_to = window(intent, now)
    strong: list[Post] = []
    weak: list[Post] = []
    for post in posts:
        strength = match_strength(post, intent, date_from, date_to)
        if strength == STRONG:
            strong.append(post)
        elif strength == WEAK:
            weak.append(post)
    owned = set(claimed({p.id for p in strong + weak}))
    strong = [p for p in strong if p.id not in owned]
    weak = [p for p in weak if p.id not in owned]
    return judge(strong, weak, len(posts))


def judge(strong: list[Post], weak: list[Post], listed: int) -> Finding:
    """Adopt a single match; several are ambiguous; none is absence."""
    matches = strong or weak
    if not matches:
        return Finding(ABSENT, listed=listed)
    if len(matches) == 1:
        return Finding(ADOPT, post=matches[0], candidates=(matches[0].id,), listed=listed)
    return Finding(AMBIGUOUS, candidates=tuple(p.id for p in matches), listed=listed)


STRONG = "strong"
WEAK = "weak"
NO_MATCH = "none"


def match_strength(
    post: Post, intent: Intent, date_from: datetime, date_to: datetime | None
) -> str:
    """How surely ``post`` is the one ``intent`` created.

    Accounts, mode and time must agree. When the post carries its per-network content blocks
    (caption and files), the caption and the number of files must agree too, and the match is
    *strong*; without them the match is *weak* (still adopted when it is the only one).
    """
    accounts = {r.account_id for r in post.results}
    if accounts and accounts != set(intent.account_ids):
        return NO_MATCH
    if not _time_agrees(post, intent, date_from, date_to):
        return NO_MATCH
    blocks = content_blocks(post)
    if not blocks:
        return WEAK
    wanted = normalize_caption(intent.caption)
    for block in blocks:
        if normalize_caption(block.get("caption")) != wanted:
            return NO_MATCH
        files = block.get("files")
        if isinstance(files, list) and len(files) != intent.media_count:
            return NO_MATCH
        if isinstance(files, list) and not _files_agree(files, intent.file_ids):
            return NO_MATCH
    return STRONG


def _time_agrees(post: Post, intent: Intent, date_from: datetime, date_to: datetime | None) -> bool:
    if intent.mode == "queue":
        return post.queue_id == intent.queue_id
    if post.queue_id is not None:
        return False
    if post.date is None:
        return intent.mode != "schedule"
    when = utc(post.date)
    return when >= date_from and (date_to is None or when <= date_to)


def _files_agree(files: list[Any], file_ids: Sequence[str]) -> bool:
    """Each known file ID appears in the file URL at its position (when URLs name them)."""
    urls = [str(f.get("url", "")) if isinstance(f, dict) else "" for f in files]
    named = [any(fid in url for url in urls) for fid in file_ids if fid]
    if not any(named):
        return True  # URLs that do not name file IDs tell nothing either way
    return all(named)


def content_blocks(post: Post) -> list[dict[str, Any]]:
    """The per-network ``{caption, files}`` blocks a post carries, if any."""
    extra = post.model_extra or {}
    return [v for v in extra.values() if isinstance(v, dict) and "caption" in v]
