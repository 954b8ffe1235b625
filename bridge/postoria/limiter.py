"""The API budget of one key, shared by every thread and client in the process.

Postoria allows 300 requests per 5 minutes per key, across all workspaces. :class:`RateLimiter`
keeps a sliding window of the times this process sent requests and makes a caller wait, on the
injected clock, until the window has room. Waiters are served by priority with aging: each
waiter's place is its arrival time minus ``aging`` seconds per priority level, so a creation
jumps ahead of status polls, yet a poll that has waited long enough is served before fresh
creations and never starves.

The server's word wins when it is stricter: ``Retry-After`` on a 429 pauses the whole key, and
``X-RateLimit-Limit``/``X-RateLimit-Remaining`` tighten the window when someone else is using
the key. None of those headers is required.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import threading
import weakref
from dataclasses import dataclass, field

from ..clock import SYSTEM_CLOCK, Clock
from .context import Priority
from .settings import DEFAULT_BUDGET, Budget

_EXPIRY_SLACK = 0.01
"""Seconds waited beyond a window entry's exact expiry, absorbing clock rounding between us and
the server (a request sent on the very instant would otherwise risk a 429)."""

_MIN_SLEEP = 0.001
"""Shortest wait: a clock that rounds (a ``ManualClock`` keeps microseconds) could otherwise
leave a sliver of a wait that never elapses."""

_WAKE_CHECK = 1.0
"""Longest real-time wait on the condition before a waiter looks again (a safety net only)."""

_CANCEL_CHECK = 1.0
"""Longest single sleep (on the clock) of a waiter that can be cancelled: how late, at most,
it notices a cancellation instead of sleeping out a whole window."""


class WaitCancelled(Exception):
    """A wait for the budget was cancelled; nothing was taken. ``wait`` is what was left."""

    def __init__(self, wait: float) -> None:
        self.wait = wait
        super().__init__(f"the wait for the rate limit was cancelled ({wait:.1f} s left)")


@dataclass(order=True)
class _Ticket:
    place: float
    seq: int
    granted: bool = field(default=False, compare=False)


class RateLimiter:
    """A priority-aware sliding-window limiter; thread-safe; waits through ``clock``."""

    def __init__(
        self, budget: Budget = DEFAULT_BUDGET, clock: Clock = SYSTEM_CLOCK, *, aging: float = 60.0
    ) -> None:
        self.budget = budget
        self.clock = clock
        self.aging = aging
        self._cond = threading.Condition()
        self._window: list[float] = []
        self._waiters: list[_Ticket] = []
        self._seq = itertools.count()
        self._capacity = budget.capacity
        self._paused_until = float("-inf")
        self.registry_name: str | None = None

    def __repr__(self) -> str:
        return f"<RateLimiter {self.remaining()}/{self._capacity} left per {self.budget.per:g}s>"

    def acquire(
        self, priority: Priority = Priority.STATUS, *, cancel: threading.Event | None = None
    ) -> float:
        """Take one request from the budget, waiting for room; return the seconds waited.

        With ``cancel``, a caller that would have to wait gives up (raising
        :class:`WaitCancelled`, nothing taken) once it is set, so a shutdown is not held up
        for a budget window; room that is free right now is still granted.
        """
        start = self.clock.monotonic()
        ticket = _Ticket(start - int(priority) * self.aging, next(self._seq))
        with self._cond:
            self._enqueue(ticket)
            try:
                while True:
                    now = self.clock.monotonic()
                    if self._waiters[0] is not ticket:
                        self._check_cancel(cancel, now)
                        self._cond.wait(_WAKE_CHECK)
                        continue
                    wait = self._wait_needed(now)
                    if wait <= 0:
                        self._grant(ticket, now)
                        return now - start
                    self._check_cancel(cancel, now)
                    sleep = max(wait, _MIN_SLEEP)
                    self._sleep_unlocked(sleep if cancel is None else min(sleep, _CANCEL_CHECK))
            finally:
                if not ticket.granted:
                    self._waiters.remove(ticket)
                    self._waiters.sort()
                    self._cond.notify_all()

    def remaining(self) -> int:
        """Requests that could be sent right now without waiting (0 while paused)."""
        with self._cond:
            now = self.clock.monotonic()
            if self._paused_until > now:
                return 0
            self._expire(now)
            return max(0, self._capacity - len(self._window))

    def waiting(self) -> int:
        """Callers currently waiting for room (a sign the budget is the bottleneck)."""
        with self._cond:
            return len(self._waiters)

    def wait_time(self) -> float:
        """Seconds until one more request may be sent (0 when it may go now)."""
        with self._cond:
            return max(0.0, self._wait_needed(self.clock.monotonic()))

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (a 429's ``Retry-After``): applies to every caller."""
        with self._cond:
            self._paused_until = max(self._paused_until, self.clock.monotonic() + seconds)
            self._cond.notify_all()

    def observe(
        self,
        *,
        limit: int | None = None,
        remaining: int | None = None,
        reset: float | None = None,
    ) -> None:
        """Tighten to what the server reports (``X-RateLimit-Limit``/``-Remaining``/``-Reset``).

        Only ever tightens: the local window already counts this process's requests, so a
        server that reports fewer left than we think means someone else spends the key. The
        difference is booked as phantom requests that leave the window spread evenly between
        ``reset`` (when the server's oldest request leaves) and a full window from now, the
        best guess without knowing when the others sent theirs.
        """
        with self._cond:
            now = self.clock.monotonic()
            self._expire(now)
            if limit is not None and 0 < limit - self.budget.margin < self._capacity:
                self._capacity = limit - self.budget.margin
            if remaining is None:
                return
            local = self._capacity - len(self._window)
            deficit = local - max(0, remaining - self.budget.margin)
            per = self.budget.per
            first = min(max(reset, 0.0), per) if reset is not None else per
            for index in range(max(0, deficit)):
                expires = now + first + (per - first) * index / max(1, deficit)
                bisect.insort(self._window, expires - per)

    def _check_cancel(self, cancel: threading.Event | None, now: float) -> None:
        if cancel is not None and cancel.is_set():
            raise WaitCancelled(max(0.0, self._wait_needed(now)))

    def _enqueue(self, ticket: _Ticket) -> None:
        bisect.insort(self._waiters, ticket)
        self._cond.notify_all()

    def _grant(self, ticket: _Ticket, now: float) -> None:
        ticket.granted = True
        self._waiters.remove(ticket)
        bisect.insort(self._window, now)
        self._cond.notify_all()

    def _sleep_unlocked(self, seconds: float) -> None:
        # Only the first waiter sleeps on the clock (so a ManualClock makes it instant); the
        # others wait on the condition and are woken whenever the queue or window changes.
        self._cond.release()
        try:
            self.clock.sleep(seconds)
        finally:
            self._cond.acquire()

    def _wait_needed(self, now: float) -> float:
        self._expire(now)
        wait = self._paused_until - now
        excess = len(self._window) - self._capacity
        if excess >= 0:
            wait = max(wait, self._window[excess] + self.budget.per - now + _EXPIRY_SLACK)
        return wait

    def _expire(self, now: float) -> None:
        cutoff = now - self.budget.per
        drop = bisect.bisect_right(self._window, cutoff)
        if drop:
            del self._window[:drop]


class LimiterRegistry:
    """The process's limiters, one per API key (and base URL and clock), while in use.

    A limiter is shared by the clients that hold it and forgotten when the last of them closes
    (or is garbage-collected), so a later client may choose another budget. Keys are held only
    as hashes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limiters: weakref.WeakValueDictionary[str, RateLimiter] = (
            weakref.WeakValueDictionary()
        )
        self._users: dict[str, int] = {}

    def acquire(self, api_key: str, base_url: str, budget: Budget, clock: Clock) -> RateLimiter:
        """The limiter for this key, created on first use; count one more user of it.

        Clients on one clock that share a key must agree on the budget: two budgets for one
        key is a configuration mistake, reported at once. A different clock (a simulation)
        is a different world and gets its own limiter.
        """
        digest = hashlib.sha256(f"{base_url.rstrip('/')}\x00{api_key}".encode()).hexdigest()
        name = f"{digest}:{id(clock)}"
        with self._lock:
            limiter = self._limiters.get(name)
            if limiter is None:
                limiter = RateLimiter(budget, clock)
                limiter.registry_name = name
                self._limiters[name] = limiter
                self._users[name] = 0
            elif limiter.budget != budget:
                raise ValueError(
                    "clients using the same API key share one rate limiter and must use the "
                    f"same budget ({limiter.budget} is in use; pass limiter= to use another)"
                )
            self._users[name] = self._users.get(name, 0) + 1
            return limiter

    def release(self, limiter: RateLimiter) -> None:
        """One user of ``limiter`` is done; forget it when it was the last."""
        name = limiter.registry_name
        with self._lock:
            if name is None or self._limiters.get(name) is not limiter:
                return
            self._users[name] -= 1
            if self._users[name] <= 0:
                del self._limiters[name]
                del self._users[name]


REGISTRY = LimiterRegistry()


def shared_limiter(api_key: str, base_url: str, budget: Budget, clock: Clock) -> RateLimiter:
    """The process's limiter for ``api_key`` at ``base_url`` (see :class:`LimiterRegistry`).

    Release it with ``REGISTRY.release(limiter)`` when done (``PostoriaClient.close`` does).
    """
    return REGISTRY.acquire(api_key, base_url, budget, clock)
