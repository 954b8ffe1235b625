"""Everything the sandbox holds, behind one lock: seed data, media, posts, the request log.

Handlers and in-process tests share one :class:`SandboxState`. Records advance lazily: every
read first brings the records it returns up to the sandbox clock, so no background thread is
needed and a test that advances the clock sees the new state on its next request.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from typing import TYPE_CHECKING, Any

from ..clock import isoformat_z
from . import media as media_logic
from . import posts as post_logic
from .networks import account_url
from .seed import Account, ApiKey, Queue, Seed, Workspace

if TYPE_CHECKING:
    from .clock import SandboxClock
    from .config import SandboxConfig
    from .records import MediaRecord, PostRecord

FIRST_MEDIA_ID = 5001
FIRST_POST_ID = 7001


class SandboxState:
    """The sandbox's data; thread-safe (``lock`` is re-entrant)."""

    def __init__(self, seed: Seed, config: SandboxConfig, clock: SandboxClock) -> None:
        self.seed = seed
        self.config = config
        self.clock = clock
        self.lock = threading.RLock()
        self._storage_dir = tempfile.mkdtemp(prefix="postoria-sandbox-")
        self.reset()

    # ---- lifecycle ------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the seed: no media, no posts, an empty request log."""
        with self.lock:
            self.keys = {k.key: k for k in self.seed.keys}
            self.workspaces = {w.id: w for w in self.seed.workspaces}
            self.accounts = {a.id: a for w in self.seed.workspaces for a in w.accounts}
            self.queues = {q.id: q for w in self.seed.workspaces for q in w.queues}
            self.paused = {q.id: q.paused for q in self.queues.values()}
            self.media_records: dict[int, MediaRecord] = {}
            self.post_records: dict[int, PostRecord] = {}
            self.request_log: list[dict[str, Any]] = []
            self._next_media = FIRST_MEDIA_ID
            self._next_post = FIRST_POST_ID
            shutil.rmtree(self._storage_dir, ignore_errors=True)
            self._storage_dir = tempfile.mkdtemp(prefix="postoria-sandbox-")

    def close(self) -> None:
        """Remove uploaded bytes from disk."""
        shutil.rmtree(self._storage_dir, ignore_errors=True)

    @property
    def storage_dir(self) -> str:
        """Where uploaded bytes are kept (a temporary directory)."""
        return self._storage_dir

    def next_media_id(self) -> int:
        """A fresh media ID."""
        with self.lock:
            self._next_media += 1
            return self._next_media - 1

    def next_post_id(self) -> int:
        """A fresh post ID (IDs only grow, so newest-first paging is stable)."""
        with self.lock:
            self._next_post += 1
            return self._next_post - 1

    # ---- seed lookups ---------------------------------------------------------------

    def key_for_token(self, token: str) -> ApiKey | None:
        """The key with this bearer token (revoked ones included), or ``None``."""
        return self.keys.get(token)

    def workspaces_of(self, key: ApiKey) -> list[Workspace]:
        """The workspaces a key sees: its profile's."""
        return [w for w in self.workspaces.values() if w.profile == key.profile]

    def workspace_of(self, key: ApiKey, workspace_id: int) -> Workspace | None:
        """The workspace if the key's profile owns it; another profile's is ``None``."""
        workspace = self.workspaces.get(workspace_id)
        return workspace if workspace and workspace.profile == key.profile else None

    def is_paused(self, queue_id: int) -> bool:
        """Whether a queue is paused now."""
        with self.lock:
            return self.paused.get(queue_id, False)

    def set_queue_paused(self, queue_id: int, paused: bool) -> None:
        """Pause or resume a queue; resuming re-slots queued posts whose slot has passed."""
        with self.lock:
            if queue_id not in self.queues:
                raise KeyError(queue_id)
            self.refresh_posts()
            self.paused[queue_id] = paused
            self.refresh_posts()

    # ---- refresh and read -------------------------------------------------------------

    def refresh_media(self) -> None:
        """Bring every media record up to the clock."""
        now = self.clock.now()
        with self.lock:
            for record in self.media_records.values():
                media_logic.refresh(record, now)

    def refresh_posts(self) -> None:
        """Bring every post up to the clock."""
        now = self.clock.now()
        with self.lock:
            for record in self.post_records.values():
                post_logic.refresh(self, record, now)

    def posts(
        self, workspace_id: int | None = None, include_deleted: bool = False
    ) -> list[dict[str, Any]]:
        """Posts as served, newest first; with ``include_deleted`` each also has ``deleted``."""
        with self.lock:
            self.refresh_posts()
            records = sorted(self.post_records.values(), key=lambda r: r.id, reverse=True)
            out = []
            for record in records:
                if workspace_id is not None and record.workspace_id != workspace_id:
                    continue
                if record.deleted and not include_deleted:
                    continue
                served = post_logic.to_json(self, record)
                if include_deleted:
                    served["deleted"] = record.deleted
                out.append(served)
            return out

    def media(self, workspace_id: int | None = None) -> list[dict[str, Any]]:
        """Media as served, oldest first."""
        with self.lock:
            self.refresh_media()
            return [
                media_logic.to_json(r)
                for r in sorted(self.media_records.values(), key=lambda r: r.id)
                if workspace_id is None or r.workspace_id == workspace_id
            ]

    def log_request(self, entry: dict[str, Any]) -> None:
        """Append one served request to the log (its ``seq`` is assigned here)."""
        with self.lock:
            entry["seq"] = len(self.request_log) + 1
            self.request_log.append(entry)

    def requests(self) -> list[dict[str, Any]]:
        """The request log, oldest first (copies)."""
        with self.lock:
            return [dict(e) for e in self.request_log]

    def snapshot(self) -> dict[str, Any]:
        """Everything held, as JSON (keys by id and name only, never the token)."""
        with self.lock:
            return {
                "now": isoformat_z(self.clock.now()),
                "keys": [
                    {"id": k.id, "name": k.name, "profile": k.profile, "revoked": k.revoked}
                    for k in self.keys.values()
                ],
                "workspaces": [
                    {
                        **workspace_json(w),
                        "profile": w.profile,
                        "social_accounts": [account_json(a) for a in w.accounts],
                        "queues": [
                            {**self.queue_json(q), "slots": [s.strftime("%H:%M") for s in q.slots]}
                            for q in w.queues
                        ],
                    }
                    for w in self.workspaces.values()
                ],
                "media": [
                    {**m, "workspace_id": self.media_records[m["id"]].workspace_id}
                    for m in self.media()
                ],
                "posts": [
                    {
                        **p,
                        "workspace_id": self.post_records[p["id"]].workspace_id,
                        "submitted": post_logic.submitted_json(self.post_records[p["id"]]),
                    }
                    for p in self.posts(include_deleted=True)
                ],
            }

    def queue_json(self, queue: Queue) -> dict[str, Any]:
        """A queue as served."""
        return {"id": queue.id, "name": queue.name, "is_paused": self.is_paused(queue.id)}


def workspace_json(workspace: Workspace) -> dict[str, Any]:
    """A workspace as served."""
    return {"id": workspace.id, "name": workspace.name, "timezone": workspace.timezone}


def account_json(account: Account) -> dict[str, Any]:
    """A social account as served."""
    return {
        "id": account.id,
        "name": account.name,
        "description": account.description,
        "network": account.network,
        "url": account_url(account.network, account.handle),
    }
