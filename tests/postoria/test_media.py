"""Waiting for media: the polling schedule and the deadline, on a manual clock."""

from __future__ import annotations

import pytest

from bridge.clock import ManualClock
from bridge.postoria import Media, MediaFailedError, MediaTimeoutError
from bridge.postoria.media import wait_for_media


class Polls:
    """Answers ``processing`` until poll ``ready_on``, noting when each poll came."""

    def __init__(self, clock: ManualClock, ready_on: int | None = None) -> None:
        self.clock = clock
        self.ready_on = ready_on
        self.times: list[float] = []

    def __call__(self) -> Media:
        self.times.append(self.clock.monotonic())
        if self.ready_on is not None and len(self.times) >= self.ready_on:
            return Media(id=9, status="ready", file_id="f_9")
        return Media(id=9, status="processing")


def test_polls_back_off_up_to_a_ceiling() -> None:
    clock = ManualClock()
    polls = Polls(clock, ready_on=8)
    assert wait_for_media(polls, clock).is_ready
    gaps = [round(b - a, 3) for a, b in zip([0.0, *polls.times], polls.times, strict=False)]
    assert gaps == [2.0, 3.0, 4.5, 6.75, 10.125, 15.0, 15.0, 15.0]


def test_first_check_is_honoured() -> None:
    clock = ManualClock()
    polls = Polls(clock, ready_on=1)
    wait_for_media(polls, clock, first_check=30.0)
    assert polls.times == [30.0]


def test_the_last_poll_is_at_the_deadline() -> None:
    clock = ManualClock()
    polls = Polls(clock)
    with pytest.raises(MediaTimeoutError) as caught:
        wait_for_media(polls, clock, timeout=20.0)
    assert polls.times[-1] == pytest.approx(20.0)
    assert caught.value.waited == pytest.approx(20.0)
    assert "still 'processing'" in str(caught.value)


def test_a_deadline_between_clock_ticks_costs_no_extra_polls() -> None:
    clock = ManualClock()  # keeps microseconds, so the deadline's last sliver rounds away
    polls = Polls(clock)
    with pytest.raises(MediaTimeoutError):
        wait_for_media(polls, clock, timeout=2.0000003)
    assert len(polls.times) == 1


def test_failure_carries_the_media_error() -> None:
    clock = ManualClock()

    def failed() -> Media:
        return Media(id=9, status="failed", error_code="corrupt_file", error_message="Broken")

    with pytest.raises(MediaFailedError) as caught:
        wait_for_media(failed, clock)
    assert (caught.value.error_code, caught.value.error_message) == ("corrupt_file", "Broken")
    assert str(caught.value) == "media 9 failed to process: Broken (corrupt_file)"
