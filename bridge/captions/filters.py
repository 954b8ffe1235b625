"""The filters caption templates can use, registered on the caption environment.

``plain``, ``hashtags``, ``utm``, ``truncate`` and ``fit``; each is documented in
``docs/configuration.md``. ``truncate`` replaces Jinja's own, because ours counts the way the
caption's network counts and cuts at a word boundary with ``…``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jinja2
from jinja2 import pass_context
from jinja2.runtime import Context

from ..text import html_to_text
from . import fitting
from .hashtags import hashtags as _hashtags
from .links import add_utm
from .shorten import shorten


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def plain(value: Any) -> str:
    """HTML to the plain text a reader sees, paragraphs kept as lines."""
    return html_to_text(_text(value))


def hashtags(values: Iterable[str] | str | None, max: int | None = None, prefix: str = "#") -> str:
    """Categories or tags as hashtags (``max`` of them), see :mod:`bridge.captions.hashtags`."""
    return _hashtags(values, limit=max, prefix=prefix)


def utm(
    url: Any,
    source: str | None = None,
    medium: str | None = None,
    campaign: str | None = None,
    term: str | None = None,
    content: str | None = None,
) -> str:
    """``url`` with UTM parameters added; the link's own parameters and fragment are kept."""
    return add_utm(
        _text(url), source=source, medium=medium, campaign=campaign, term=term, content=content
    )


@pass_context
def truncate(context: Context, value: Any, n: int = 255, end: str = "…") -> str:
    """Cut to ``n`` at a word boundary, counting as the template's network counts."""
    return shorten(_text(value), n, context.get("network"), end)


def fit(value: Any, end: str = "…") -> str:
    """Let this part shrink so the whole caption fits its network's limit."""
    return fitting.mark(_text(value), end)


FILTERS = {
    "fit": fit,
    "hashtags": hashtags,
    "plain": plain,
    "truncate": truncate,
    "utm": utm,
}


def register_filters(env: jinja2.Environment) -> None:
    """Add the caption filters to ``env``."""
    env.filters.update(FILTERS)
