"""A plugin implementing every hook, recording what it was given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import click
import jinja2

from bridge import FetchResult, Item, Source, SourceOptions, hookimpl


class EchoOptions(SourceOptions):
    """Options of the throwaway source: the titles to echo."""

    titles: list[str] = []


class EchoSource(Source):
    """Returns one item per configured title."""

    type_name: ClassVar[str] = "echo"
    Options: ClassVar[type[SourceOptions]] = EchoOptions
    options: EchoOptions

    def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        items = [Item(external_id=title, title=title) for title in self.options.titles]
        return FetchResult(items=items, cursor={"seen": len(items)})


class ThrowawayPlugin:
    """Registered by the ``throwaway_plugin`` fixture; every hook leaves a trace."""

    name = "throwaway"

    def __init__(self) -> None:
        self.finished: list[dict[str, Any]] = []
        self.enriched: list[tuple[str, str, str]] = []

    @hookimpl
    def register_sources(self, register: Callable[[type[Source]], None]) -> None:
        register(EchoSource)

    @hookimpl
    def prepare_caption_environment(self, env: jinja2.Environment) -> None:
        env.filters["shout"] = lambda text: str(text).upper() + "!"

    @hookimpl
    def enrich_item(self, item: Item, source_name: str, source_type: str) -> None:
        self.enriched.append((item.external_id, source_name, source_type))
        item.extra["enriched_by"] = self.name
        item.categories.append("Throwaway")

    @hookimpl
    def publication_finished(self, publication: dict[str, Any]) -> None:
        self.finished.append(publication)

    @hookimpl
    def register_commands(self, cli: click.Group) -> None:
        @cli.command(name="throwaway-hello")
        @click.argument("who", default="world")
        def hello(who: str) -> None:
            """Say hello from the throwaway plugin."""
            click.echo(f"hello {who}")
