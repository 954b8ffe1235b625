"""The sandbox's controllable clock.

Every state transition in the sandbox (media processing, publishing, rate windows, signed URL
expiry) is computed from this clock, so tests and benchmarks move time instead of sleeping. By
default it is the real UTC time plus an offset that the admin API can advance; given a shared
:class:`bridge.clock.Clock` (usually a :class:`bridge.clock.ManualClock`) it follows that clock,
so the bridge under test and the sandbox agree on what time it is.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..clock import SYSTEM_CLOCK, utc

if TYPE_CHECKING:
    from ..clock import Clock


class ClockError(ValueError):
    """An impossible clock change (going backwards)."""


class SandboxClock:
    """Real time plus an offset, or a shared clock that it follows and moves."""

    def __init__(self, source: Clock | None = None) -> None:
        self._shared = source
        self._source: Clock = source or SYSTEM_CLOCK
        self._offset = timedelta()
        self._lock = threading.Lock()

    @property
    def source(self) -> Clock:
        """The clock this one reads (the shared clock, or the system clock)."""
        return self._source

    def now(self) -> datetime:
        """The sandbox's current time, aware UTC."""
        with self._lock:
            offset = self._offset
        return utc(self._source.now()) + offset

    def timestamp(self) -> float:
        """``now()`` as POSIX seconds (for rate windows and URL expiry)."""
        return self.now().timestamp()

    def advance(self, seconds: float | timedelta) -> datetime:
        """Move the sandbox time forward and return the new time."""
        delta = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
        if delta < timedelta():
            raise ClockError("the sandbox clock never goes backwards")
        advance = getattr(self._shared, "advance", None)
        if advance is not None:
            advance(delta)
        else:
            with self._lock:
                self._offset += delta
        return self.now()

    def set(self, when: datetime) -> datetime:
        """Jump to ``when`` (aware, or naive UTC); never backwards."""
        delta = utc(when) - self.now()
        if delta < timedelta():
            raise ClockError("the sandbox clock never goes backwards")
        return self.advance(delta)
