"""Which routes an item takes: the route's ``include`` and ``exclude`` rules, with the reason.

The rules are compiled when the config loads (:class:`bridge.config.ItemRule`). This module
applies them the way routing and preview need: one decision per route with a sentence saying
why an item was left out, so "why was this not posted?" has an answer on the dashboard.

``category:``, ``tag:`` and ``author:`` compare whole values without regard to case; ``title:``
looks for the text in the title; anything else is a regular expression searched in the title,
the plain text and the categories. One feed can feed several clients' routes this way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import ItemRule, RouteConfig
    from ..sources import Item


@dataclass(frozen=True)
class FilterDecision:
    """Whether a route takes an item; ``reason`` says why not, ``matched`` which rule let it in."""

    accepted: bool
    reason: str | None = None
    matched: str | None = None


def rule_matches(rule: ItemRule, item: Item) -> bool:
    """Whether ``item`` satisfies ``rule``; regular expressions also see the categories."""
    if rule.matches(item):
        return True
    if rule.kind == "regex" and rule.pattern is not None:
        return any(rule.pattern.search(category) for category in item.categories)
    return False


def evaluate(route: RouteConfig, item: Item) -> FilterDecision:
    """Apply ``route``'s include rules (any must match, when given) and exclude rules (none may)."""
    matched = None
    if route.include_rules:
        matched = next((r.text for r in route.include_rules if rule_matches(r, item)), None)
        if matched is None:
            wanted = ", ".join(repr(r.text) for r in route.include_rules)
            return FilterDecision(False, f"matches none of the include rules ({wanted})")
    for rule in route.exclude_rules:
        if rule_matches(rule, item):
            return FilterDecision(False, f"excluded by the rule {rule.text!r}", matched)
    return FilterDecision(True, None, matched)
