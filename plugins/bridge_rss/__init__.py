"""RSS/Atom feeds as a bridge source (built-in connector, shaped like a third-party one).

Registered under the ``bridge`` entry-point group as ``rss``; it imports only from ``bridge``,
as any connector would.
"""

from __future__ import annotations

from collections.abc import Callable

from bridge import Source, hookimpl

from .source import RssOptions, RssSource

__all__ = ["RssOptions", "RssSource", "register_sources"]


@hookimpl
def register_sources(register: Callable[[type[Source]], None]) -> None:
    """Offer the ``rss`` source type."""
    register(RssSource)
