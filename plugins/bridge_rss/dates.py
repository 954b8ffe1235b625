"""Entry dates as aware UTC datetimes, or ``None`` when a feed's date cannot be trusted.

feedparser already normalizes most date formats into UTC ``struct_time``\\s. Here those become
``datetime``\\s without ever raising (a year 0 or a day 31 of February is a missing date, not a
crash), and one common format feedparser gets wrong is read directly: ``2020/1/10 14:33:00``
(Dvbbs and other Chinese forum software), which feedparser turns into the wrong month.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

_SLASHED = re.compile(r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")


def from_struct(value: time.struct_time | tuple[int, ...] | None) -> datetime | None:
    """A feedparser ``*_parsed`` tuple (UTC) as an aware datetime, or ``None``."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def from_slashed(text: str | None) -> datetime | None:
    """``YYYY/M/D[ H:MM[:SS]]`` read as UTC (the zone is unknown), or ``None``."""
    if not text:
        return None
    match = _SLASHED.match(text)
    if match is None:
        return None
    parts = [int(part) if part else 0 for part in match.groups()]
    try:
        return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]
    except ValueError:
        return None


def entry_date(entry: Any, name: str) -> datetime | None:
    """The entry's ``published`` or ``updated`` date (``name``), if it can be trusted.

    Read with ``dict.get``: feedparser's own ``get("updated")`` quietly answers with the
    published date (a deprecated fallback) and warns on every call.
    """
    return from_slashed(dict.get(entry, name)) or from_struct(dict.get(entry, f"{name}_parsed"))


def entry_dates(entry: Any) -> tuple[datetime | None, datetime | None]:
    """``(published, updated)``; an entry with only an update date was published then.

    Atom entries often carry only ``<updated>``, and RSS 1.0 only ``dc:date``: for a feed
    reader that date is when the entry appeared.
    """
    updated = entry_date(entry, "updated")
    published = entry_date(entry, "published") or updated
    return published, updated
