"""The Postoria Public API v1 client.

``PostoriaClient`` has one method per endpoint, spends a shared, priority-aware rate budget,
retries only what is safe to retry, counts every request, and keeps secrets out of logs.
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
