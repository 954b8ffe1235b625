"""The baseline the engine benchmarks compare against: a naive Postoria integration.

This is how simple integrations (and the official clients' defaults) talk to Postoria: create
the post, poll each media every 5 s until it is ready, poll each post every 30 s until it is
final, one post at a time, one request per check. It talks plain HTTP to the sandbox and moves
the shared simulated clock instead of sleeping, so it costs no real time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from bridge.clock import ManualClock

MEDIA_POLL = 5.0
POST_POLL = 30.0
FINAL_POST_STATUSES = frozenset({"posted", "failed"})


@dataclass(frozen=True)
class NaivePost:
    """One post the naive flow publishes: a caption, maybe a link, maybe an image URL."""

    caption: str
    account_ids: tuple[int, ...]
    link_url: str | None = None
    image_url: str | None = None


class NaiveIntegration:
    """Publishes posts one by one the simple way, against ``base_url`` with ``api_key``."""

    def __init__(self, base_url: str, api_key: str, clock: ManualClock) -> None:
        self.clock = clock
        self.requests = 0
        self.http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=30.0
        )

    def close(self) -> None:
        """Close the HTTP client."""
        self.http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        self.requests += 1
        response = self.http.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    def publish(self, workspace_id: int, post: NaivePost) -> dict[str, Any]:
        """Import the image (if any), create the post, poll until final; return the post."""
        body: dict[str, Any] = {
            "publish_mode": "publish_now",
            "social_account_ids": list(post.account_ids),
            "caption": post.caption,
        }
        if post.link_url:
            body["link_url"] = post.link_url
        if post.image_url:
            body["media_ids"] = [self._import(workspace_id, post.image_url)]
        created = self._call("POST", f"/workspaces/{workspace_id}/posts", json=body)
        current = created
        while current["status"] not in FINAL_POST_STATUSES:
            self.clock.advance(POST_POLL)
            current = self._call("GET", f"/workspaces/{workspace_id}/posts/{created['id']}")
        return current

    def _import(self, workspace_id: int, url: str) -> int:
        media = self._call("POST", f"/workspaces/{workspace_id}/media/imports", json={"url": url})
        while media["status"] not in ("ready", "failed"):
            self.clock.advance(MEDIA_POLL)
            media = self._call("GET", f"/workspaces/{workspace_id}/media/{media['id']}")
        if media["status"] != "ready":
            raise RuntimeError(f"media import failed: {media.get('error_code')}")
        return int(media["id"])
