"""The sandbox's mutable records: media and posts, as stored (not as served)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class MediaRecord:
    """One media item: an upload slot or an import, and where its processing stands."""

    id: int
    workspace_id: int
    source: str  # "upload" or "import"
    created_at: datetime
    status: str = "waiting_for_upload"
    name: str | None = None
    content_type: str | None = None
    url: str | None = None  # import URL (never the signed upload URL)
    upload_path: str | None = None
    uploaded_bytes: int | None = None
    uploaded_content_type: str | None = None
    ready_at: datetime | None = None
    # What processing will end in, decided when it starts and revealed at ``ready_at``.
    outcome: dict[str, Any] = field(default_factory=dict)
    file_id: str | None = None
    kind: str | None = None
    mime: str | None = None
    error_code: str | None = None
    error_message: str | None = None


@dataclass
class PostRecord:
    """One post and its lifecycle; ``status`` and ``results`` advance lazily with the clock."""

    id: int
    workspace_id: int
    publish_mode: str
    account_ids: list[int]
    created_at: datetime
    status: str
    date: datetime | None
    caption: str = ""
    content_type: str = "text"
    media_ids: list[int] = field(default_factory=list)
    media_kinds: list[str] = field(default_factory=list)
    file_urls: list[str] = field(default_factory=list)
    link_url: str | None = None
    first_comment: str | None = None
    comment_delay: int | None = None
    queue_id: int | None = None
    repost: dict[str, Any] | None = None
    youtube: dict[str, Any] | None = None
    tiktok: dict[str, Any] | None = None
    started_at: datetime | None = None
    posted_at: datetime | None = None
    errors: dict[int, str | None] = field(default_factory=dict)
    deleted: bool = False
    deleted_at: datetime | None = None


def ready(digest: str, mime: str, kind: str) -> dict[str, Any]:
    """A successful processing outcome (``digest`` identifies the bytes)."""
    return {"status": "ready", "digest": digest, "mime": mime, "kind": kind}


def failed(code: str, message: str) -> dict[str, Any]:
    """A failed processing outcome."""
    return {"status": "failed", "error_code": code, "error_message": message}
