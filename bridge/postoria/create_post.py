"""The body of ``POST /workspaces/{ws}/posts``, checked before anything is sent.

A post the contract forbids is refused here, with :class:`~bridge.errors.PostoriaValidationError`
naming the offending field in ``param`` like Postoria's own validation errors do: it costs no
budget, and the user sees the mistake before a half-configured post reaches a client's account.
Whether a scheduled time is still in the future depends on when the post is sent, so that one
check lives in :meth:`CreatePost.check`, which the client calls with its own clock.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Self
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_serializer,
    model_validator,
)

from ..clock import isoformat_z
from ..errors import PostoriaValidationError


class PublishMode:
    """How a post is published."""

    PUBLISH_NOW = "publish_now"
    SCHEDULE = "schedule"
    QUEUE = "queue"


class ContentType:
    """Kinds of post; Postoria infers one when omitted."""

    TEXT = "text"
    IMAGE = "image"
    VIDEO = "video"
    CAROUSEL = "carousel"
    LINK = "link"
    REEL = "reel"
    STORY = "story"


PUBLISH_MODES = frozenset(v for k, v in vars(PublishMode).items() if k.isupper())
CONTENT_TYPES = frozenset(v for k, v in vars(ContentType).items() if k.isupper())
REPOST_FREQUENCIES = frozenset(
    [f"every{n}_day" for n in range(1, 61)]
    + [f"every{n}_month" for n in (1, 2, 3, 4, 6)]
    + ["every1_year"]
)
"""``every1_day`` … ``every60_day``, ``every1_month`` … ``every6_month``, ``every1_year``."""


def _param_of(location: tuple[int | str, ...]) -> str:
    param = ""
    for part in location:
        param += f"[{part}]" if isinstance(part, int) else (f".{part}" if param else str(part))
    return param or "body"


class Options(BaseModel):
    """Base of the nested option objects: unknown fields pass through, for fields newer than
    this client. Inside a :class:`CreatePost`, their errors surface as the post's."""

    model_config = ConfigDict(extra="allow")


class RequestModel(Options):
    """Base of request bodies: any invalid value surfaces as :class:`PostoriaValidationError`.

    Assignments are not validated one by one (so a post can be built step by step); the whole
    body is checked again by :meth:`CreatePost.check` before it is sent.
    """

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _translate(exc) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:  # type: ignore[override]
        """Like pydantic's, raising :class:`PostoriaValidationError` instead."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise _translate(exc) from None


def _translate(error: ValidationError) -> PostoriaValidationError:
    first = error.errors(include_input=False, include_url=False)[0]
    message = first["msg"].removeprefix("Value error, ")
    return PostoriaValidationError(message, param=_param_of(tuple(first["loc"])))


class Repost(Options):
    """Publish the post again every ``frequency`` (``every7_day``…), optionally ``until`` then."""

    frequency: str | None = None
    until: datetime | date | None = None

    @field_serializer("until")
    def _until_z(self, value: datetime | date | None) -> str | None:
        if isinstance(value, datetime):
            return isoformat_z(value)
        return value.isoformat() if value is not None else None


class YouTubeOptions(Options):
    """YouTube settings for a video post."""

    title: str | None = None
    visibility: str | None = None
    category: str | int | None = None
    made_for_kids: bool | None = None
    video_language: str | None = None
    recording_date: datetime | date | str | None = None
    tags: list[str] | None = None


class TikTokOptions(Options):
    """TikTok settings for a post."""

    who_can_watch: str | None = None
    allow_comments: bool | None = None
    allow_duet: bool | None = None
    allow_stitch: bool | None = None
    disclose_post_content: bool | None = None
    your_brand: bool | None = None
    branded_content: bool | None = None
    photo_title: str | None = None
    auto_add_music: bool | None = None


class CreatePost(RequestModel):
    """A post to create: how to publish it, where, and what it says and shows."""

    publish_mode: str
    social_account_ids: list[int]
    content_type: str | None = None
    media_ids: list[int] = Field(default_factory=list)
    caption: str | None = None
    link_url: str | None = None
    first_comment: str | None = None
    comment_delay: int | None = None
    scheduled_time: datetime | None = None
    queue_id: int | None = None
    repost: Repost | None = None
    youtube: YouTubeOptions | None = None
    tiktok: TikTokOptions | None = None

    @model_validator(mode="after")
    def _follow_the_contract(self) -> Self:
        _check_mode(self)
        _check_content(self)
        if self.repost is not None:
            _check_repost(self.repost)
        return self

    @field_serializer("scheduled_time")
    def _scheduled_time_z(self, value: datetime | None) -> str | None:
        return isoformat_z(value) if value is not None else None

    def check(self, now: datetime) -> None:
        """Check the whole post again (it may have been changed since it was built) and
        refuse a scheduled time that is not after ``now``, the sending clock's time."""
        type(self).model_validate(dict(self))
        when = self.scheduled_time
        if self.publish_mode == PublishMode.SCHEDULE and when is not None and when <= now:
            raise PostoriaValidationError(
                f"must be in the future (it is {isoformat_z(when)}, now is {isoformat_z(now)})",
                param="scheduled_time",
            )

    def to_payload(self) -> dict[str, Any]:
        """The JSON body to send: unset fields left out, times as ``…Z``."""
        return self.model_dump(mode="json", exclude_none=True)


def _check_mode(post: CreatePost) -> None:
    if post.publish_mode not in PUBLISH_MODES:
        raise PostoriaValidationError(
            f"must be one of {', '.join(sorted(PUBLISH_MODES))}", param="publish_mode"
        )
    if not post.social_account_ids:
        raise PostoriaValidationError(
            "at least one account is required", param="social_account_ids"
        )
    if len(set(post.social_account_ids)) != len(post.social_account_ids):
        raise PostoriaValidationError("lists an account twice", param="social_account_ids")
    scheduling = post.publish_mode == PublishMode.SCHEDULE
    if scheduling and post.scheduled_time is None:
        raise PostoriaValidationError("required to schedule a post", param="scheduled_time")
    if not scheduling and post.scheduled_time is not None:
        raise PostoriaValidationError(
            f"only allowed when publish_mode is schedule, not {post.publish_mode}",
            param="scheduled_time",
        )
    if post.scheduled_time is not None and post.scheduled_time.utcoffset() is None:
        raise PostoriaValidationError(
            "must be timezone-aware (a naive time is ambiguous)", param="scheduled_time"
        )
    queueing = post.publish_mode == PublishMode.QUEUE
    if queueing and post.queue_id is None:
        raise PostoriaValidationError("required to add a post to a queue", param="queue_id")
    if not queueing and post.queue_id is not None:
        raise PostoriaValidationError(
            f"only allowed when publish_mode is queue, not {post.publish_mode}", param="queue_id"
        )


def _check_content(post: CreatePost) -> None:
    if post.content_type is not None and post.content_type not in CONTENT_TYPES:
        raise PostoriaValidationError(
            f"must be one of {', '.join(sorted(CONTENT_TYPES))}", param="content_type"
        )
    if post.link_url is not None:
        parts = urlsplit(post.link_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PostoriaValidationError("must be an http(s) URL", param="link_url")
    if post.comment_delay is not None:
        if post.comment_delay < 0:
            raise PostoriaValidationError("cannot be negative", param="comment_delay")
        if not post.first_comment:
            raise PostoriaValidationError("needs a first_comment", param="comment_delay")


def _check_repost(repost: Repost) -> None:
    if repost.frequency is None:
        if repost.until is not None:
            raise PostoriaValidationError("needs a frequency", param="repost.until")
        return
    if repost.frequency not in REPOST_FREQUENCIES:
        raise PostoriaValidationError(
            "must be every1_day … every60_day, every1/2/3/4/6_month or every1_year",
            param="repost.frequency",
        )
    if isinstance(repost.until, datetime) and repost.until.utcoffset() is None:
        raise PostoriaValidationError("must be timezone-aware", param="repost.until")
