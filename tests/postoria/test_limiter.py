"""The shared rate limiter on its own: windows, priorities with aging, server hints, sharing."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from bridge.clock import SYSTEM_CLOCK, ManualClock
from bridge.postoria import Budget, PostoriaClient, Priority, RateLimiter
from bridge.postoria.limiter import WaitCancelled


class GatedClock(ManualClock):
    """A manual clock whose ``sleep`` waits until the test opens the gate, then advances.

    It lets a test line waiters up in a known order before any of them may proceed.
    """

    def __init__(self) -> None:
        super().__init__()
        self._gate = threading.Condition()
        self._open = False
        self.sleeping = 0

    def sleep(self, seconds: float) -> None:
        with self._gate:
            self.sleeping += 1
            self._gate.notify_all()
            self._gate.wait_for(lambda: self._open, timeout=10)
            self.sleeping -= 1
        super().sleep(seconds)

    def open(self) -> None:
        with self._gate:
            self._open = True
            self._gate.notify_all()

    def wait_for(self, condition: Callable[[], bool]) -> None:
        """Block until ``condition`` holds (it reads limiter state, so poll it)."""
        pause = threading.Event()
        for _ in range(1000):
            if condition():
                return
            pause.wait(0.01)
        pytest.fail("the waiters never lined up")


def test_capacity_is_requests_minus_margin_per_window() -> None:
    clock = ManualClock()
    limiter = RateLimiter(Budget(requests=5, per=60.0, margin=1), clock)
    waits = [limiter.acquire() for _ in range(4)]
    assert waits == [0, 0, 0, 0]
    assert limiter.remaining() == 0
    assert limiter.acquire() >= 60.0
    assert limiter.remaining() == 3  # the first four left the window together


def test_window_slides_instead_of_resetting() -> None:
    clock = ManualClock()
    limiter = RateLimiter(Budget(requests=2, per=10.0, margin=0), clock)
    limiter.acquire()
    clock.advance(6)
    limiter.acquire()
    clock.advance(5)  # the first request left the window, the second has not
    assert limiter.remaining() == 1


def _acquire_in_thread(
    limiter: RateLimiter, clock: ManualClock, priority: Priority, grants: list[tuple[float, str]]
) -> threading.Thread:
    def run() -> None:
        limiter.acquire(priority)
        grants.append((clock.monotonic(), priority.name))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_higher_priorities_go_first() -> None:
    clock = GatedClock()
    limiter = RateLimiter(Budget(requests=1, per=10.0, margin=0), clock)
    limiter.acquire()
    grants: list[tuple[float, str]] = []
    threads = [_acquire_in_thread(limiter, clock, Priority.OPTIONAL, grants)]
    clock.wait_for(lambda: clock.sleeping == 1)
    for priority in (Priority.STATUS, Priority.CREATE):
        threads.append(_acquire_in_thread(limiter, clock, priority, grants))
    # Each newcomer outranks the sleepers, so all three end up sleeping on the gate.
    clock.wait_for(lambda: limiter.waiting() == 3 and clock.sleeping == 3)
    clock.open()
    for thread in threads:
        thread.join(10)
    assert [name for _, name in sorted(grants)] == ["CREATE", "STATUS", "OPTIONAL"]


def test_a_long_wait_ages_a_low_priority_ahead() -> None:
    clock = GatedClock()
    limiter = RateLimiter(Budget(requests=1, per=1000.0, margin=0), clock, aging=60.0)
    limiter.acquire()
    grants: list[tuple[float, str]] = []
    threads = [_acquire_in_thread(limiter, clock, Priority.OPTIONAL, grants)]
    clock.wait_for(lambda: clock.sleeping == 1)
    clock.advance(200)  # waited longer than three priority levels of aging
    threads.append(_acquire_in_thread(limiter, clock, Priority.CREATE, grants))
    # The creation queues behind the older poll instead of sleeping ahead of it.
    clock.wait_for(lambda: limiter.waiting() == 2 and clock.sleeping == 1)
    clock.open()
    for thread in threads:
        thread.join(10)
    assert [name for _, name in sorted(grants)] == ["OPTIONAL", "CREATE"]


def test_many_threads_never_exceed_the_window() -> None:
    clock = ManualClock()
    budget = Budget(requests=25, per=10.0, margin=5)
    limiter = RateLimiter(budget, clock)
    grants: list[float] = []
    lock = threading.Lock()

    def run() -> None:
        for _ in range(30):
            limiter.acquire(Priority.STATUS)
            with lock:
                grants.append(clock.monotonic())

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    grants.sort()
    assert len(grants) == 180
    capacity = budget.capacity
    assert all(
        grants[i + capacity] - grants[i] >= budget.per for i in range(len(grants) - capacity)
    )


def test_pause_stops_every_caller() -> None:
    clock = ManualClock()
    limiter = RateLimiter(Budget(), clock)
    limiter.pause(30)
    assert limiter.remaining() == 0
    assert limiter.wait_time() == pytest.approx(30)
    assert limiter.acquire(Priority.CREATE) == pytest.approx(30)


def test_a_pause_ending_between_clock_ticks_still_ends() -> None:
    clock = ManualClock()  # keeps microseconds, so the pause's last sliver rounds away
    limiter = RateLimiter(Budget(), clock)
    clock.advance(0.3)
    limiter.pause(1.0000003)
    done = threading.Event()
    waiter = threading.Thread(target=lambda: (limiter.acquire(), done.set()), daemon=True)
    waiter.start()
    assert done.wait(10), "acquire never returned"
    assert clock.monotonic() >= 1.3000003


def test_server_headers_only_tighten() -> None:
    clock = ManualClock()
    limiter = RateLimiter(Budget(requests=300, per=300.0, margin=10), clock)
    limiter.observe(limit=300, remaining=300)
    assert limiter.remaining() == 290
    limiter.observe(remaining=100)  # someone else is spending the key
    assert limiter.remaining() == 90
    limiter.observe(remaining=250)  # never loosens what we know
    assert limiter.remaining() == 90
    limiter.observe(limit=60)
    assert limiter.remaining() == 0
    clock.advance(301)
    assert limiter.remaining() == 50


def test_requests_spent_elsewhere_leave_the_window_gradually() -> None:
    clock = ManualClock()
    limiter = RateLimiter(Budget(requests=100, per=100.0, margin=0), clock)
    limiter.observe(remaining=0, reset=20)  # 100 spent elsewhere, the oldest leaves in 20 s
    assert limiter.remaining() == 0
    clock.advance(20)
    assert limiter.remaining() == 1
    clock.advance(40)  # half of the rest has left by now
    assert limiter.remaining() == 51
    clock.advance(40)
    assert limiter.remaining() == 100


def test_clients_with_one_key_share_one_limiter(clock: ManualClock) -> None:
    url = "http://127.0.0.1:9/v1"
    with (
        PostoriaClient("pst_test_shared_key", url, clock=clock) as first,
        PostoriaClient("pst_test_shared_key", url, clock=clock) as second,
        PostoriaClient("pst_test_another_key", url, clock=clock) as other,
    ):
        assert first.limiter is second.limiter
        assert other.limiter is not first.limiter


def test_sharing_a_key_with_another_budget_is_refused(clock: ManualClock) -> None:
    url = "http://127.0.0.1:9/v1"
    with PostoriaClient("pst_test_budget_key", url, clock=clock) as client:
        with pytest.raises(ValueError, match="same budget"):
            PostoriaClient("pst_test_budget_key", url, clock=clock, budget=Budget(margin=50))
        with PostoriaClient("pst_test_budget_key", url, clock=clock) as second:
            assert second.limiter is client.limiter
    # Once every client of the key is closed, another budget may be chosen.
    with PostoriaClient("pst_test_budget_key", url, clock=clock, budget=Budget(margin=50)) as new:
        assert new.limiter.budget.margin == 50


def test_another_clock_is_another_world(clock: ManualClock) -> None:
    url = "http://127.0.0.1:9/v1"
    with (
        PostoriaClient("pst_test_clock_key", url, clock=clock) as simulated,
        PostoriaClient("pst_test_clock_key", url, clock=ManualClock()) as other,
    ):
        assert simulated.limiter is not other.limiter


def _waiter(
    limiter: RateLimiter, cancel: threading.Event, outcome: list[object]
) -> threading.Thread:
    def run() -> None:
        try:
            outcome.append(limiter.acquire(Priority.MEDIA, cancel=cancel))
        except WaitCancelled as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_cancelled_wait_ends_well_before_the_window_and_takes_nothing() -> None:
    limiter = RateLimiter(Budget(requests=2, per=300.0, margin=1), SYSTEM_CLOCK)  # 1 per 5 min
    limiter.acquire()
    cancel = threading.Event()
    first: list[object] = []
    second: list[object] = []
    threads = [_waiter(limiter, cancel, first), _waiter(limiter, cancel, second)]
    for _ in range(1000):  # both queued: one sleeping on the clock, one on the condition
        if limiter.waiting() == 2:
            break
        threading.Event().wait(0.01)
    assert limiter.waiting() == 2

    cancel.set()
    for thread in threads:
        thread.join(30)  # a generous bound; the window alone would be 300 s

    assert not any(thread.is_alive() for thread in threads)
    assert [type(o) for o in first + second] == [WaitCancelled, WaitCancelled]
    assert all(0 < o.wait <= 300 for o in first + second if isinstance(o, WaitCancelled))
    assert limiter.waiting() == 0
    assert limiter.wait_time() > 200  # only the first request is in the window


def test_a_cancelled_caller_still_gets_room_that_is_free_now() -> None:
    clock = ManualClock()
    limiter = RateLimiter(Budget(requests=3, per=60.0, margin=1), clock)
    cancel = threading.Event()
    cancel.set()
    assert limiter.acquire(cancel=cancel) == 0
    assert limiter.acquire(cancel=cancel) == 0
    with pytest.raises(WaitCancelled):
        limiter.acquire(cancel=cancel)
    assert clock.monotonic() == 0  # it gave up instead of sleeping
    assert limiter.remaining() == 0


def test_an_uncancelled_wait_on_a_manual_clock_is_unchanged() -> None:
    clock = ManualClock()
    limiter = RateLimiter(Budget(requests=2, per=60.0, margin=1), clock)
    limiter.acquire()
    assert limiter.acquire(cancel=threading.Event()) == pytest.approx(60.0, abs=0.1)
    assert limiter.remaining() == 0
