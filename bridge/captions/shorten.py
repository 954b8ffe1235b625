"""Shortening text to a length counted the way a network counts.

Cuts fall at a word boundary when there is one, and never inside a grapheme (an accented
letter, a flag, a family emoji), so a shortened caption never shows broken characters.
"""

from __future__ import annotations

import re

import regex

from .networks import caption_length

_GRAPHEME = regex.compile(r"\X")
_TRAILING_PUNCTUATION = " \t\n,;:-–—"
_WHITESPACE = re.compile(r"\s+")
_EXCESS_NEWLINES = re.compile(r"\n{3,}")
_TRAILING_SPACES = re.compile(r"[ \t]+\n")


def tidy_caption(text: str) -> str:
    """Strip a caption and collapse runs of three or more newlines to two.

    Templates written as TOML multi-line strings leave blank lines where an optional part
    rendered empty; collapsing them keeps such captions tidy and makes captions that differ
    only in that whitespace compare equal.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TRAILING_SPACES.sub("\n", text)
    return _EXCESS_NEWLINES.sub("\n\n", text).strip()


def shorten(text: str, limit: int, network: str | None = None, end: str = "…") -> str:
    """``text`` cut to at most ``limit`` as ``network`` counts, ending with ``end`` when cut.

    Prefers the last word boundary that fits; a single word longer than the room is cut at
    a grapheme boundary instead. Returns ``""`` when not even ``end`` fits.
    """
    if limit < 0:
        raise ValueError("limit must not be negative")
    if caption_length(text, network) <= limit:
        return text
    if caption_length(end, network) > limit:
        return ""
    graphemes = _GRAPHEME.findall(text)
    # Binary search the longest prefix (in graphemes) that fits with the ending attached.
    low, high = 0, len(graphemes)
    while low < high:
        middle = (low + high + 1) // 2
        candidate = "".join(graphemes[:middle]).rstrip() + end
        if caption_length(candidate, network) <= limit:
            low = middle
        else:
            high = middle - 1
    prefix = "".join(graphemes[:low])
    at_word = _cut_at_word(prefix, text[len(prefix) : len(prefix) + 1])
    return at_word.rstrip(_TRAILING_PUNCTUATION) + end


def _cut_at_word(prefix: str, next_char: str) -> str:
    if not next_char or next_char.isspace():
        return prefix
    boundary = max(prefix.rfind(" "), prefix.rfind("\n"), prefix.rfind("\t"))
    return prefix[:boundary] if boundary > 0 else prefix
