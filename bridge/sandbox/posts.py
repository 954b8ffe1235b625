"""Posts: creation, the lifecycle that follows the clock, listing with filters, deletion.

``publish_now`` starts ``in_progress``; ``schedule`` is ``scheduled`` until its time;
``queue`` is ``queued`` at the queue's next free slot (a paused queue keeps it queued, moving
its ``date`` to the next slot). Once due, a post is ``in_progress`` for ``publish_delay``
seconds, then ``posted``, with each account's result: a link, or the network's refusal.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..clock import isoformat_z
from .errors import ApiError, not_found, validation
from .networks import post_url, publish_error
from .records import PostRecord
from .validation import parse_create_post, parse_time

if TYPE_CHECKING:
    from .seed import Queue, Workspace
    from .state import SandboxState

SLOT_SEARCH_DAYS = 400


def create(state: SandboxState, workspace: Workspace, body: Any, now: datetime) -> dict[str, Any]:
    """``POST /posts``: validate, store, and return the post as served."""
    fields = parse_create_post(state, workspace, body, now)
    media = fields.pop("media")
    mode = fields["publish_mode"]
    with state.lock:
        record = PostRecord(
            id=state.next_post_id(),
            workspace_id=workspace.id,
            account_ids=fields["account_ids"],
            publish_mode=mode,
            created_at=now,
            status={"publish_now": "in_progress", "schedule": "scheduled"}.get(mode, "queued"),
            date=fields["scheduled_time"] if mode == "schedule" else now,
            caption=fields["caption"],
            content_type=fields["content_type"],
            media_ids=[m.id for m in media],
            media_kinds=[m.kind for m in media],
            file_urls=[f"https://cdn.postoria.sandbox/{m.file_id}" for m in media],
            link_url=fields["link_url"],
            first_comment=fields["first_comment"],
            comment_delay=fields["comment_delay"],
            queue_id=fields["queue_id"],
            repost=fields["repost"],
            youtube=fields["youtube"],
            tiktok=fields["tiktok"],
            started_at=now if mode == "publish_now" else None,
        )
        record.errors = {
            account_id: publish_error(
                state.accounts[account_id].network, record.caption, record.media_kinds
            )
            for account_id in record.account_ids
        }
        if mode == "queue":
            queue = state.queues[record.queue_id]
            record.date = next_free_slot(state, workspace, queue, now)
        state.post_records[record.id] = record
        refresh(state, record, now)
        return to_json(state, record)


def refresh(state: SandboxState, record: PostRecord, now: datetime) -> None:
    """Advance one post along its lifecycle up to ``now``."""
    if record.deleted:
        return
    delay = timedelta(seconds=state.config.publish_delay)
    if record.status == "queued" and record.date is not None and record.date <= now:
        queue = state.queues[record.queue_id]
        if state.is_paused(queue.id):
            workspace = state.workspaces[record.workspace_id]
            record.date = next_free_slot(state, workspace, queue, now, exclude=record.id)
            return
    if record.status in ("scheduled", "queued") and record.date is not None and record.date <= now:
        record.status = "in_progress"
        record.started_at = record.date
    if record.status == "in_progress" and record.started_at + delay <= now:
        record.status = "posted"
        record.posted_at = record.started_at + delay


def next_free_slot(
    state: SandboxState,
    workspace: Workspace,
    queue: Queue,
    now: datetime,
    exclude: int | None = None,
) -> datetime | None:
    """The queue's first slot after ``now`` that no other live post of the queue holds."""
    taken = {
        r.date
        for r in state.post_records.values()
        if r.queue_id == queue.id and not r.deleted and r.id != exclude
    }
    zone = workspace.zone
    local_day = now.astimezone(zone).date()
    for offset in range(SLOT_SEARCH_DAYS):
        day = local_day + timedelta(days=offset)
        for slot in queue.slots:
            candidate = datetime.combine(day, slot, tzinfo=zone).astimezone(now.tzinfo)
            if candidate > now and candidate not in taken:
                return candidate
    return None


def to_json(state: SandboxState, record: PostRecord) -> dict[str, Any]:
    """A post as served: the contract's fields plus per-network content blocks."""
    posted = record.status == "posted"
    results = []
    for account_id in record.account_ids:
        account = state.accounts[account_id]
        error = record.errors.get(account_id) if posted else None
        link = None
        if posted and error is None:
            link = post_url(account.network, account.handle, record.id, account_id)
        results.append({"account_id": account_id, "link_to_post": link, "error": error})
    served: dict[str, Any] = {
        "id": record.id,
        "status": record.status,
        "date": isoformat_z(record.date) if record.date else None,
        "queue_id": record.queue_id,
        "results": results,
    }
    for network in dict.fromkeys(state.accounts[a].network for a in record.account_ids):
        served[network] = {
            "caption": record.caption,
            "files": [{"url": url} for url in record.file_urls],
        }
    return served


def submitted_json(record: PostRecord) -> dict[str, Any]:
    """What was asked for (and inferred) when the post was created, for the admin API."""
    return {
        "publish_mode": record.publish_mode,
        "social_account_ids": record.account_ids,
        "content_type": record.content_type,
        "caption": record.caption,
        "media_ids": record.media_ids,
        "link_url": record.link_url,
        "first_comment": record.first_comment,
        "comment_delay": record.comment_delay,
        "queue_id": record.queue_id,
        "repost": record.repost,
        "youtube": record.youtube,
        "tiktok": record.tiktok,
        "created_at": isoformat_z(record.created_at),
    }


def get(state: SandboxState, workspace: Workspace, post_id: int, now: datetime) -> PostRecord:
    """The workspace's live post, up to ``now``; 404 when absent, deleted or another's."""
    record = state.post_records.get(post_id)
    if record is None or record.workspace_id != workspace.id or record.deleted:
        raise not_found("post")
    refresh(state, record, now)
    return record


def delete(state: SandboxState, workspace: Workspace, post_id: int, now: datetime) -> None:
    """``DELETE /posts/{id}``: cancel or delete; a post being published is a 409."""
    with state.lock:
        record = get(state, workspace, post_id, now)
        if record.status == "in_progress":
            raise ApiError(409, "conflict", "The post is being published; try again shortly.")
        record.deleted = True
        record.deleted_at = now


def list_page(
    state: SandboxState, workspace: Workspace, args: Any, now: datetime
) -> dict[str, Any]:
    """``GET /posts``: filtered, newest first by id, paged with an opaque cursor."""
    limit = _limit(args.get("limit"))
    before = _decode_cursor(args.get("cursor"))
    match = _filter(state, args)
    with state.lock:
        records = sorted(
            (
                r
                for r in state.post_records.values()
                if r.workspace_id == workspace.id and not r.deleted
            ),
            key=lambda r: r.id,
            reverse=True,
        )
        page: list[PostRecord] = []
        has_more = False
        for record in records:
            if before is not None and record.id >= before:
                continue
            refresh(state, record, now)
            if not match(record):
                continue
            if len(page) == limit:
                has_more = True
                break
            page.append(record)
        data = [to_json(state, r) for r in page]
    cursor = _encode_cursor(page[-1].id) if has_more else None
    return {"data": data, "pagination": {"has_more": has_more, "next_cursor": cursor}}


def _limit(raw: str | None) -> int:
    if raw is None:
        return 25
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise validation("`limit` must be a whole number from 1 to 100.", "limit")
    return int(raw)


def _encode_cursor(before_id: int) -> str:
    raw = json.dumps({"before": before_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        before = data["before"]
        if isinstance(before, int) and not isinstance(before, bool):
            return before
    except (ValueError, KeyError, TypeError):
        pass
    raise validation("`cursor` is not a cursor this API returned.", "cursor")


def _ints(args: Any, name: str) -> list[int]:
    values = [v for raw in args.getlist(name) for v in raw.split(",") if v != ""]
    if not all(v.isdigit() for v in values):
        raise validation(f"`{name}` must be IDs.", name)
    return [int(v) for v in values]


def _filter(state: SandboxState, args: Any) -> Any:
    account_ids = set(_ints(args, "account_ids"))
    queue_ids = _ints(args, "queue_id")
    status = args.get("status")
    networks = {v for raw in args.getlist("networks") for v in raw.split(",") if v}
    date_from = parse_time(args["date_from"], "date_from") if "date_from" in args else None
    date_to = parse_time(args["date_to"], "date_to") if "date_to" in args else None

    def match(record: PostRecord) -> bool:
        if account_ids and not account_ids.intersection(record.account_ids):
            return False
        if queue_ids and record.queue_id != queue_ids[0]:
            return False
        if status and record.status != status:
            return False
        if networks and not networks.intersection(
            state.accounts[a].network for a in record.account_ids
        ):
            return False
        if date_from and (record.date is None or record.date < date_from):
            return False
        return not (date_to and (record.date is None or record.date > date_to))

    return match
