"""Durations as people write them in the config file: ``"90s"``, ``"10m"``, ``"2h"``, ``"1h30m"``.

A bare number is refused on purpose: ``interval = 10`` could mean seconds or minutes, and
guessing wrong posts at the wrong time. Units are written largest first, each at most once,
so ``"1h30m"`` reads the way it is meant and a slip like ``"30m1h"`` is caught.
"""

from __future__ import annotations

import re
from datetime import timedelta

UNITS: dict[str, timedelta] = {
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
    "s": timedelta(seconds=1),
}

_PART = re.compile(r"(\d+(?:\.\d+)?)([a-z]+)")
_EXAMPLES = '"90s", "10m", "2h", "7d" or "1h30m"'


def parse_duration(text: str) -> timedelta:
    """Turn ``"1h30m"`` into ``timedelta(hours=1, minutes=30)``; raise ``ValueError`` if unclear.

    The error message quotes the text and shows examples, since it reaches the user as is.
    """
    compact = text.strip().lower().replace(" ", "")
    if not compact:
        raise ValueError(f"empty duration: write one like {_EXAMPLES}")
    if compact.isdigit() or _is_number(compact):
        raise ValueError(f"{text!r} has no unit: write it like {_EXAMPLES}")
    total = timedelta()
    position = 0
    previous_rank = -1
    order = list(UNITS)
    for match in _PART.finditer(compact):
        if match.start() != position:
            break
        number, unit = match.groups()
        if unit not in UNITS:
            raise ValueError(f"{text!r}: unknown unit {unit!r} (use w, d, h, m or s)")
        rank = order.index(unit)
        if rank <= previous_rank:
            raise ValueError(f"{text!r}: write each unit once, largest first, like {_EXAMPLES}")
        previous_rank = rank
        total += UNITS[unit] * float(number)
        position = match.end()
    if position != len(compact):
        raise ValueError(f"{text!r} is not a duration: write it like {_EXAMPLES}")
    return total


def format_duration(value: timedelta) -> str:
    """The shortest config spelling of ``value``: ``timedelta(minutes=90)`` → ``"1h30m"``."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    parts = []
    for unit in ("d", "h", "m", "s"):
        size = int(UNITS[unit].total_seconds())
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return sign + "".join(parts)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
