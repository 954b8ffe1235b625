"""Checking a ``CreatePost`` body the way Postoria does: 400 for a malformed field, 422 for a
well-formed one that cannot be honoured (unknown account, media not ready, time in the past).
Every error names the offending field in ``param``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..clock import utc
from .errors import ApiError, validation
from .media import refresh

if TYPE_CHECKING:
    from .seed import Workspace
    from .state import SandboxState

PUBLISH_MODES = ("publish_now", "schedule", "queue")
CONTENT_TYPES = ("text", "image", "video", "carousel", "link", "reel", "story")
FREQUENCIES = (
    *(f"every{n}_day" for n in range(1, 61)),
    *(f"every{n}_month" for n in (1, 2, 3, 4, 6)),
    "every1_year",
)
YOUTUBE_VISIBILITY = ("public", "private", "unlisted")
TIKTOK_WHO_CAN_WATCH = (
    "public_to_everyone",
    "mutual_follow_friends",
    "follower_of_creator",
    "self_only",
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def unprocessable(message: str, param: str, code: str = "unprocessable_entity") -> ApiError:
    """A 422: the field is well-formed but cannot be honoured."""
    return ApiError(422, code, message, param=param)


def parse_time(value: Any, param: str) -> datetime:
    """An ISO 8601 date-time with a zone (``Z`` or an offset), as aware UTC."""
    if not isinstance(value, str) or not _ISO.match(value):
        raise validation(
            f"`{param}` must be an ISO 8601 date-time like 2026-08-01T09:00:00Z.", param
        )
    try:
        return utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError as exc:
        raise validation(f"`{param}` is not a valid date-time.", param) from exc


def parse_create_post(
    state: SandboxState, workspace: Workspace, body: Any, now: datetime
) -> dict[str, Any]:
    """The checked fields of a ``CreatePost`` body (media as records, times as datetimes)."""
    if not isinstance(body, dict):
        raise validation("The request body must be a JSON object.", None)
    mode = body.get("publish_mode")
    if mode not in PUBLISH_MODES:
        raise validation(
            f"`publish_mode` must be one of {', '.join(PUBLISH_MODES)}.", "publish_mode"
        )
    fields: dict[str, Any] = {"publish_mode": mode}
    fields["account_ids"] = _accounts(state, workspace, body.get("social_account_ids"))
    fields["caption"] = _optional_str(body, "caption") or ""
    fields["link_url"] = _link(body.get("link_url"))
    fields["first_comment"] = _optional_str(body, "first_comment")
    fields["comment_delay"] = _comment_delay(body.get("comment_delay"))
    fields["media"] = _media(state, workspace, body.get("media_ids"), now)
    fields["content_type"] = _content_type(body.get("content_type"), fields)
    fields["scheduled_time"] = _scheduled(body.get("scheduled_time"), mode, now)
    fields["queue_id"] = _queue(state, workspace, body.get("queue_id"), mode)
    fields["repost"] = _repost(body.get("repost"), now)
    fields["youtube"] = _options(body, "youtube", "visibility", YOUTUBE_VISIBILITY)
    fields["tiktok"] = _options(body, "tiktok", "who_can_watch", TIKTOK_WHO_CAN_WATCH)
    if not fields["caption"] and not fields["media"]:
        raise validation("A post needs a `caption` or at least one media.", "caption")
    return fields


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _accounts(state: SandboxState, workspace: Workspace, value: Any) -> list[int]:
    param = "social_account_ids"
    if not isinstance(value, list) or not value or not all(_is_int(v) for v in value):
        raise validation("`social_account_ids` must be a non-empty list of account IDs.", param)
    if len(set(value)) != len(value):
        raise validation("`social_account_ids` lists an account twice.", param)
    own = {a.id for a in workspace.accounts}
    unknown = [v for v in value if v not in own]
    if unknown:
        raise unprocessable(
            f"Social account {unknown[0]} is not connected to this workspace.",
            param,
            "invalid_reference",
        )
    return list(value)


def _optional_str(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise validation(f"`{name}` must be a string.", name)
    return value


def _link(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value):
        raise validation("`link_url` must be an http(s) URL.", "link_url")
    return value


def _comment_delay(value: Any) -> int | None:
    if value is None:
        return None
    if not _is_int(value) or value < 0:
        raise validation(
            "`comment_delay` must be a whole number of minutes, 0 or more.", "comment_delay"
        )
    return value


def _media(state: SandboxState, workspace: Workspace, value: Any, now: datetime) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(_is_int(v) for v in value):
        raise validation("`media_ids` must be a list of media IDs.", "media_ids")
    records = []
    with state.lock:
        for media_id in value:
            record = state.media_records.get(media_id)
            if record is None or record.workspace_id != workspace.id:
                raise unprocessable(
                    f"Media {media_id} does not exist in this workspace.",
                    "media_ids",
                    "invalid_reference",
                )
            refresh(record, now)
            if record.status != "ready" or not record.file_id:
                raise unprocessable(
                    f"Media {media_id} is not ready (status {record.status}).",
                    "media_ids",
                    "media_not_ready",
                )
            records.append(record)
    return records


def _content_type(value: Any, fields: dict[str, Any]) -> str:
    kinds = [m.kind for m in fields["media"]]
    if value is None:
        if "video" in kinds:
            return "video"
        images = kinds.count("image")
        if images:
            return "carousel" if images > 1 else "image"
        return "link" if fields["link_url"] else "text"
    if value not in CONTENT_TYPES:
        raise validation(
            f"`content_type` must be one of {', '.join(CONTENT_TYPES)}.", "content_type"
        )
    if value in ("video", "reel") and "video" not in kinds:
        raise unprocessable(f"A {value} post needs a video in `media_ids`.", "content_type")
    if value in ("image", "carousel") and "image" not in kinds:
        raise unprocessable(f"An {value} post needs images in `media_ids`.", "content_type")
    if value == "story" and not kinds:
        raise unprocessable("A story needs an image or a video in `media_ids`.", "content_type")
    return value


def _scheduled(value: Any, mode: str, now: datetime) -> datetime | None:
    if mode != "schedule":
        return None
    if value is None:
        raise validation(
            "`scheduled_time` is required when publish_mode is schedule.", "scheduled_time"
        )
    when = parse_time(value, "scheduled_time")
    if when <= now:
        raise unprocessable(
            "`scheduled_time` must be in the future.", "scheduled_time", "scheduled_time_in_past"
        )
    return when


def _queue(state: SandboxState, workspace: Workspace, value: Any, mode: str) -> int | None:
    if mode != "queue":
        return None
    if value is None:
        raise validation("`queue_id` is required when publish_mode is queue.", "queue_id")
    if not _is_int(value):
        raise validation("`queue_id` must be a queue ID.", "queue_id")
    if value not in {q.id for q in workspace.queues}:
        raise unprocessable(
            f"Queue {value} does not exist in this workspace.", "queue_id", "invalid_reference"
        )
    return value


def _repost(value: Any, now: datetime) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise validation("`repost` must be an object {frequency, until}.", "repost")
    frequency, until = value.get("frequency"), value.get("until")
    if until is not None and frequency is None:
        raise validation("`repost.until` needs `repost.frequency`.", "repost.until")
    if frequency is not None and frequency not in FREQUENCIES:
        raise validation(
            "`repost.frequency` must be like every1_day … every60_day, "
            "every1_month, every2_month, every3_month, every4_month, "
            "every6_month or every1_year.",
            "repost.frequency",
        )
    if until is not None and parse_time(until, "repost.until") <= now:
        raise unprocessable("`repost.until` must be in the future.", "repost.until")
    return {"frequency": frequency, "until": until}


def _options(body: dict[str, Any], name: str, enum_field: str, allowed: tuple[str, ...]) -> Any:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise validation(f"`{name}` must be an object.", name)
    choice = value.get(enum_field)
    if choice is not None and choice not in allowed:
        raise validation(
            f"`{name}.{enum_field}` must be one of {', '.join(allowed)}.", f"{name}.{enum_field}"
        )
    return value
