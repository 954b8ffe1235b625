"""Fixtures for plugin tests: only our own entry points, and a throwaway plugin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from throwaway_hooks import ThrowawayPlugin

from bridge import plugins


@pytest.fixture(autouse=True)
def only_our_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load only postoria-bridge's entry points, whatever else is installed."""
    monkeypatch.setenv("BRIDGE_LOAD_PLUGINS", "postoria-bridge")
    monkeypatch.delenv("BRIDGE_DISABLE_PLUGINS", raising=False)
    monkeypatch.delenv("BRIDGE_TRACE_PLUGINS", raising=False)


@pytest.fixture
def throwaway_plugin() -> Iterator[ThrowawayPlugin]:
    """A plugin implementing every hook, registered for one test and unregistered after."""
    plugin = ThrowawayPlugin()
    plugins.pm.register(plugin, name=ThrowawayPlugin.name)
    yield plugin
    plugins.pm.unregister(name=ThrowawayPlugin.name)
