"""The hooks a bridge plugin can implement.

Implement a hook with ``@bridge.hookimpl`` on a function of the same name in a module that is
registered under the ``bridge`` entry-point group. Each hook is documented in
``docs/plugin-hooks.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    import jinja2

    from .sources import Item, Source

hookspec = pluggy.HookspecMarker("bridge")
hookimpl = pluggy.HookimplMarker("bridge")


@hookspec
def register_sources(register: Callable[[type[Source]], None]) -> None:
    """Register source types by calling ``register(SourceSubclass)`` for each.

    :param register: records a :class:`bridge.Source` subclass under its ``type_name``.
    """


@hookspec
def prepare_caption_environment(env: jinja2.Environment) -> None:
    """Add filters, tests or globals to the sandboxed Jinja2 environment for captions.

    :param env: the caption environment, before any template is compiled.
    """


@hookspec
def enrich_item(item: Item, source_name: str, source_type: str) -> None:
    """Change or extend an item in place after it is fetched and before it is routed.

    :param item: the normalized item; set fields or add to ``item.extra``.
    :param source_name: the configured source name.
    :param source_type: the source's type name (``rss``…).
    """


@hookspec
def publication_finished(publication: dict[str, Any]) -> None:
    """Be told when a publication reaches a final state (posted, partial, failed, …).

    :param publication: a summary: ``id``, ``state``, ``source``, ``route``, ``item_title``,
        ``item_link``, ``post_ids`` and ``results`` (per account: ``account_id``,
        ``network``, ``link``, ``error``). Exceptions raised here are logged and ignored.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``bridge`` CLI.

    :param cli: the top-level click group.
    """
