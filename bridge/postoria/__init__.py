"""The Postoria Public API v1 client.

``PostoriaClient`` has one method per endpoint, spends a shared, priority-aware rate budget,
retries only what is safe to retry, counts every request, and keeps secrets out of logs::

    from bridge.postoria import CreatePost, PostoriaClient, Priority

    with PostoriaClient(api_key) as client:
        workspace = client.resolve_workspace("Acme Corp")
        accounts = client.resolve_accounts(workspace.id, ["network:linkedin", "Acme on X"])
        media = client.upload_file(workspace.id, "launch.jpg")
        media = client.wait_for_media(workspace.id, media.id)
        with client.tag(publication_id=42), client.priority(Priority.CREATE):
            post = client.create_post(
                workspace.id,
                CreatePost(
                    publish_mode="publish_now",
                    social_account_ids=[a.id for a in accounts],
                    media_ids=[media.id],
                    caption="We launched!",
                ),
            )

Layers, top to bottom: ``client`` (endpoints and helpers) → ``_base`` (the one ``_request``:
limiter, send, map errors, record, retry) → ``httpx.Client`` (injectable transport). Beside
them: ``models`` and ``create_post`` (pydantic), ``limiter``, ``ledger``, ``retry``,
``_mapping`` (httpx and envelopes to :mod:`bridge.errors`), ``uploads``, ``media``,
``resolve``, ``redact``, ``settings``.

Errors are those of :mod:`bridge.errors`; a create whose answer was lost raises
:class:`~bridge.errors.OutcomeUnknownError` and must be reconciled, never resent blindly.
"""

from ..errors import OutcomeUnknownError
from ._base import DEFAULT_BASE_URL
from .client import PostoriaClient
from .context import Priority
from .create_post import (
    CONTENT_TYPES,
    PUBLISH_MODES,
    REPOST_FREQUENCIES,
    ContentType,
    CreatePost,
    PublishMode,
    Repost,
    TikTokOptions,
    YouTubeOptions,
)
from .endpoints import ENDPOINTS, Endpoint
from .ledger import LedgerSnapshot, Outcome, RequestLedger, RequestRecord
from .limiter import RateLimiter, shared_limiter
from .media import MediaFailedError, MediaTimeoutError
from .models import (
    KNOWN_NETWORKS,
    Media,
    MediaStatus,
    MediaUpload,
    Network,
    Post,
    PostPage,
    PostResult,
    PostStatus,
    Queue,
    SocialAccount,
    Workspace,
)
from .resolve import ResolveError
from .settings import (
    DEFAULT_BUDGET,
    DEFAULT_RETRY,
    DEFAULT_TIMEOUTS,
    NO_RETRY,
    Budget,
    RetryPolicy,
    Timeouts,
)
from .uploads import ACCEPTED_UPLOAD_TYPES, sniff_content_type

__all__ = [
    "ACCEPTED_UPLOAD_TYPES",
    "CONTENT_TYPES",
    "DEFAULT_BASE_URL",
    "DEFAULT_BUDGET",
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUTS",
    "ENDPOINTS",
    "KNOWN_NETWORKS",
    "NO_RETRY",
    "PUBLISH_MODES",
    "REPOST_FREQUENCIES",
    "Budget",
    "ContentType",
    "CreatePost",
    "Endpoint",
    "LedgerSnapshot",
    "Media",
    "MediaFailedError",
    "MediaStatus",
    "MediaTimeoutError",
    "MediaUpload",
    "Network",
    "Outcome",
    "OutcomeUnknownError",
    "Post",
    "PostPage",
    "PostResult",
    "PostStatus",
    "PostoriaClient",
    "Priority",
    "PublishMode",
    "Queue",
    "RateLimiter",
    "Repost",
    "RequestLedger",
    "RequestRecord",
    "ResolveError",
    "RetryPolicy",
    "SocialAccount",
    "TikTokOptions",
    "Timeouts",
    "Workspace",
    "YouTubeOptions",
    "shared_limiter",
    "sniff_content_type",
]
