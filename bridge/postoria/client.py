"""``PostoriaClient``: one method per endpoint of the Postoria Public API v1, plus helpers.

Every method goes through :meth:`BaseClient._request`, which spends the shared budget, retries
what is safe to retry, counts each attempt and maps every failure to :mod:`bridge.errors`.
See ``docs/internals.md`` for how the engine uses it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel

from ..clock import isoformat_z
from ..errors import PostoriaProtocolError, PostoriaValidationError
from . import endpoints as ep
from ._base import BaseClient, Parser, Upload
from ._mapping import decode_json
from ._parse import parse_list, parse_model, parse_post_page
from ._types import (
    AccountId,
    DateLike,
    MediaId,
    PostId,
    QueueId,
    Selector,
    UploadBody,
    WorkspaceId,
)
from .create_post import CreatePost
from .endpoints import Call
from .media import wait_for_media
from .models import Media, MediaUpload, Post, PostPage, Queue, SocialAccount, Workspace
from .redact import SECRETS
from .resolve import resolve_accounts, resolve_one
from .uploads import ACCEPTED_UPLOAD_TYPES, path_body, prepare_body, sniff_file

M = TypeVar("M", bound=BaseModel)

MAX_PAGE_SIZE = 100


def _one(model: type[M]) -> Parser[M]:
    def parse(call: Call, response: httpx.Response) -> M:
        return parse_model(model, decode_json(call, response), call, response.status_code)

    return parse


def _many(model: type[M]) -> Parser[list[M]]:
    def parse(call: Call, response: httpx.Response) -> list[M]:
        return parse_list(model, decode_json(call, response), call, response.status_code)

    return parse


def _page(call: Call, response: httpx.Response) -> PostPage:
    return parse_post_page(decode_json(call, response), call, response.status_code)


def _nothing(call: Call, response: httpx.Response) -> None:
    return None


def _signed_url(upload: MediaUpload) -> str:
    """The upload's signed URL, registered as a secret; refused unless absolute http(s)."""
    url = upload.upload.url.get_secret_value()
    SECRETS.add_url(url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PostoriaProtocolError(
            f"upload slot {upload.id} came with an upload URL that is not absolute http(s)",
            method="POST",
            path="<signed upload URL>",
        )
    return url


def _date_param(value: DateLike) -> str:
    return isoformat_z(value) if isinstance(value, datetime) else value.isoformat()


class PostoriaClient(BaseClient):
    """A client for the Postoria Public API v1 for one API key.

    Thread-safe; clients with the same key share one rate limiter. Use as a context manager or
    call :meth:`close`.
    """

    # -- workspaces, accounts, queues -------------------------------------------------------

    def list_workspaces(self) -> list[Workspace]:
        """The workspaces the key can see."""
        return self._request(ep.LIST_WORKSPACES.call(), _many(Workspace))

    def list_social_accounts(self, workspace_id: WorkspaceId) -> list[SocialAccount]:
        """The social accounts connected to a workspace."""
        call = ep.LIST_SOCIAL_ACCOUNTS.call(ws=workspace_id)
        return self._request(call, _many(SocialAccount))

    def list_queues(self, workspace_id: WorkspaceId) -> list[Queue]:
        """The publishing queues of a workspace."""
        return self._request(ep.LIST_QUEUES.call(ws=workspace_id), _many(Queue))

    # -- media -------------------------------------------------------------------------------

    def create_upload(self, workspace_id: WorkspaceId, name: str, content_type: str) -> MediaUpload:
        """An upload slot with a signed URL to PUT the bytes to (the URL is kept secret)."""
        if content_type not in ACCEPTED_UPLOAD_TYPES:
            accepted = ", ".join(sorted(ACCEPTED_UPLOAD_TYPES))
            raise PostoriaValidationError(
                f"{content_type!r} is not accepted; one of {accepted}", param="content_type"
            )
        if not name:
            raise PostoriaValidationError("a file name is required", param="name")
        call = ep.CREATE_UPLOAD.call(ws=workspace_id)
        body = {"name": name, "content_type": content_type}
        upload = self._request(call, _one(MediaUpload), json=body)
        _signed_url(upload)  # registered for redaction, and checked, as soon as it arrives
        return upload

    def put_upload(
        self,
        upload: MediaUpload,
        body: UploadBody,
        content_type: str,
        content_length: int | None = None,
    ) -> None:
        """Send the bytes to the upload's signed URL (no API key, no budget spent).

        ``body`` may be bytes, a binary file (streamed from its current position) or an
        iterable of chunks (give ``content_length``, or it is sent chunked).
        """
        url = _signed_url(upload)
        prepared = prepare_body(body, content_length)
        self._request(ep.PUT_UPLOAD.call(), _nothing, upload=Upload(url, prepared, content_type))

    def complete_upload(self, workspace_id: WorkspaceId, media_id: MediaId) -> Media:
        """Tell Postoria the bytes are uploaded; processing starts."""
        call = ep.COMPLETE_UPLOAD.call(ws=workspace_id, id=media_id)
        return self._request(call, _one(Media))

    def import_media(self, workspace_id: WorkspaceId, url: str) -> Media:
        """Have Postoria fetch a media file from a public HTTPS URL; processing starts."""
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.netloc:
            raise PostoriaValidationError(
                "Postoria imports only from public https:// URLs; upload other files",
                param="url",
            )
        call = ep.IMPORT_MEDIA.call(ws=workspace_id)
        return self._request(call, _one(Media), json={"url": url})

    def get_media(self, workspace_id: WorkspaceId, media_id: MediaId) -> Media:
        """A media item's processing status."""
        call = ep.GET_MEDIA.call(ws=workspace_id, id=media_id)
        return self._request(call, _one(Media))

    def upload_file(
        self, workspace_id: WorkspaceId, path: str | os.PathLike[str], *, name: str | None = None
    ) -> Media:
        """Upload a local file: slot, streamed PUT, complete. Returns the media (processing).

        The type comes from the file's first bytes; a file Postoria would refuse is rejected
        before any request is made.
        """
        file_path = Path(path)
        content_type, size = sniff_file(file_path)
        upload = self.create_upload(workspace_id, name or file_path.name, content_type)
        url = _signed_url(upload)
        self._request(
            ep.PUT_UPLOAD.call(),
            _nothing,
            upload=Upload(url, path_body(file_path, size), content_type),
        )
        return self.complete_upload(workspace_id, upload.id)

    def wait_for_media(
        self,
        workspace_id: WorkspaceId,
        media_id: MediaId,
        *,
        timeout: float = 600.0,
        first_check: float | None = None,
    ) -> Media:
        """Poll until the media is ready (backing off on the client's clock).

        Raises :class:`~.media.MediaFailedError` (with the media's error code and message)
        when processing fails and :class:`~.media.MediaTimeoutError` after ``timeout`` seconds.
        """
        return wait_for_media(
            lambda: self.get_media(workspace_id, media_id),
            self.clock,
            timeout=timeout,
            first_check=first_check,
        )

    # -- posts -------------------------------------------------------------------------------

    def create_post(self, workspace_id: WorkspaceId, post: CreatePost) -> Post:
        """Create a post. Never retried once it may have arrived.

        Raises :class:`~bridge.errors.OutcomeUnknownError` when the request was sent and the
        answer lost (or garbled): the post may exist; reconcile with :meth:`list_posts` first.
        """
        post.check(self.clock.now())
        call = ep.CREATE_POST.call(ws=workspace_id)
        return self._request(call, _one(Post), json=post.to_payload())

    def get_post(self, workspace_id: WorkspaceId, post_id: PostId) -> Post:
        """A post's status and per-account results."""
        return self._request(ep.GET_POST.call(ws=workspace_id, id=post_id), _one(Post))

    def list_posts(
        self,
        workspace_id: WorkspaceId,
        *,
        account_ids: Sequence[AccountId] | None = None,
        queue_id: QueueId | None = None,
        status: str | None = None,
        networks: Sequence[str] | None = None,
        date_from: DateLike | None = None,
        date_to: DateLike | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> PostPage:
        """One page of posts matching the filters (``limit`` 1–100; up to 100 per request)."""
        params: dict[str, Any] = {}
        if account_ids:
            params["account_ids"] = [int(a) for a in account_ids]
        if queue_id is not None:
            params["queue_id"] = int(queue_id)
        if status:
            params["status"] = status
        if networks:
            params["networks"] = list(networks)
        if date_from is not None:
            params["date_from"] = _date_param(date_from)
        if date_to is not None:
            params["date_to"] = _date_param(date_to)
        if limit is not None:
            if not 1 <= limit <= MAX_PAGE_SIZE:
                raise PostoriaValidationError("must be between 1 and 100", param="limit")
            params["limit"] = limit
        if cursor:
            params["cursor"] = cursor
        return self._request(ep.LIST_POSTS.call(ws=workspace_id), _page, params=params)

    def iter_posts(self, workspace_id: WorkspaceId, **filters: Any) -> Iterator[Post]:
        """Every post matching the filters of :meth:`list_posts`, page after page.

        Pages are fetched as the iteration needs them; ``limit`` is the page size (default
        100, to spend as few requests as possible).
        """
        if "cursor" in filters:
            raise TypeError("iter_posts follows the cursors itself; use list_posts for one page")
        filters.setdefault("limit", MAX_PAGE_SIZE)
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = self.list_posts(workspace_id, cursor=cursor, **filters)
            yield from page.data
            if not page.has_more or not page.next_cursor:
                return
            if page.next_cursor in seen:
                raise PostoriaProtocolError(
                    f"GET /workspaces/{int(workspace_id)}/posts returned a cursor twice; "
                    "stopping instead of looping",
                    method="GET",
                    path=f"/workspaces/{int(workspace_id)}/posts",
                )
            seen.add(page.next_cursor)
            cursor = page.next_cursor

    def delete_post(self, workspace_id: WorkspaceId, post_id: PostId) -> None:
        """Delete (or cancel) a post."""
        self._request(ep.DELETE_POST.call(ws=workspace_id, id=post_id), _nothing)

    # -- resolving names from the configuration -------------------------------------------

    def resolve_workspace(self, name_or_id: Selector) -> Workspace:
        """The workspace with this ID or name (case-insensitive)."""
        return resolve_one(self.list_workspaces(), name_or_id, what="workspace", param="workspace")

    def resolve_accounts(
        self, workspace_id: WorkspaceId, selectors: Sequence[Selector]
    ) -> list[SocialAccount]:
        """The accounts named by IDs, names or ``network:NAME``, in order, without repeats."""
        return resolve_accounts(self.list_social_accounts(workspace_id), selectors)

    def resolve_queue(self, workspace_id: WorkspaceId, name_or_id: Selector) -> Queue:
        """The queue with this ID or name (case-insensitive)."""
        return resolve_one(
            self.list_queues(workspace_id), name_or_id, what="queue", param="queue_id"
        )
