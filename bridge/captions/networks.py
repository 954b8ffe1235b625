"""Caption length limits per network, counted the way each network counts.

The numbers are the networks' own caption limits (YouTube: the description). Networks count
differently, and a caption that fits by ``len()`` can still be refused:

- **x** weighs text like twitter-text (config v3): every URL counts as 23; code points in
  U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1, all others (CJK,
  most symbols) weigh 2; an emoji, even a sequence joined with ZWJ, weighs 2 in total.
  URLs are recognised by ``http(s)://`` or ``www.``; a bare domain counts as text, which
  only ever overestimates (a domain is rarely longer than 23).
- **bluesky** counts graphemes (what a reader sees as one character).
- every other network, known or not, counts Unicode code points. A network missing from
  :data:`LIMITS` has no limit: Postoria's network list is open, and refusing a caption for a
  network we know nothing about would be worse than letting Postoria judge it.
"""

from __future__ import annotations

import unicodedata

import regex

LIMITS: dict[str, int] = {
    "x": 280,
    "bluesky": 300,
    "threads": 500,
    "instagram": 2200,
    "tiktok": 2200,
    "linkedin": 3000,
    "facebook": 63206,
    "pinterest": 500,
    "youtube": 5000,
    "google_business_profile": 1500,
    "telegram": 4096,
    "reddit": 40000,
    "tumblr": 4096,
}

KNOWN_NETWORKS: frozenset[str] = frozenset(LIMITS)
"""The networks Postoria documents; others may appear (the set is open)."""

X_URL_LENGTH = 23
"""What X counts for any URL, whatever its real length (t.co wrapping)."""

_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

# Scheme URLs and www. hosts, minus trailing punctuation that ends a sentence, as twitter-text
# does when it extracts links from prose.
_URL = regex.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"]+?(?=[.,:;!?'\")\]]*(?:\s|$))")
_GRAPHEME = regex.compile(r"\X")
_EMOJI = regex.compile(
    r"\p{Extended_Pictographic}|\p{Regional_Indicator}|[\u20e3\ufe0f]",
)


def limit_for(network: str) -> int | None:
    """The caption limit of ``network``, or ``None`` when it has none we know of."""
    return LIMITS.get(network)


def caption_length(text: str, network: str | None) -> int:
    """The length of ``text`` as ``network`` counts it (code points when unknown or ``None``)."""
    if network == "x":
        return x_weighted_length(text)
    if network == "bluesky":
        return grapheme_length(text)
    return len(text)


def grapheme_length(text: str) -> int:
    """The number of user-perceived characters (extended grapheme clusters)."""
    return len(_GRAPHEME.findall(text))


def x_weighted_length(text: str) -> int:
    """The twitter-text weighted length of ``text`` (after NFC normalization, as X does)."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for match in _URL.finditer(text):
        total += _x_text_weight(text[position : match.start()]) + X_URL_LENGTH
        position = match.end()
    return total + _x_text_weight(text[position:])


def _x_text_weight(text: str) -> int:
    total = 0
    for grapheme in _GRAPHEME.findall(text):
        if _is_emoji(grapheme):
            total += 2
        else:
            total += sum(_x_code_point_weight(ord(char)) for char in grapheme)
    return total


def _is_emoji(grapheme: str) -> bool:
    # Plain ©, ® and ™ are text unless followed by the emoji presentation selector.
    if len(grapheme) == 1 and ord(grapheme) < 0x2100:
        return False
    return bool(_EMOJI.search(grapheme))


def _x_code_point_weight(code_point: int) -> int:
    for start, end in _X_LIGHT_RANGES:
        if start <= code_point <= end:
            return 1
    return 2
