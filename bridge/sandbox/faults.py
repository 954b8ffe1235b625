"""Fault injection: deterministic misbehaviour on chosen endpoints.

A :class:`FaultRule` names an endpoint (``create_post``, ``get_media``, … or ``*``) and a kind:

``error``              answer 500 (or ``status=503``) with the error envelope; not processed
``latency``            wait ``latency`` seconds (real time) before answering; stacks with others
``rate_limit``         answer 429 ``rate_limited`` with ``Retry-After: retry_after``; not counted
``html``               an HTML page from a proxy, status 502 (or ``status=200``); not processed
``invalid_json``       process the request, then send a truncated JSON body
``missing_fields``     process the request, then send 2xx JSON without its required fields
``drop_after_create``  process the request (the post IS created), then close the connection
                       without any answer
``drop``               close the connection without processing the request

``count`` applies the rule to the next N matching requests; ``rate`` applies it with that
probability, drawn from a RNG seeded with ``fault_seed`` so runs repeat. With neither, the rule
applies to every matching request until cleared.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = (
    "error",
    "latency",
    "rate_limit",
    "html",
    "invalid_json",
    "missing_fields",
    "drop_after_create",
    "drop",
)
PROCESSED_KINDS = frozenset({"invalid_json", "missing_fields", "drop_after_create"})
"""Kinds where the request is processed before the answer is spoiled."""


@dataclass
class FaultRule:
    """One kind of misbehaviour on one endpoint (or ``*``)."""

    endpoint: str = "*"
    kind: str = "error"
    count: int | None = None
    rate: float | None = None
    status: int | None = None
    latency: float = 0.0
    retry_after: int = 1
    id: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(KINDS)}")
        if self.count is not None and self.count < 0:
            raise ValueError("count must be >= 0")
        if self.rate is not None and not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if self.kind == "error" and self.status not in (None, 500, 502, 503, 504):
            raise ValueError("an error fault answers 500, 502, 503 or 504")
        if self.kind == "html" and self.status not in (None, 200, 502, 503):
            raise ValueError("an html fault answers 200, 502 or 503")

    def to_dict(self) -> dict[str, Any]:
        """The rule as JSON for the admin API."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        """A rule from admin JSON (unknown keys are an error)."""
        allowed = {"endpoint", "kind", "count", "rate", "status", "latency", "retry_after"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        return cls(**data)


class FaultSet:
    """The active rules, consulted once per request; thread-safe and deterministic."""

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._rng = random.Random(seed)
        self._rules: list[FaultRule] = []
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, rule: FaultRule) -> FaultRule:
        """Activate ``rule`` (after the ones already there) and return it with its id."""
        with self._lock:
            rule.id = self._next_id
            self._next_id += 1
            self._rules.append(rule)
            return rule

    def remove(self, rule_id: int) -> bool:
        """Drop one rule by id; ``False`` if there was none."""
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        """Drop every rule and restart the RNG from its seed."""
        with self._lock:
            self._rules.clear()
            self._rng = random.Random(self._seed)

    def rules(self) -> list[FaultRule]:
        """The active rules, in order."""
        with self._lock:
            return list(self._rules)

    def pick(self, endpoint: str) -> tuple[float, FaultRule | None]:
        """The added latency and the fault (other than latency) for one request to ``endpoint``.

        Latency rules add up; among the other rules, the first that fires wins.
        """
        latency = 0.0
        chosen: FaultRule | None = None
        with self._lock:
            for rule in self._rules:
                if rule.endpoint not in ("*", endpoint) or rule.count == 0:
                    continue
                if rule.kind != "latency" and chosen is not None:
                    continue
                if rule.rate is not None and self._rng.random() >= rule.rate:
                    continue
                if rule.count is not None:
                    rule.count -= 1
                if rule.kind == "latency":
                    latency += rule.latency
                else:
                    chosen = rule
            self._rules = [r for r in self._rules if r.count != 0]
        return latency, chosen
