"""Small feed documents built in code, so each test shows exactly what it serves."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bridge_rss import RssSource

    from bridge import FetchResult
    from bridge.feedserver import FeedServer

SourceFactory = Callable[..., "RssSource"]
"""The ``make_source`` fixture's type: ``make_source(url, name=…, http=…, **options)``."""


def rss_item(
    title: str = "A post",
    link: str | None = "https://blog.example/a-post",
    guid: str | None = None,
    description: str = "<p>Some <b>text</b>.</p>",
    pub_date: str | None = "Mon, 05 Jan 2026 09:00:00 GMT",
    extra: str = "",
) -> str:
    """One ``<item>``; ``None`` leaves an element out."""
    parts = [f"<title>{escape(title)}</title>"]
    if link is not None:
        parts.append(f"<link>{escape(link)}</link>")
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{escape(guid)}</guid>')
    parts.append(f"<description>{escape(description)}</description>")
    if pub_date is not None:
        parts.append(f"<pubDate>{pub_date}</pubDate>")
    parts.append(extra)
    return "<item>" + "".join(parts) + "</item>"


def rss(
    *items: str,
    link: str = "https://blog.example/",
    namespaces: str = 'xmlns:media="http://search.yahoo.com/mrss/"',
    encoding: str | None = "utf-8",
) -> bytes:
    """An RSS 2.0 document with ``items``, encoded as declared (no declaration if ``None``)."""
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n' if encoding else ""
    text = (
        f'{declaration}<rss version="2.0" {namespaces}><channel>'
        f"<title>Example blog</title><link>{link}</link><description>Posts</description>"
        + "".join(items)
        + "</channel></rss>"
    )
    return text.encode(encoding or "utf-8")


def atom(*entries: str, base: str | None = None) -> bytes:
    """An Atom 1.0 document with ``entries`` (``xml:base`` on the feed when given)."""
    base_attribute = f' xml:base="{base}"' if base else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<feed xmlns="http://www.w3.org/2005/Atom"{base_attribute}>'
        "<title>Example</title><id>urn:example:feed</id><updated>2026-01-05T09:00:00Z</updated>"
        + "".join(entries)
        + "</feed>"
    ).encode()


def fetch(
    server: FeedServer, make_source: SourceFactory, body: bytes, **set_options: Any
) -> FetchResult:
    """Serve ``body`` at ``/feed.xml`` and fetch it once with a fresh source."""
    server.set("/feed.xml", body, **set_options)
    return make_source(server.url_for("/feed.xml")).fetch({})
