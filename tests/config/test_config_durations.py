from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.config import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("10m", timedelta(minutes=10)),
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d 2h 3m 4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("1.5h", timedelta(minutes=90)),
        (" 5M ", timedelta(minutes=5)),
        ("0s", timedelta(0)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty duration"),
        ("10", "has no unit"),
        ("1.5", "has no unit"),
        ("10 minutes", "unknown unit 'minutes'"),
        ("30m1h", "largest first"),
        ("1h1h", "largest first"),
        ("h", "is not a duration"),
        ("1h-5m", "is not a duration"),
    ],
)
def test_parse_duration_explains_bad_text(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_duration(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(minutes=90), "1h30m"),
        (timedelta(seconds=30), "30s"),
        (timedelta(days=7), "7d"),
        (timedelta(0), "0s"),
        (timedelta(days=1, seconds=1), "1d1s"),
    ],
)
def test_format_duration_round_trips(value: timedelta, text: str) -> None:
    assert format_duration(value) == text
    assert parse_duration(text) == value
