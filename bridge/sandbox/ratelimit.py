"""The per-key sliding-window rate limit (300 requests per 5 minutes by default).

Windows are measured on the sandbox clock, so a test can exhaust the budget and then advance
the clock instead of waiting five minutes. Only requests that were processed count: a request
answered 429 (by the limiter or by an injected burst) is given back.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class RateStatus:
    """The limiter's answer for one key at one moment (what the ``X-RateLimit-*`` headers say)."""

    allowed: bool
    limit: int
    remaining: int
    reset: int
    """Seconds until the oldest counted request leaves the window (0 when none is counted)."""


class RateLimiter:
    """A sliding window of processed request times per key id."""

    def __init__(self, limit: int = 300, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key_id: int, now: float) -> RateStatus:
        """Count one request for ``key_id`` at ``now`` if the window has room."""
        with self._lock:
            hits = self._expire(key_id, now)
            allowed = len(hits) < self.limit
            if allowed:
                hits.append(now)
            return self._status(hits, now, allowed)

    def release(self, key_id: int, now: float) -> None:
        """Give back the most recent request of ``key_id`` (it was answered 429 after all)."""
        with self._lock:
            hits = self._hits.get(key_id)
            if hits:
                hits.pop()

    def status(self, key_id: int, now: float) -> RateStatus:
        """The window of ``key_id`` at ``now`` without counting anything."""
        with self._lock:
            hits = self._expire(key_id, now)
            return self._status(hits, now, len(hits) < self.limit)

    def reset(self) -> None:
        """Forget every window."""
        with self._lock:
            self._hits.clear()

    def _expire(self, key_id: int, now: float) -> deque[float]:
        hits = self._hits.setdefault(key_id, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def _status(self, hits: deque[float], now: float, allowed: bool) -> RateStatus:
        reset = math.ceil(hits[0] + self.window - now) if hits else 0
        return RateStatus(
            allowed=allowed,
            limit=self.limit,
            remaining=max(0, self.limit - len(hits)),
            reset=max(reset, 1) if hits else 0,
        )
