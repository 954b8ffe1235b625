"""The tables: sources, items and their identities, publications with media, results and attempts.

Every side effect the engine performs is recorded here before it happens (a publication is
``submitting`` before its create request leaves), so a crash at any point leaves enough to
resume or reconcile. Times are aware UTC datetimes; JSON columns hold small lists and dicts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from .types import UTCDateTime


def _json(default: Any = None) -> Any:
    factory = list if isinstance(default, list) else dict
    return Field(default_factory=factory, sa_column=Column(JSON, nullable=False))


def _when(*, index: bool = False, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), index=index, nullable=nullable))


class PublicationState:
    """The states of a publication; ``FINAL`` ones are never touched again.

    ``pending`` waits for its due time or approval; ``media`` has media being imported or
    uploaded; ``ready`` may be submitted; ``submitting`` means the create request may have left
    (intent recorded first); ``unknown`` means its outcome was lost and must be reconciled;
    ``submitted`` has a Postoria post ID and awaits per-account results.
    """

    PENDING = "pending"
    MEDIA = "media"
    READY = "ready"
    SUBMITTING = "submitting"
    UNKNOWN = "unknown"
    SUBMITTED = "submitted"
    POSTED = "posted"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"

    FINAL = frozenset({POSTED, PARTIAL, FAILED, CANCELLED, SKIPPED})
    ALL = (PENDING, MEDIA, READY, SUBMITTING, UNKNOWN, SUBMITTED, *sorted(FINAL))


class Approval:
    """Approval gate values: not required, waiting for a person, or decided."""

    NOT_REQUIRED = "not_required"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class SourceRecord(SQLModel, table=True):
    """A configured source and its polling state (cursor, errors, backoff)."""

    __tablename__ = "sources"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(sa.String(200), unique=True, nullable=False))
    type: str = Field(max_length=100)
    location: str | None = Field(default=None, max_length=2000)
    cursor: dict[str, Any] = _json({})
    enabled: bool = True
    disabled_reason: str | None = None
    initialized: bool = False
    created_at: datetime | None = _when(nullable=False)
    last_fetch_at: datetime | None = _when()
    last_success_at: datetime | None = _when()
    next_fetch_at: datetime | None = _when(index=True)
    consecutive_failures: int = 0
    last_error: str | None = None


class FetchRecord(SQLModel, table=True):
    """One fetch of a source: outcome, counts and problems, for the dashboard and logs."""

    __tablename__ = "fetches"
    __table_args__ = (sa.Index("ix_fetches_source_started", "source_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id")
    started_at: datetime | None = _when(nullable=False)
    finished_at: datetime | None = _when()
    outcome: str = Field(default="ok", max_length=40)
    items_seen: int = 0
    items_new: int = 0
    problems: list[dict[str, Any]] = _json([])
    error: str | None = None


class ItemRecord(SQLModel, table=True):
    """One item of a source, stored once. ``status`` says what the engine did with it."""

    __tablename__ = "items"
    __table_args__ = (
        sa.UniqueConstraint("source_id", "external_id", name="uq_items_source_external"),
        sa.Index("ix_items_source_seen", "source_id", "first_seen_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id")
    external_id: str = Field(sa_column=Column(sa.String(2000), nullable=False))
    title: str = ""
    link: str | None = None
    summary_html: str = ""
    summary_text: str = ""
    content_html: str = ""
    content_text: str = ""
    author: str | None = None
    published: datetime | None = _when()
    updated: datetime | None = _when()
    categories: list[str] = _json([])
    tags: list[str] = _json([])
    media: list[dict[str, Any]] = _json([])
    extra: dict[str, Any] = _json({})
    fingerprint: str = Field(default="", max_length=64)
    first_seen_at: datetime | None = _when(nullable=False)
    status: str = Field(default="new", max_length=40, index=True)
    status_reason: str | None = None


class ItemIdentity(SQLModel, table=True):
    """Every identity an item was seen under (guid, link, content hash): the seen-set.

    Never evicted: an identity recorded once keeps its item "seen" forever, whatever the
    source does to its guid, order or dates later.
    """

    __tablename__ = "item_identities"
    __table_args__ = (
        sa.UniqueConstraint("source_id", "identity", name="uq_identities_source_identity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id")
    identity: str = Field(sa_column=Column(sa.String(2000), nullable=False))
    item_id: int = Field(foreign_key="items.id", index=True)


class Publication(SQLModel, table=True):
    """One item sent along one route to a group of accounts sharing one caption.

    ``variant`` distinguishes the groups of one route (one post per distinct caption); the
    unique key (item, route, variant) is what makes routing idempotent. ``fingerprint``
    identifies the intended Postoria post (caption, accounts, media, mode, time) so an
    ambiguous create can be matched against the posts list.
    """

    __tablename__ = "publications"
    __table_args__ = (
        sa.UniqueConstraint("item_id", "route", "variant", name="uq_publications_item_route"),
        sa.Index("ix_publications_state_due", "state", "due_at"),
        sa.Index("ix_publications_state_check", "state", "next_check_at"),
        sa.Index("ix_publications_route_due", "route", "due_at"),
        sa.Index("ix_publications_created", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="items.id", index=True)
    source_id: int = Field(foreign_key="sources.id", index=True)
    route: str = Field(max_length=200)
    variant: str = Field(default="", max_length=64)
    workspace_id: int
    account_ids: list[int] = _json([])
    networks: list[str] = _json([])
    mode: str = Field(max_length=20)
    queue_id: int | None = None
    scheduled_time: datetime | None = _when()
    due_at: datetime | None = _when()
    caption: str = ""
    first_comment: str | None = None
    link_url: str | None = None
    options: dict[str, Any] = _json({})
    fingerprint: str = Field(default="", max_length=64)
    state: str = Field(default=PublicationState.PENDING, max_length=20)
    state_reason: str | None = None
    approval: str = Field(default=Approval.NOT_REQUIRED, max_length=20, index=True)
    decided_by: str | None = None
    decided_at: datetime | None = _when()
    post_id: int | None = Field(default=None, index=True)
    post_status: str | None = Field(default=None, max_length=40)
    post_date: datetime | None = _when()
    submit_started_at: datetime | None = _when()
    submitted_at: datetime | None = _when()
    final_at: datetime | None = _when(index=True)
    next_check_at: datetime | None = _when()
    check_count: int = 0
    create_attempts: int = 0
    requests_spent: int = 0
    created_at: datetime | None = _when(nullable=False)
    updated_at: datetime | None = _when(nullable=False)


class PublicationMedia(SQLModel, table=True):
    """One media file of a publication, from candidate URL to a ready Postoria media ID."""

    __tablename__ = "publication_media"
    __table_args__ = (
        sa.UniqueConstraint("publication_id", "position", name="uq_media_publication_position"),
        sa.Index("ix_media_state_check", "state", "next_check_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    publication_id: int = Field(foreign_key="publications.id")
    position: int = 0
    source_url: str
    kind: str = Field(default="image", max_length=20)
    method: str | None = Field(default=None, max_length=20)
    state: str = Field(default="pending", max_length=20)
    media_id: int | None = None
    file_id: str | None = None
    content_type: str | None = None
    size: int | None = None
    error: str | None = None
    requested_at: datetime | None = _when()
    ready_at: datetime | None = _when(index=True)
    next_check_at: datetime | None = _when()
    check_count: int = 0


class AccountResult(SQLModel, table=True):
    """What happened to a publication on one social account: a link, or an error."""

    __tablename__ = "account_results"
    __table_args__ = (
        sa.UniqueConstraint("publication_id", "account_id", name="uq_results_publication_account"),
    )

    id: int | None = Field(default=None, primary_key=True)
    publication_id: int = Field(foreign_key="publications.id", index=True)
    account_id: int
    account_name: str | None = None
    network: str | None = Field(default=None, max_length=40)
    link: str | None = None
    error: str | None = None
    updated_at: datetime | None = _when(nullable=False)


class Attempt(SQLModel, table=True):
    """One request made to Postoria, attributed to a publication when it was for one."""

    __tablename__ = "attempts"
    __table_args__ = (sa.Index("ix_attempts_started", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    publication_id: int | None = Field(default=None, foreign_key="publications.id", index=True)
    endpoint: str = Field(max_length=120)
    status_code: int | None = None
    outcome: str = Field(max_length=40)
    error: str | None = None
    request_id: str | None = Field(default=None, max_length=120)
    started_at: datetime | None = _when(nullable=False)
    duration_ms: float = 0.0


class AccountRecord(SQLModel, table=True):
    """A Postoria social account as last resolved, for captions, listings and the dashboard."""

    __tablename__ = "accounts"
    __table_args__ = (sa.UniqueConstraint("account_id", name="uq_accounts_account"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int
    workspace_id: int = Field(index=True)
    workspace_name: str = ""
    name: str = ""
    network: str = Field(default="", max_length=40)
    url: str | None = None
    refreshed_at: datetime | None = _when(nullable=False)
