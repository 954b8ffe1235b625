"""Plain text from HTML, and small text helpers shared by connectors and captions.

Feeds and CMSs hand us HTML; social networks want plain text. :func:`html_to_text` turns one
into the other the way a reader would see it: paragraphs and list items on their own lines,
entities decoded, scripts and styles gone, links reduced to their text.

It runs on every summary and article of every feed, so it is a handful of compiled regular
expressions (each a pass in C) rather than a tokenizer calling Python code per tag: several
times faster than :class:`html.parser.HTMLParser` on real articles, which keeps feed ingest
close to feedparser's own speed. It stays as forgiving: a lone ``<`` is text, unclosed tags
and unknown elements are fine, quoted attribute values may contain ``>``.
"""

from __future__ import annotations

import re
from html import unescape

BLOCK_ELEMENTS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "dialog", "div", "dl",
        "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
"""Elements that start on a new line when rendered."""

PARAGRAPH_ELEMENTS = frozenset(
    {"blockquote", "dl", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "ol", "p", "pre", "table"}
    | {"ul"}
)
"""Block elements set off by a blank line rather than a single line break."""

DROPPED_ELEMENTS = frozenset({"script", "style", "template", "noscript", "head", "title"})
"""Elements whose content is never shown to a reader."""

# Break markers: control characters that never survive in HTML text (they are removed from
# the input first). A run of them becomes the largest break it asks for; <br>s add up.
_LINE, _PARAGRAPH, _BR = "\x01", "\x02", "\x03"
_PRE_NEWLINE = "\x00"
_CONTROL = re.compile(r"[\x00-\x03]")
_ATTRIBUTES = r"""[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*"""


def _tags(names: frozenset[str] | set[str], *, closing: bool = True) -> re.Pattern[str]:
    slash = "/?" if closing else ""
    alternatives = "|".join(sorted(names, key=len, reverse=True))
    return re.compile(rf"<{slash}(?:{alternatives})\b{_ATTRIBUTES}>", re.IGNORECASE)


_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_DROPPED = re.compile(
    rf"<({'|'.join(sorted(DROPPED_ELEMENTS))})\b{_ATTRIBUTES}>.*?(?:</\1\s*>|$)",
    re.IGNORECASE | re.DOTALL,
)
_PRE_BLOCK = re.compile(r"<pre\b.*?(?:</pre\s*>|$)", re.IGNORECASE | re.DOTALL)
_LINE_BREAK = _tags({"br"})
_LIST_ITEM = _tags({"li"}, closing=False)
_PARAGRAPH_TAG = _tags(PARAGRAPH_ELEMENTS)
_BLOCK_TAG = _tags(BLOCK_ELEMENTS - PARAGRAPH_ELEMENTS)
_CELL = _tags({"td", "th"}, closing=False)
_ANY_TAG = re.compile(rf"</?[a-zA-Z][^\s/>]*{_ATTRIBUTES}>|<![^>]*>|<\?[^>]*>")
_ZERO_WIDTH_SPACE = "\u200b"
_BREAK_RUN = re.compile(r"[\x01\x02\x03][\x01\x02\x03 ]*")


def html_to_text(html: str) -> str:
    """The text a reader sees in ``html``, with block elements as line breaks.

    Paragraphs, headings and lists are separated by a blank line, ``<br>`` and other block
    elements by a line break, list items start with ``- ``, table cells are separated by a
    space. Entities are decoded, comments and ``<script>``/``<style>`` contents dropped, runs
    of whitespace collapsed (``<pre>`` keeps its line breaks) and the result stripped. Text
    without markup only has its entities decoded and its whitespace collapsed.
    """
    if not html:
        return ""
    if "<" not in html:
        return collapse_whitespace(unescape(html) if "&" in html else html)
    html = _CONTROL.sub("", html)
    if "<!--" in html:
        html = _COMMENT.sub("", html)
    html = _DROPPED.sub("", html)
    if "<pre" in html or "<PRE" in html:
        html = _PRE_BLOCK.sub(_keep_newlines, html)
    html = _LINE_BREAK.sub(_BR, html)
    html = _LIST_ITEM.sub(_LINE + "- ", html)
    html = _PARAGRAPH_TAG.sub(_PARAGRAPH, html)
    html = _BLOCK_TAG.sub(_LINE, html)
    html = _CELL.sub(" ", html)
    text = _ANY_TAG.sub("", html)
    if "&" in text:
        text = unescape(text)
    text = collapse_whitespace(text)
    text = _BREAK_RUN.sub(_line_breaks, text).replace(" \n", "\n")
    return text.replace(_PRE_NEWLINE, "\n").strip()


def _keep_newlines(match: re.Match[str]) -> str:
    return match.group(0).replace("\r\n", "\n").replace("\n", _PRE_NEWLINE)


def _line_breaks(match: re.Match[str]) -> str:
    run = match.group(0)
    if _BR not in run:
        return "\n\n" if _PARAGRAPH in run else "\n"
    pending = 0
    for marker in run:
        if marker == _BR:
            pending = min(pending + 1, 2)
        elif marker == _PARAGRAPH:
            pending = 2
        elif marker == _LINE:
            pending = max(pending, 1)
    return "\n" * pending


def collapse_whitespace(text: str) -> str:
    """``text`` on one line: every run of whitespace (newlines too) becomes one space."""
    # str.split() is the fastest whitespace collapse there is; a zero-width space is no space.
    if _ZERO_WIDTH_SPACE in text:
        text = text.replace(_ZERO_WIDTH_SPACE, "")
    return " ".join(text.split())


def strip_tags(html: str) -> str:
    """``html`` as one line of plain text: for titles, names and other inline strings.

    Unlike :func:`html_to_text` the result never contains line breaks.
    """
    return collapse_whitespace(html_to_text(html))


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary when one is near.

    The ellipsis counts towards the limit. Cuts at the last space in the final fifth of the
    allowed length, so a long word at the end is not chopped mid-way unless it must be.
    """
    if limit < 0:
        raise ValueError("limit must not be negative")
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    if room <= 0:
        return ellipsis[:limit]
    cut = text[:room]
    space = cut.rfind(" ")
    if space >= room * 4 // 5:
        cut = cut[:space]
    return cut.rstrip() + ellipsis
