"""The API's endpoints as data: method, path template, retry class and default priority.

Keeping them in one table gives the ledger stable names to count by (the template, not the
concrete path), and gives the retry rules one place to ask "is this safe to send again?".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .context import Priority
from .redact import SIGNED_URL_PLACEHOLDER


class Kind(StrEnum):
    """What resending a request could do, which decides what may be retried."""

    READ = "read"
    """GET and DELETE: repeating them changes nothing more; retried on transient failures."""
    CREATE = "create"
    """Creating a post: never resent once it may have arrived (a duplicate post is the worst)."""
    WRITE = "write"
    """Other POSTs (upload slot, complete, import): resent only when surely not processed."""
    UPLOAD = "upload"
    """The PUT of raw bytes to storage: not an API call, costs no budget."""


@dataclass(frozen=True)
class Endpoint:
    """One endpoint of the contract."""

    name: str
    method: str
    template: str
    kind: Kind
    priority: Priority

    @property
    def label(self) -> str:
        """``POST /workspaces/{ws}/posts``: the name the ledger counts by."""
        return f"{self.method} {self.template}"

    @property
    def counts_against_budget(self) -> bool:
        """Whether the request spends the key's API budget (the storage PUT does not)."""
        return self.kind is not Kind.UPLOAD

    def call(self, **params: int) -> Call:
        """This endpoint with its path parameters filled in (IDs are integers)."""
        if self.kind is Kind.UPLOAD:
            return Call(self, "")
        path = self.template.format(**{name: int(value) for name, value in params.items()})
        return Call(self, path)


@dataclass(frozen=True)
class Call:
    """An endpoint with concrete path parameters: what one client method asks for."""

    endpoint: Endpoint
    path: str

    @property
    def safe_path(self) -> str:
        """The path to show in logs and errors (the signed URL is never shown)."""
        return self.path or SIGNED_URL_PLACEHOLDER

    @property
    def request_line(self) -> str:
        """``POST /workspaces/1/posts`` (or ``PUT <signed upload URL>``)."""
        return f"{self.endpoint.method} {self.safe_path}"


_R, _C, _W, _U = Kind.READ, Kind.CREATE, Kind.WRITE, Kind.UPLOAD
_STATUS, _MEDIA, _CREATE = Priority.STATUS, Priority.MEDIA, Priority.CREATE

LIST_WORKSPACES = Endpoint("list_workspaces", "GET", "/workspaces", _R, _STATUS)
LIST_SOCIAL_ACCOUNTS = Endpoint(
    "list_social_accounts", "GET", "/workspaces/{ws}/social-accounts", _R, _STATUS
)
LIST_QUEUES = Endpoint("list_queues", "GET", "/workspaces/{ws}/queues", _R, _STATUS)
CREATE_UPLOAD = Endpoint("create_upload", "POST", "/workspaces/{ws}/media/uploads", _W, _MEDIA)
PUT_UPLOAD = Endpoint("put_upload", "PUT", SIGNED_URL_PLACEHOLDER, _U, _MEDIA)
COMPLETE_UPLOAD = Endpoint(
    "complete_upload", "POST", "/workspaces/{ws}/media/{id}/complete", _W, _MEDIA
)
IMPORT_MEDIA = Endpoint("import_media", "POST", "/workspaces/{ws}/media/imports", _W, _MEDIA)
GET_MEDIA = Endpoint("get_media", "GET", "/workspaces/{ws}/media/{id}", _R, _MEDIA)
CREATE_POST = Endpoint("create_post", "POST", "/workspaces/{ws}/posts", _C, _CREATE)
LIST_POSTS = Endpoint("list_posts", "GET", "/workspaces/{ws}/posts", _R, _STATUS)
GET_POST = Endpoint("get_post", "GET", "/workspaces/{ws}/posts/{id}", _R, _STATUS)
DELETE_POST = Endpoint("delete_post", "DELETE", "/workspaces/{ws}/posts/{id}", _R, _CREATE)

ENDPOINTS = (
    LIST_WORKSPACES,
    LIST_SOCIAL_ACCOUNTS,
    LIST_QUEUES,
    CREATE_UPLOAD,
    PUT_UPLOAD,
    COMPLETE_UPLOAD,
    IMPORT_MEDIA,
    GET_MEDIA,
    CREATE_POST,
    LIST_POSTS,
    GET_POST,
    DELETE_POST,
)
"""Every endpoint, in the contract's order."""
