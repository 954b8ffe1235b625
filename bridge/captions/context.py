"""What a caption template can read about an item: :class:`CaptionContext`.

The names are the ones documented in ``docs/configuration.md``. Every documented name is
always defined (empty when the item lacks it), so a template can write ``{{ author }}``
for any item, while a misspelt name still fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..sources import Item
from ..text import html_to_text

RESERVED_NAMES = frozenset(
    {
        "title", "link", "summary", "content", "text", "author", "categories", "tags",
        "published", "caption", "source", "route", "network", "account", "extra",
    }
)  # fmt: skip
"""Names of the context; an item's extra field with one of these names is only in ``extra``."""


@dataclass(frozen=True)
class CaptionContext:
    """The item-level part of a caption's context, built once per item and route."""

    title: str
    link: str
    summary: str
    content: str
    text: str
    author: str
    categories: list[str]
    tags: list[str]
    published: datetime | None
    caption: str
    source: str
    route: str
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_item(cls, item: Item, *, source_name: str, route_name: str) -> CaptionContext:
        """Build the context of ``item`` as it travels ``route_name`` from ``source_name``.

        ``summary`` and ``content`` are HTML when the source had HTML (use ``plain``);
        ``text`` is always plain: the content's text, else the summary's. ``caption`` is
        the caption a media item came with (``extra["caption"]``), else ``text``.
        """
        summary = item.summary_html or item.summary_text
        content = item.content_html or item.content_text
        text = (
            item.content_text
            or html_to_text(item.content_html)
            or item.summary_text
            or html_to_text(item.summary_html)
        )
        caption = item.extra.get("caption")
        return cls(
            title=item.title,
            link=item.link or "",
            summary=summary,
            content=content,
            text=text,
            author=item.author or "",
            categories=list(item.categories),
            tags=list(item.tags),
            published=item.published,
            caption=caption if isinstance(caption, str) else text,
            source=source_name,
            route=route_name,
            extra=dict(item.extra),
        )

    def variables(self, *, network: str, account: str, link: str | None = None) -> dict[str, Any]:
        """The template variables for one account; ``link`` replaces the item's (UTM added)."""
        values: dict[str, Any] = {
            name: value for name, value in self.extra.items() if name not in RESERVED_NAMES
        }
        values.update(
            title=self.title,
            link=self.link if link is None else link,
            summary=self.summary,
            content=self.content,
            text=self.text,
            author=self.author,
            categories=self.categories,
            tags=self.tags,
            published=self.published,
            caption=self.caption,
            source=self.source,
            route=self.route,
            network=network,
            account=account,
            extra=self.extra,
        )
        return values
