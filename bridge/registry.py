"""A typed facade over the plugin hooks, so the engine never calls ``pm.hook`` untyped."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

from . import plugins
from .errors import PluginError

if TYPE_CHECKING:
    import click
    import jinja2

    from .sources import Item, Source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin as ``bridge plugins`` lists it."""

    name: str
    version: str | None
    hooks: tuple[str, ...]


def source_types() -> dict[str, type[Source]]:
    """Every registered source type by ``type_name``; a duplicate name is an error."""
    plugins.load()
    found: dict[str, type[Source]] = {}

    def register(cls: type[Source]) -> None:
        name = getattr(cls, "type_name", None)
        if not name:
            raise PluginError(f"{cls.__qualname__} has no type_name")
        if name in found and found[name] is not cls:
            raise PluginError(f"source type {name!r} registered twice")
        found[name] = cls

    plugins.pm.hook.register_sources(register=register)
    return found


def prepare_caption_environment(env: jinja2.Environment) -> None:
    """Let plugins add caption filters."""
    plugins.load()
    plugins.pm.hook.prepare_caption_environment(env=env)


def enrich_item(item: Item, source_name: str, source_type: str) -> None:
    """Let plugins change an item before routing."""
    plugins.load()
    plugins.pm.hook.enrich_item(item=item, source_name=source_name, source_type=source_type)


def publication_finished(summary: dict[str, Any]) -> None:
    """Tell notifier plugins a publication is final; their failures are logged, not raised.

    Each implementation is called on its own so one failing notifier cannot keep the others
    from hearing about the publication.
    """
    plugins.load()
    for impl in plugins.pm.hook.publication_finished.get_hookimpls():
        try:
            impl.function(publication=summary)
        except Exception:
            log.exception("plugin %r failed in publication_finished", impl.plugin_name)


def register_commands(cli: click.Group) -> None:
    """Let plugins add CLI commands."""
    plugins.load()
    plugins.pm.hook.register_commands(cli=cli)


def loaded_plugins() -> list[PluginInfo]:
    """Name, version and implemented hooks of each loaded plugin, sorted by name."""
    plugins.load()
    versions = {
        ep.name: (ep.dist.version if ep.dist else None)
        for ep in metadata.entry_points(group=plugins.GROUP)
    }
    infos = []
    for name, plugin in plugins.pm.list_name_plugin():
        if plugin is None:  # a blocked name: pluggy keeps it registered with no plugin
            continue
        hooks = tuple(sorted(h.name for h in plugins.pm.get_hookcallers(plugin) or []))
        infos.append(PluginInfo(name=name, version=versions.get(name), hooks=hooks))
    return sorted(infos, key=lambda info: info.name)


def load_failures() -> dict[str, str]:
    """Plugins that failed to load, by name, with the reason."""
    plugins.load()
    return dict(plugins.load_failures)
