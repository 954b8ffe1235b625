"""Turning categories and tags into hashtags networks accept and people can read.

``"web development"`` becomes ``#WebDevelopment`` (camel case keeps it readable and screen
readers read the words), ``"Café"`` becomes ``#Cafe``, ``"C++"`` becomes ``#C``. Tags that
are only digits are dropped (networks do not link them), as are tags over
:data:`MAX_HASHTAG_LENGTH` characters and repeats that differ only in case.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import regex

MAX_HASHTAG_LENGTH = 30
_WORD_SEPARATORS = regex.compile(r"[^\p{L}\p{N}]+")


def fold_accents(text: str) -> str:
    """Latin letters without their accents (``é`` → ``e``); other scripts untouched.

    Only Latin is folded: the marks of other scripts change the letter (Japanese ピ is not
    ヒ), while an accent-free Latin hashtag is what people type and search for.
    """
    folded = []
    for char in unicodedata.normalize("NFC", text):
        base = unicodedata.normalize("NFD", char)
        if len(base) > 1 and _is_latin(base[0]):
            char = "".join(mark for mark in base if not unicodedata.combining(mark))
        folded.append(char)
    return "".join(folded)


def _is_latin(char: str) -> bool:
    code_point = ord(char)
    return code_point < 0x0250 or 0x1E00 <= code_point <= 0x1EFF


def hashtag_body(tag: str) -> str:
    """The hashtag text for one tag, without the ``#``; ``""`` when nothing usable is left."""
    folded = fold_accents(tag)
    words = [word for word in _WORD_SEPARATORS.split(folded) if word]
    if len(words) > 1:
        words = [word[0].upper() + word[1:] for word in words]
    body = "".join(words)
    if not body or body.isdigit() or len(body) > MAX_HASHTAG_LENGTH:
        return ""
    return body


def hashtags(tags: Iterable[str] | str | None, limit: int | None = None, prefix: str = "#") -> str:
    """Hashtags for ``tags``, space-separated, first ``limit`` usable ones in order."""
    if tags is None:
        return ""
    if isinstance(tags, str):
        tags = [tags]
    found: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        body = hashtag_body(str(tag))
        if not body or body.casefold() in seen:
            continue
        seen.add(body.casefold())
        found.append(prefix + body)
        if limit is not None and len(found) >= limit:
            break
    return " ".join(found)
