"""The ``fit`` filter: a part of a caption that gives way so the whole caption fits.

Rendering happens in two steps. While the template renders, ``{{ summary | plain | fit }}``
outputs a placeholder and records the text. Then :func:`fill` measures the caption without
the fitted parts (counting as the network counts), shares what is left of the limit among
them equally, and puts each part back shortened at a word boundary to its share. A caption
whose fixed parts alone are too long stays too long, and the caller reports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from .networks import caption_length, limit_for
from .shorten import shorten, tidy_caption

# Private-use characters never occur in item text, so a placeholder cannot collide with it.
_OPEN, _CLOSE = "\ue000", "\ue001"


@dataclass
class FitParts:
    """The parts marked with ``fit`` during one render, in order."""

    network: str | None
    parts: list[tuple[str, str]] = field(default_factory=list)  # (text, ending)

    def add(self, text: str, end: str) -> str:
        """Record ``text`` and return the placeholder that stands for it."""
        self.parts.append((text, end))
        return f"{_OPEN}{len(self.parts) - 1}{_CLOSE}"


_current: ContextVar[FitParts | None] = ContextVar("caption_fit_parts", default=None)


@contextmanager
def collecting(network: str | None) -> Iterator[FitParts]:
    """Collect ``fit`` parts for one render on ``network``."""
    parts = FitParts(network)
    token = _current.set(parts)
    try:
        yield parts
    finally:
        _current.reset(token)


def mark(text: str, end: str = "…") -> str:
    """The ``fit`` filter: a placeholder while collecting, else the text unchanged."""
    parts = _current.get()
    if parts is None:
        return text
    return parts.add(text, end)


def fill(rendered: str, parts: FitParts) -> str:
    """Replace the placeholders in ``rendered`` with their parts, shortened to fit."""
    if not parts.parts:
        return rendered
    limit = limit_for(parts.network) if parts.network else None
    texts = [text for text, _ in parts.parts]
    if limit is not None:
        fixed = caption_length(
            tidy_caption(_substitute(rendered, [""] * len(texts))), parts.network
        )
        texts = _shrink(rendered, parts, max(0, limit - fixed), limit)
    return _substitute(rendered, texts)


def _shrink(rendered: str, parts: FitParts, room: int, limit: int) -> list[str]:
    """Share ``room`` among the parts; tighten when joining them adds length (URLs on X)."""
    share = room // len(parts.parts)
    for _ in range(8):
        texts = [shorten(text, share, parts.network, end) for text, end in parts.parts]
        total = caption_length(tidy_caption(_substitute(rendered, texts)), parts.network)
        if total <= limit or share == 0:
            return texts
        share = max(0, share - (total - limit))
    return texts


def _substitute(rendered: str, texts: list[str]) -> str:
    for index, text in enumerate(texts):
        rendered = rendered.replace(f"{_OPEN}{index}{_CLOSE}", text)
    return rendered
