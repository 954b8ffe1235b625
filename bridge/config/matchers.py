"""Route filters: the ``include`` and ``exclude`` rules, compiled once when the config loads.

A rule is ``category:NAME``, ``tag:NAME``, ``author:NAME`` (each compared without regard to
case), ``title:TEXT`` (the title contains TEXT, ignoring case), or otherwise a regular
expression searched in the item's title, summary, text and categories. Compiling at load
time means a bad pattern is a config error pointing at the rule, not a failure at 3 a.m. when
an item arrives.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..sources import Item

RuleKind = Literal["category", "tag", "author", "title", "regex"]
_PREFIXES: tuple[RuleKind, ...] = ("category", "tag", "author", "title")


@dataclass(frozen=True)
class ItemRule:
    """One compiled include/exclude rule, as written (``text``) and ready to match."""

    text: str
    kind: RuleKind
    value: str
    pattern: re.Pattern[str] | None = None

    @classmethod
    def compile(cls, text: str) -> ItemRule:
        """Parse a rule; raise ``ValueError`` explaining a bad regular expression."""
        prefix, separator, value = text.partition(":")
        if separator and prefix in _PREFIXES:
            if not value.strip():
                raise ValueError(f"{text!r}: say which {prefix} to match after the colon")
            return cls(text=text, kind=prefix, value=value.strip())  # type: ignore[arg-type]
        try:
            pattern = re.compile(text)
        except re.error as exc:
            raise ValueError(f"{text!r} is not a valid regular expression: {exc}") from None
        return cls(text=text, kind="regex", value=text, pattern=pattern)

    def matches(self, item: Item) -> bool:
        """Whether ``item`` satisfies this rule."""
        wanted = self.value.casefold()
        if self.kind == "category":
            return any(category.casefold() == wanted for category in item.categories)
        if self.kind == "tag":
            return any(tag.casefold() == wanted for tag in item.tags)
        if self.kind == "author":
            return (item.author or "").casefold() == wanted
        if self.kind == "title":
            return wanted in item.title.casefold()
        assert self.pattern is not None
        fields = (item.title, item.summary_text, item.content_text, *item.categories)
        return any(self.pattern.search(text) for text in fields if text)


def accepts(item: Item, include: Sequence[ItemRule], exclude: Sequence[ItemRule]) -> bool:
    """An item passes when some include rule matches (or there are none) and no exclude does."""
    if include and not any(rule.matches(item) for rule in include):
        return False
    return not any(rule.matches(item) for rule in exclude)
