"""Time, injectable.

Everything in the bridge that asks "what time is it" or "wait a while" goes through a
:class:`Clock`, so tests and benchmarks can move time instead of sleeping, and the engine can
run on the sandbox's own controllable clock. Times are timezone-aware UTC ``datetime``\\s.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """A source of the current time and a way to wait."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for intervals and rate windows)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """``time.sleep()``, ignoring negative waits."""
        if seconds > 0:
            time.sleep(seconds)


class ManualClock:
    """A clock that only moves when told to; ``sleep`` advances it instantly.

    Thread-safe, so a rate limiter shared by threads can sleep on it. Used by tests and by
    benchmarks that simulate hours of polling in seconds.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = start or datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
        self._mono = 0.0

    def now(self) -> datetime:
        """The clock's current time."""
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        """Seconds since the clock was made, in its own time."""
        with self._lock:
            return self._mono

    def sleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds`` without waiting."""
        if seconds > 0:
            self.advance(seconds)

    def advance(self, seconds: float | timedelta) -> datetime:
        """Move time forward and return the new time."""
        delta = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
        with self._lock:
            self._now += delta
            self._mono += delta.total_seconds()
            return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (must not go backwards)."""
        with self._lock:
            if when < self._now:
                raise ValueError("a ManualClock never goes backwards")
            self._mono += (when - self._now).total_seconds()
            self._now = when


def utc(value: datetime) -> datetime:
    """``value`` as aware UTC; naive datetimes are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def isoformat_z(value: datetime) -> str:
    """``2026-08-01T09:00:00Z``: the contract's date-time format."""
    return utc(value).replace(microsecond=0).isoformat().replace("+00:00", "Z")


SYSTEM_CLOCK = SystemClock()
