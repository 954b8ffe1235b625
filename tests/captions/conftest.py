"""Fixtures for caption tests: a renderer without plugins, and a route builder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bridge.captions import CaptionRenderer, create_environment
from bridge.config import RouteConfig


@pytest.fixture
def renderer() -> CaptionRenderer:
    """A renderer on a fresh environment with only the bridge's own filters."""
    return CaptionRenderer(create_environment(plugins=False))


@pytest.fixture
def make_route() -> Callable[..., RouteConfig]:
    """Build a publish_now route with the given template and other keys."""

    def build(template: str = "{{ title }}", **keys: Any) -> RouteConfig:
        values: dict[str, Any] = {
            "name": "news",
            "sources": ["blog"],
            "workspace": "Acme",
            "accounts": ["network:linkedin"],
            "mode": "publish_now",
            "template": template,
        }
        values.update(keys)
        return RouteConfig.model_validate(values)

    return build
