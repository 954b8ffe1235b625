"""Accounting: one record per HTTP request, and counts by endpoint and outcome.

Every request is recorded, retries included, so the bridge can say what each published post
cost. The signed upload PUT goes to storage, not to the API, so it is recorded with
``counts_against_budget=False`` and left out of budget totals.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ..errors import (
    OutcomeUnknownError,
    PostoriaAPIError,
    PostoriaError,
    PostoriaTransportError,
    RateLimitedError,
    ServerError,
)
from .context import Priority


class Outcome(StrEnum):
    """How one request ended."""

    OK = "ok"
    CLIENT_ERROR = "client_error"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    TRANSPORT_ERROR = "transport_error"
    OUTCOME_UNKNOWN = "outcome_unknown"
    PROTOCOL_ERROR = "protocol_error"


@dataclass(frozen=True)
class RequestRecord:
    """What one request was, what it cost and how it ended.

    ``endpoint`` is the path template (``POST /workspaces/{ws}/posts``) so counts group well;
    ``path`` is the concrete API path (never a signed URL: the PUT's is ``<signed upload URL>``).
    ``attempt`` is 1 for the first try of a call and grows with each retry. ``duration`` is
    wall-clock seconds on the wire; ``started_at`` is read from the client's clock.
    """

    endpoint: str
    method: str
    path: str
    outcome: Outcome
    status: int | None
    duration: float
    started_at: datetime
    attempt: int
    priority: Priority
    counts_against_budget: bool
    request_id: str | None = None
    error: str | None = None
    tags: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerSnapshot:
    """A consistent copy of the ledger's counts at one moment."""

    counts: Mapping[tuple[str, Outcome], int]
    budget_requests: int
    total_requests: int

    def by_endpoint(self) -> dict[str, dict[str, int]]:
        """``{endpoint: {outcome: count}}``, endpoints sorted."""
        result: dict[str, dict[str, int]] = {}
        for (endpoint, outcome), count in sorted(self.counts.items()):
            result.setdefault(endpoint, {})[outcome.value] = count
        return result

    def by_outcome(self) -> dict[str, int]:
        """``{outcome: count}`` over every endpoint."""
        totals: Counter[str] = Counter()
        for (_, outcome), count in self.counts.items():
            totals[outcome.value] += count
        return dict(totals)


class RequestLedger:
    """Thread-safe counts of requests by ``(endpoint, outcome)``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, Outcome]] = Counter()
        self._budget_requests = 0
        self._total_requests = 0

    def record(self, record: RequestRecord) -> None:
        """Count one finished request."""
        with self._lock:
            self._counts[(record.endpoint, record.outcome)] += 1
            self._total_requests += 1
            if record.counts_against_budget:
                self._budget_requests += 1

    def total(self, *, budget_only: bool = False) -> int:
        """Requests recorded; with ``budget_only``, only those that spend the API budget."""
        with self._lock:
            return self._budget_requests if budget_only else self._total_requests

    def count(self, endpoint: str, outcome: Outcome | str | None = None) -> int:
        """Requests to ``endpoint`` (a template), optionally with one outcome."""
        with self._lock:
            return sum(
                n
                for (ep, out), n in self._counts.items()
                if ep == endpoint and (outcome is None or out == outcome)
            )

    def by_endpoint(self) -> dict[str, dict[str, int]]:
        """``{endpoint: {outcome: count}}``."""
        return self.snapshot().by_endpoint()

    def snapshot(self) -> LedgerSnapshot:
        """A copy of every count, taken atomically."""
        with self._lock:
            return LedgerSnapshot(
                counts=dict(self._counts),
                budget_requests=self._budget_requests,
                total_requests=self._total_requests,
            )

    def reset(self) -> None:
        """Forget every count (for a new reporting period)."""
        with self._lock:
            self._counts.clear()
            self._budget_requests = 0
            self._total_requests = 0


def outcome_of(error: PostoriaError | None) -> Outcome:
    """The ledger outcome for an attempt that ended with ``error`` (``None``: success)."""
    if error is None:
        return Outcome.OK
    if isinstance(error, OutcomeUnknownError):
        return Outcome.OUTCOME_UNKNOWN
    if isinstance(error, PostoriaTransportError):
        return Outcome.TRANSPORT_ERROR
    if isinstance(error, RateLimitedError):
        return Outcome.RATE_LIMITED
    if isinstance(error, ServerError):
        return Outcome.SERVER_ERROR
    if isinstance(error, PostoriaAPIError):
        return Outcome.CLIENT_ERROR
    return Outcome.PROTOCOL_ERROR
