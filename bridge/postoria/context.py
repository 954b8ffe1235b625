"""Per-call context: the budget priority and the tags of the requests made in a block.

Both live in :mod:`contextvars`, so ``with client.priority(...)`` and ``with client.tag(...)``
apply to the calls made in that block by the same thread (or asyncio task) and nowhere else.
A new thread starts with no priority and no tags; copy the context to carry them over.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from enum import IntEnum
from types import MappingProxyType
from typing import Any


class Priority(IntEnum):
    """How much a request matters when the budget is short; higher values go first.

    Creating posts comes first (a missed slot is visible to the client's audience), media
    processing next (a post waits on it), status polling after, and optional reads last.
    """

    OPTIONAL = 0
    STATUS = 1
    MEDIA = 2
    CREATE = 3


_priority: ContextVar[Priority | None] = ContextVar("postoria_priority", default=None)
_tags: ContextVar[Mapping[str, Any]] = ContextVar("postoria_tags", default=MappingProxyType({}))


def current_priority(default: Priority) -> Priority:
    """The priority set by the innermost ``priority()`` block, else ``default``."""
    chosen = _priority.get()
    return default if chosen is None else chosen


def current_tags() -> Mapping[str, Any]:
    """The tags of every enclosing ``tag()`` block, inner values winning (read-only)."""
    return _tags.get()


@contextmanager
def priority_block(priority: Priority) -> Iterator[None]:
    """Give every request in the block ``priority``."""
    token = _priority.set(Priority(priority))
    try:
        yield
    finally:
        _priority.reset(token)


@contextmanager
def tag_block(tags: Mapping[str, Any]) -> Iterator[None]:
    """Attach ``tags`` (merged over the enclosing ones) to every request in the block."""
    merged = MappingProxyType({**_tags.get(), **tags})
    token = _tags.set(merged)
    try:
        yield
    finally:
        _tags.reset(token)
