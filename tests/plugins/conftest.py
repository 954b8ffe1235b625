"""Fixtures for plugin tests (tests/conftest.py already loads only our own entry points)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from throwaway_hooks import ThrowawayPlugin

from bridge import plugins


@pytest.fixture
def throwaway_plugin() -> Iterator[ThrowawayPlugin]:
    """A plugin implementing every hook, registered for one test and unregistered after."""
    plugin = ThrowawayPlugin()
    plugins.pm.register(plugin, name=ThrowawayPlugin.name)
    yield plugin
    plugins.pm.unregister(name=ThrowawayPlugin.name)
