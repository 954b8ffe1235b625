"""Turning downloaded bytes into a parsed feed, or a clear reason why they are not one.

feedparser reads nearly anything that resembles a feed and says so through ``bozo``: a
malformed but readable document is accepted here with a warning :class:`bridge.Problem`. A
document with neither a recognised feed version nor entries (an HTML page, a JSON error,
garbage, nothing) is not a feed, and the error says what came back instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import feedparser

from bridge import Problem

_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body")


class NotAFeedError(ValueError):
    """The document cannot be read as a feed; the message says what it is instead."""


@dataclass
class ParsedFeed:
    """feedparser's result plus the problems worth reporting."""

    data: Any
    problems: list[Problem] = field(default_factory=list)

    @property
    def entries(self) -> list[Any]:
        """The entries in document order."""
        return list(self.data.get("entries", []))

    @property
    def feed(self) -> Any:
        """The feed-level metadata (title, link…)."""
        return self.data.get("feed", {})


def parse_document(body: bytes, headers: dict[str, str], url: str) -> ParsedFeed:
    """Parse ``body`` as served from ``url`` with response ``headers`` (lower-case names).

    The headers let feedparser honour the HTTP charset. feedparser is not asked to resolve
    relative references in bodies (nor told the document's URL as ``Content-Location``): it
    would parse every body once more to join every ``href`` and ``src``, absolute or not.
    They are resolved afterwards, only where there are some (:mod:`bridge_rss.links`).
    Nor is it asked to sanitize HTML, which cost about a third of its time: the bridge never
    renders a feed's HTML as markup (captions are built from plain text, and ``Item`` says
    the HTML fields are raw), so sanitizing here would buy nothing for that price.
    Raises :class:`NotAFeedError` when nothing could be read.
    """
    if not body.strip():
        raise NotAFeedError("the server sent an empty document")
    response_headers = dict(headers)
    response_headers.pop("content-location", None)
    response_headers.pop("content-encoding", None)  # the body is already decoded
    data = feedparser.parse(
        body, response_headers=response_headers, resolve_relative_uris=False, sanitize_html=False
    )
    if not data.get("version") and not any(map(_has_substance, data.get("entries", ()))):
        raise NotAFeedError(_what_came_back(body, headers))
    parsed = ParsedFeed(data)
    if data.get("bozo"):
        parsed.problems.append(_malformed_warning(data.get("bozo_exception"), url))
    if not data.get("entries"):
        parsed.problems.append(Problem("the feed has no entries", level="warning", where=url))
    return parsed


def _has_substance(entry: Any) -> bool:
    # Any XML with an <item> yields an entry; an entry of nothing does not make a feed.
    return any(entry.get(key) for key in ("title", "link", "id", "summary", "content"))


def _what_came_back(body: bytes, headers: dict[str, str]) -> str:
    content_type = headers.get("content-type", "").split(";")[0].strip() or "no content type"
    start = body.lstrip()[:200].lower()
    if start.startswith(b"\xef\xbb\xbf"):
        start = start[3:].lstrip()
    if start.startswith(_HTML_STARTS) or content_type in ("text/html", "application/xhtml+xml"):
        return f"not a feed: the server sent an HTML page ({content_type})"
    if start[:1] in (b"{", b"["):
        return f"not a feed: the server sent JSON ({content_type})"
    if start.startswith(b"<"):
        return f"not a feed: the XML document is neither RSS nor Atom ({content_type})"
    return f"not a feed: the server sent {len(body):,} bytes that are not XML ({content_type})"


def _malformed_warning(exception: Any, url: str) -> Problem:
    name = type(exception).__name__ if exception is not None else "unknown error"
    if name == "CharacterEncodingOverride":
        message = f"the feed's character encoding is wrong or undeclared, read anyway: {exception}"
    else:
        message = f"the feed is malformed, read anyway ({name}: {exception})"
    return Problem(message, level="warning", where=url)
