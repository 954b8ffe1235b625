"""The resources Postoria returns, as pydantic models that tolerate the future.

Responses accept fields they do not know (``extra="allow"``) and treat statuses and networks as
open strings, with the known values as constants: a new network or status on Postoria's side
must not break the bridge. A response missing a field the bridge relies on is a protocol error,
raised by :func:`parse_model` as :class:`~bridge.errors.PostoriaProtocolError`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class Network:
    """Known social networks (``SocialAccount.network`` may hold others)."""

    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    LINKEDIN = "linkedin"
    GOOGLE_BUSINESS_PROFILE = "google_business_profile"
    THREADS = "threads"
    X = "x"
    PINTEREST = "pinterest"
    YOUTUBE = "youtube"
    TIKTOK = "tiktok"
    TELEGRAM = "telegram"
    BLUESKY = "bluesky"
    REDDIT = "reddit"
    TUMBLR = "tumblr"


KNOWN_NETWORKS = frozenset(v for k, v in vars(Network).items() if k.isupper())


class MediaStatus:
    """Known media statuses (an open set)."""

    WAITING_FOR_UPLOAD = "waiting_for_upload"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class PostStatus:
    """Known post statuses (an open set)."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    POSTED = "posted"


class Resource(BaseModel):
    """Base of every response model: unknown fields are kept, values are frozen."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Workspace(Resource):
    """A Postoria workspace (one client of the agency); ``timezone`` is an IANA name."""

    id: int
    name: str
    timezone: str


class SocialAccount(Resource):
    """A connected social account of a workspace."""

    id: int
    name: str
    network: str
    description: str | None = None
    url: str | None = None


class Queue(Resource):
    """A publishing queue; a paused queue keeps posts without publishing them."""

    id: int
    name: str
    is_paused: bool = False


class UploadTarget(Resource):
    """Where to PUT the bytes: a short-lived signed URL, kept secret in reprs and dumps."""

    url: SecretStr


class MediaUpload(Resource):
    """An upload slot: PUT the bytes to ``upload.url``, then complete it."""

    id: int
    status: str
    upload: UploadTarget


class Media(Resource):
    """A media item; usable in a post once ``status`` is ``ready`` and ``file_id`` is set."""

    id: int
    status: str
    file_id: str | int | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def is_ready(self) -> bool:
        """Processed and usable in a post."""
        return self.status == MediaStatus.READY and self.file_id is not None

    @property
    def is_failed(self) -> bool:
        """Processing failed for good; ``error_code``/``error_message`` say why."""
        return self.status == MediaStatus.FAILED


class PostResult(Resource):
    """The outcome of a post on one account: a link once published, or an error."""

    account_id: int
    link_to_post: str | None = None
    error: Any = None

    @property
    def error_text(self) -> str | None:
        """The error as text, whatever shape Postoria gave it (string or object)."""
        if self.error is None or self.error == "":
            return None
        if isinstance(self.error, dict):
            return str(self.error.get("message") or self.error.get("code") or self.error)
        return str(self.error)


class Post(Resource):
    """A post and its per-account results (a post can succeed on some accounts only)."""

    id: int
    status: str
    date: datetime | None = None
    queue_id: int | None = None
    results: list[PostResult] = Field(default_factory=list)

    def result_for(self, account_id: int) -> PostResult | None:
        """The result for one account, when Postoria has reported it."""
        return next((r for r in self.results if r.account_id == account_id), None)


class PostPage(BaseModel):
    """One page of the posts list; follow ``next_cursor`` while ``has_more``."""

    model_config = ConfigDict(frozen=True)

    data: list[Post]
    has_more: bool = False
    next_cursor: str | None = None
