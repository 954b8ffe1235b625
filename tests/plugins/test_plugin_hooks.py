"""Each hook, exercised through ``bridge.registry`` with the throwaway plugin registered."""

from __future__ import annotations

import logging
from typing import Any

import click
import pytest
from bridge_rss import RssSource
from click.testing import CliRunner
from jinja2.sandbox import SandboxedEnvironment
from throwaway_hooks import EchoSource, ThrowawayPlugin

from bridge import Item, SourceContext, hookimpl, plugins, registry
from bridge.errors import PluginError


def test_hook_register_sources(throwaway_plugin: ThrowawayPlugin) -> None:
    types = registry.source_types()
    assert types["echo"] is EchoSource
    assert types["rss"] is RssSource
    source = types["echo"](EchoSource.Options(titles=["a", "b"]), SourceContext(name="echoes"))
    assert [item.title for item in source.fetch({}).items] == ["a", "b"]


def test_register_sources_rejects_a_second_class_under_one_name(
    throwaway_plugin: ThrowawayPlugin,
) -> None:
    class Impostor(EchoSource):
        pass

    class Duplicate:
        @hookimpl
        def register_sources(self, register: Any) -> None:
            register(Impostor)

    plugins.pm.register(Duplicate(), name="duplicate")
    try:
        with pytest.raises(PluginError, match="source type 'echo' registered twice"):
            registry.source_types()
    finally:
        plugins.pm.unregister(name="duplicate")


def test_hook_prepare_caption_environment(throwaway_plugin: ThrowawayPlugin) -> None:
    env = SandboxedEnvironment()
    registry.prepare_caption_environment(env)
    assert env.from_string("{{ title | shout }}").render(title="launch") == "LAUNCH!"


def test_hook_enrich_item(throwaway_plugin: ThrowawayPlugin) -> None:
    item = Item(external_id="post-1", title="Post", categories=["News"])
    registry.enrich_item(item, "acme-blog", "rss")
    assert throwaway_plugin.enriched == [("post-1", "acme-blog", "rss")]
    assert item.extra["enriched_by"] == "throwaway"
    assert item.categories == ["News", "Throwaway"]


def test_hook_publication_finished(
    throwaway_plugin: ThrowawayPlugin, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        @hookimpl
        def publication_finished(self, publication: dict[str, Any]) -> None:
            raise RuntimeError("notifier down")

    summary = {"id": 7, "state": "posted", "source": "acme-blog", "results": []}
    plugins.pm.register(Broken(), name="broken-notifier")
    try:
        with caplog.at_level(logging.ERROR, logger="bridge.registry"):
            registry.publication_finished(summary)
    finally:
        plugins.pm.unregister(name="broken-notifier")
    assert throwaway_plugin.finished == [summary]
    assert "plugin 'broken-notifier' failed in publication_finished" in caplog.text


def test_hook_register_commands(throwaway_plugin: ThrowawayPlugin) -> None:
    @click.group()
    def fresh_cli() -> None:
        """A freshly built top-level group."""

    registry.register_commands(fresh_cli)
    runner = CliRunner()
    help_result = runner.invoke(fresh_cli, ["--help"])
    assert help_result.exit_code == 0
    assert "throwaway-hello" in help_result.output
    assert "Say hello from the throwaway plugin." in help_result.output
    result = runner.invoke(fresh_cli, ["throwaway-hello", "acme"])
    assert result.exit_code == 0, result.output
    assert result.output == "hello acme\n"


def test_throwaway_plugin_is_gone_after_its_test() -> None:
    assert plugins.pm.get_plugin(ThrowawayPlugin.name) is None
    assert "echo" not in registry.source_types()


def test_loaded_plugins_lists_the_builtin_with_version_and_hooks() -> None:
    [rss] = [info for info in registry.loaded_plugins() if info.name == "rss"]
    assert rss.version is not None
    assert rss.hooks == ("register_sources",)
