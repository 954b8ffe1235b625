"""Plain text from HTML, and small text helpers shared by connectors and captions.

Feeds and CMSs hand us HTML; social networks want plain text. :func:`html_to_text` turns one
into the other the way a reader would see it: paragraphs and list items on their own lines,
entities decoded, scripts and styles gone, links reduced to their text. It is built on the
standard library's :class:`html.parser.HTMLParser`, which is forgiving about broken markup
and fast enough to run on every item of every feed.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

BLOCK_ELEMENTS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "dialog", "div", "dl",
        "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
"""Elements that start on a new line when rendered."""

DROPPED_ELEMENTS = frozenset({"script", "style", "template", "noscript", "head", "title"})
"""Elements whose content is never shown to a reader."""

_PARAGRAPH_ELEMENTS = frozenset(
    {
        "p",
        "blockquote",
        "pre",
        "table",
        "ul",
        "ol",
        "dl",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    }
)
_CELLS = frozenset({"td", "th"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_SPACE_AROUND_NEWLINE = re.compile(r" *\n *")
_BLANK_LINES = re.compile(r"\n{3,}")
_ANY_WHITESPACE = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    """Collects text, turning block structure into line breaks.

    A block boundary only records how many line breaks it wants (one, or two for a
    paragraph); they are written when the next text arrives. So nested and adjacent blocks
    give one break rather than a pile of blank lines, and no break leads the result. Pieces
    are joined once at the end, which keeps the parser linear on long articles.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._pending_breaks = 0
        self._dropped_depth = 0
        self._pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_ELEMENTS:
            self._dropped_depth += 1
        elif tag == "br":
            self._pending_breaks = min(self._pending_breaks + 1, 2)
        elif tag in BLOCK_ELEMENTS:
            self._break(tag)
            if tag == "pre":
                self._pre_depth += 1
            elif tag == "li":
                self._write("- ")
        elif tag in _CELLS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <hr/>, <p/>: a self-closing tag opens and closes at once.
        if tag == "br":
            self._pending_breaks = min(self._pending_breaks + 1, 2)
        elif tag in BLOCK_ELEMENTS:
            self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_ELEMENTS:
            self._dropped_depth = max(0, self._dropped_depth - 1)
        elif tag in BLOCK_ELEMENTS:
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
            self._break(tag)

    def handle_data(self, data: str) -> None:
        if self._dropped_depth:
            return
        if self._pre_depth:
            # Preformatted text keeps its line breaks: "\x00" survives the space collapsing.
            self._write(data.replace("\r\n", "\n").replace("\n", "\x00"))
        elif data.isspace():
            self.parts.append(" ")
        else:
            self._write(_ANY_WHITESPACE.sub(" ", data))

    def _write(self, text: str) -> None:
        if self._pending_breaks:
            if self.parts:
                self.parts.append("\n" * self._pending_breaks)
            self._pending_breaks = 0
        self.parts.append(text)

    def _break(self, tag: str) -> None:
        wanted = 2 if tag in _PARAGRAPH_ELEMENTS else 1
        self._pending_breaks = max(self._pending_breaks, wanted)


def html_to_text(html: str) -> str:
    """The text a reader sees in ``html``, with block elements as line breaks.

    Paragraphs, headings and lists are separated by a blank line, ``<br>`` and other block
    elements by a line break, list items start with ``- ``. Entities are decoded, ``<script>``
    and ``<style>`` contents dropped, runs of spaces collapsed and the result stripped.
    Text without markup only has its whitespace collapsed.
    """
    if not html:
        return ""
    if "\x00" in html:
        html = html.replace("\x00", "")
    if "<" not in html:
        # Plain text (or text with entities only): no block structure to keep.
        return collapse_whitespace(unescape(html) if "&" in html else html)
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return _tidy_lines("".join(extractor.parts))


def _tidy_lines(text: str) -> str:
    text = _SPACES.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.replace("\x00", "\n").strip()


def collapse_whitespace(text: str) -> str:
    """``text`` on one line: every run of whitespace (newlines too) becomes one space."""
    return _ANY_WHITESPACE.sub(" ", text).strip()


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
