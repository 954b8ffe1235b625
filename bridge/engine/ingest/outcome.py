"""What is written down about a source's fetches: the summary, the backoff, safe text.

:class:`~bridge.engine.ingest.ingestor.Ingestor` fetches and stores; this module holds what it
records about each fetch and returns: the :class:`FetchSummary`, the backoff after failures
(:func:`backoff_delay`), and the helpers that make text safe to show and store (credentials
dropped from URLs, problems as rows, exceptions as one line).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from ...sources import Problem
from ...store import SourceRecord

MAX_BACKOFF = timedelta(hours=6)
"""The longest a failing source waits between attempts."""

MIN_BACKOFF = timedelta(minutes=1)
"""The first retry after a failure waits at least this long (or the poll interval if longer)."""

MAX_PROBLEMS_KEPT = 100
"""Problems stored per fetch; a feed with thousands of bad entries should not bloat the row."""

INTERRUPTED = "interrupted: the bridge stopped during this fetch"

_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


@dataclass(frozen=True)
class FetchSummary:
    """What one fetch of one source did, for logs, the CLI and the engine's run summary.

    ``outcome`` is ``ok``, ``not_modified``, ``error`` or ``disabled``.
    """

    source: str
    outcome: str
    items_seen: int = 0
    items_new: int = 0
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None


def backoff_delay(failures: int, interval: timedelta, rng: random.Random) -> timedelta:
    """How long a source waits after ``failures`` consecutive failures.

    Doubles from the larger of :data:`MIN_BACKOFF` and the poll interval, capped at
    :data:`MAX_BACKOFF`, then jittered down by up to a quarter so sources that failed together
    (a shared host down) do not all retry in the same second.
    """
    base = max(MIN_BACKOFF, interval)
    exponent = min(max(failures - 1, 0), 20)
    delay = min(MAX_BACKOFF, base * (2**exponent))
    return delay * (1 - 0.25 * rng.random())


def _record_named(session: Session, name: str) -> SourceRecord | None:
    return session.exec(select(SourceRecord).where(SourceRecord.name == name)).first()


def _problem_dict(problem: Problem) -> dict[str, Any]:
    return {
        "message": _redact(problem.message),
        "level": problem.level,
        "where": _redact(problem.where) if problem.where else None,
    }


def _describe_exception(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _redact(text: str) -> str:
    """Drop ``user:password@`` from any URL in ``text``: errors are shown and stored."""
    return _USERINFO.sub("***@", text)
