"""One feedparser entry as a normalized :class:`bridge.Item` (identity is set afterwards).

Text fields are normalized the same way whatever the feed format: titles become one line of
plain text (tags stripped, entities decoded, so an Atom ``type="html"`` title reading
``Q&amp;amp;A`` becomes ``Q&A``), bodies keep their HTML and gain a plain-text twin through
:func:`bridge.text.html_to_text`. feedparser's ``summary_detail.type`` is not trusted to say
whether a body is HTML (a ``media:description`` can overwrite it), so every body goes through
the HTML reader, which leaves plain text alone.
"""

from __future__ import annotations

from html import escape
from typing import Any

from bridge import Item
from bridge.text import collapse_whitespace, html_to_text, strip_tags

from .dates import entry_dates
from .links import absolute_link, base_of, resolve_references
from .media import media_candidates

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def build_item(entry: Any, document_url: str) -> Item:
    """The item for ``entry`` of a document fetched from ``document_url``.

    ``external_id`` is left empty: it depends on the other entries of the document (see
    :mod:`bridge_rss.identity`).
    """
    link = _link(entry, document_url)
    summary = entry.get("summary") or ""
    content, content_detail = _content(entry, has_summary=bool(summary))
    # feedparser copies an Atom entry's content into its summary, without the xml:base.
    summary_detail = content_detail if content == summary else entry.get("summary_detail")
    summary_html = resolve_references(summary, base_of(summary_detail, document_url))
    summary_text = html_to_text(summary_html)
    if content == summary:
        content_html, content_text = summary_html, summary_text
    else:
        content_html = resolve_references(content, base_of(content_detail, document_url))
        content_text = html_to_text(content_html)
    published, updated = entry_dates(entry)
    guid = (entry.get("id") or "").strip()
    return Item(
        external_id="",
        title=strip_tags(entry.get("title") or ""),
        link=link,
        summary_html=summary_html,
        summary_text=summary_text,
        content_html=content_html,
        content_text=content_text,
        author=_author(entry),
        published=published,
        updated=updated,
        categories=categories(entry),
        media=media_candidates(entry, link or document_url, (content_html, summary_html)),
        extra={"guid": guid} if guid else {},
    )


def _link(entry: Any, document_url: str) -> str | None:
    """The entry's web address: ``link``, else its first http(s) alternate link.

    feedparser copies a guid into ``link`` when there is no better one (``guidislink``), and
    that may be a ``tag:`` URI while an alternate link of another type (a PDF) is usable.
    """
    link = absolute_link(entry.get("link"), document_url)
    if link:
        return link
    for candidate in entry.get("links") or ():
        if candidate.get("rel", "alternate") == "alternate":
            link = absolute_link(candidate.get("href"), document_url)
            if link:
                return link
    return None


def _content(entry: Any, *, has_summary: bool) -> tuple[str, Any]:
    """The entry's full content and its details (base): the first HTML body; a plain-text
    one only if it is alone.

    feedparser files ``media:description`` (image alt text) under ``content`` as text/plain;
    next to a real summary it is not the entry's content.
    """
    contents = entry.get("content") or ()
    for content in contents:
        if content.get("type") in _HTML_TYPES and content.get("value"):
            return content["value"], content
    if contents and not has_summary and contents[0].get("value"):
        return escape(contents[0]["value"]), contents[0]
    return "", None


def _author(entry: Any) -> str | None:
    detail = entry.get("author_detail") or {}
    name = detail.get("name") or entry.get("author") or ""
    name = strip_tags(name)
    return name or None


def categories(entry: Any) -> list[str]:
    """Category labels (or terms), stripped, without repeats (ignoring case)."""
    seen: dict[str, str] = {}
    for tag in entry.get("tags") or ():
        name = collapse_whitespace(tag.get("label") or tag.get("term") or "")
        if name:
            seen.setdefault(name.casefold(), name)
    return list(seen.values())
