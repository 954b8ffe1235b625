"""Field types of the configuration: durations, schedule slots, backlog policy, byte sizes.

Each is an ``Annotated`` pydantic type whose validator turns what people write in TOML into
a Python value and explains, in words, what is wrong when it cannot.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, PlainSerializer

from .durations import format_duration, parse_duration


def _to_timedelta(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, bool | int | float):
        raise ValueError('a duration needs a unit: write it as a string like "90s" or "10m"')
    return value


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


def _not_negative(value: timedelta) -> timedelta:
    if value < timedelta(0):
        raise ValueError("must not be negative")
    return value


_duration_text = PlainSerializer(format_duration, return_type=str, when_used="json")

Duration = Annotated[
    timedelta, BeforeValidator(_to_timedelta), AfterValidator(_positive), _duration_text
]
"""A duration longer than zero, written ``"90s"``, ``"10m"``, ``"2h"``, ``"7d"``, ``"1h30m"``."""

DurationOrZero = Annotated[
    timedelta, BeforeValidator(_to_timedelta), AfterValidator(_not_negative), _duration_text
]
"""A duration that may be zero (``"0s"``)."""

_SLOT = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _to_slot(value: Any) -> Any:
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError("write slot times without a time zone: the workspace's is used")
        return value.replace(second=0, microsecond=0)
    if isinstance(value, str):
        match = _SLOT.fullmatch(value.strip())
        if not match:
            raise ValueError(f'{value!r} is not a time of day: write it as HH:MM, like "09:30"')
        return time(int(match.group(1)), int(match.group(2)))
    raise ValueError('write a time of day as a string "HH:MM", like "09:30"')


SlotTime = Annotated[
    time,
    BeforeValidator(_to_slot),
    PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str, when_used="json"),
]
"""A time of day in the workspace's time zone, written ``"HH:MM"``."""


class Backlog(BaseModel):
    """What a source does on its first run with the items already there.

    ``kind`` is ``skip`` (remember them, post nothing: the default, so connecting a feed
    never floods accounts), ``all``, or ``latest`` with ``count`` newest items.
    """

    model_config = ConfigDict(frozen=True)

    kind: Literal["skip", "all", "latest"] = "skip"
    count: int | None = None

    @classmethod
    def parse(cls, text: str) -> Backlog:
        """``"skip"``, ``"all"`` or ``"latest:N"`` with N ≥ 1."""
        value = text.strip().lower()
        if value in ("skip", "all"):
            return cls(kind=value)
        if value.startswith("latest:"):
            number = value.removeprefix("latest:").strip()
            if number.isdigit() and int(number) >= 1:
                return cls(kind="latest", count=int(number))
        raise ValueError(f'{text!r}: write "skip", "all" or "latest:N" (N at least 1)')

    def __str__(self) -> str:
        return f"latest:{self.count}" if self.kind == "latest" else self.kind


def _to_backlog(value: Any) -> Any:
    if isinstance(value, str):
        return Backlog.parse(value)
    if isinstance(value, Backlog | dict):
        return value
    raise ValueError('write "skip", "all" or "latest:N"')


BacklogPolicy = Annotated[
    Backlog, BeforeValidator(_to_backlog), PlainSerializer(str, return_type=str, when_used="json")
]

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)", re.IGNORECASE)
_SIZE_FACTORS = {"": 1, "b": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4}


def parse_size(text: str) -> int:
    """``"50MB"`` → 50 000 000, ``"50MiB"`` → 52 428 800, ``"1024"`` → 1024 bytes."""
    match = _SIZE.fullmatch(text.strip())
    if not match:
        raise ValueError(f'{text!r} is not a size: write bytes or a size like "50MB" or "1GiB"')
    number, unit = match.groups()
    unit = unit.lower()
    if "i" in unit:
        factor = 1024 ** ("kmgt".index(unit[0]) + 1)
    else:
        factor = _SIZE_FACTORS[unit.removesuffix("b")]
    return int(float(number) * factor)


def _to_size(value: Any) -> Any:
    if isinstance(value, str):
        return parse_size(value)
    return value


ByteSize = Annotated[int, BeforeValidator(_to_size)]
"""A number of bytes, written as an integer or ``"50MB"`` / ``"50MiB"``."""

NAME_PATTERN = r"[a-z0-9][a-z0-9_-]*"
_NAME = re.compile(NAME_PATTERN)


def _check_name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValueError(
            f"{value!r}: use lowercase letters, digits, '-' and '_', "
            "starting with a letter or digit"
        )
    return value


Name = Annotated[str, AfterValidator(_check_name)]
"""A source or route name: it appears in logs, URLs and the database, so keep it plain."""
