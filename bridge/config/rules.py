"""Cross-field rule violations raised by model validators, with the key each one is about.

Pydantic places an error raised in a model validator on the model itself (``routes[0]``);
raising :class:`RuleViolations` instead keeps the exact key (``routes[0].slots``) so the
loader can point at the right line, and lets one validator report several problems at once.
"""

from __future__ import annotations

from .problems import Loc


class RuleViolations(ValueError):
    """One or more ``(loc, message)`` problems, ``loc`` relative to the model that raised."""

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


class RuleCollector:
    """Gathers violations inside a validator, then raises them together."""

    def __init__(self) -> None:
        self.problems: list[tuple[Loc, str]] = []

    def add(self, loc: Loc, message: str) -> None:
        """Record a problem about ``loc``."""
        self.problems.append((loc, message))

    def raise_if_any(self) -> None:
        """Raise :class:`RuleViolations` when anything was recorded."""
        if self.problems:
            raise RuleViolations(self.problems)
