"""The client's settings as value objects with module defaults (like httpx ``Timeout``).

They are frozen so one instance can be shared by every client in the process, and validated
when built so a bad value fails at startup rather than on the first request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx


@dataclass(frozen=True)
class Timeouts:
    """Seconds allowed for each phase of an API request, and for the signed upload PUT.

    ``upload`` replaces ``read`` and ``write`` for the PUT to storage, which carries a whole file.
    """

    connect: float = 5.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 10.0
    upload: float = 600.0

    def __post_init__(self) -> None:
        for name in ("connect", "read", "write", "pool", "upload"):
            if getattr(self, name) <= 0:
                raise ValueError(f"timeout {name} must be positive")

    def for_api(self) -> httpx.Timeout:
        """The httpx timeout for API calls."""
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)

    def for_upload(self) -> httpx.Timeout:
        """The httpx timeout for the PUT to the signed upload URL."""
        return httpx.Timeout(
            connect=self.connect, read=self.upload, write=self.upload, pool=self.pool
        )


@dataclass(frozen=True)
class Budget:
    """The API budget of one key: ``requests`` per ``per`` seconds, keeping ``margin`` spare.

    Postoria allows 300 requests per 5 minutes for all users of a key. The margin leaves room for
    someone using the same key elsewhere (a person in the web app, a second bridge), so the
    client itself never spends more than ``capacity`` in any sliding window.
    """

    requests: int = 300
    per: float = 300.0
    margin: int = 10

    def __post_init__(self) -> None:
        if self.per <= 0:
            raise ValueError("budget period must be positive")
        if self.margin < 0:
            raise ValueError("budget margin cannot be negative")
        if self.requests - self.margin < 1:
            raise ValueError("budget must leave at least one request after the margin")

    @property
    def capacity(self) -> int:
        """Requests this process may send in any window of ``per`` seconds."""
        return self.requests - self.margin


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to retry.

    ``attempts`` bounds the tries of one call after transient failures (transport errors,
    ``retry_statuses``, proxy garbage), waiting with exponential backoff and full jitter between
    ``backoff_base * 2**n`` capped at ``backoff_cap``. Requests rejected with 429 were not
    processed, so any of them is retried up to ``rate_limit_attempts`` times after the wait the
    server asked for, unless that wait exceeds ``max_rate_limit_wait``. A 429 without any hint
    waits ``rate_limit_fallback`` seconds.
    """

    attempts: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    rate_limit_attempts: int = 3
    max_rate_limit_wait: float = 600.0
    rate_limit_fallback: float = 60.0
    retry_statuses: frozenset[int] = field(default=frozenset({500, 502, 503, 504}))

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("retry attempts must be at least 1 (the first try)")
        if self.rate_limit_attempts < 0:
            raise ValueError("rate_limit_attempts cannot be negative")
        if self.backoff_base < 0 or self.backoff_cap < 0:
            raise ValueError("backoff values cannot be negative")


DEFAULT_TIMEOUTS = Timeouts()
DEFAULT_BUDGET = Budget()
DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(attempts=1, rate_limit_attempts=0)
"""Fail on the first error: for callers that run their own retry loop."""
