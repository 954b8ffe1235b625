"""Fixtures for configuration tests: a minimal valid config and a parser with a clean env."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from bridge.config import BridgeConfig, parse_config

MINIMAL = """\
[postoria]
api_key = "pst_test_key"

[[sources]]
name = "blog"
type = "rss"
url = "https://blog.example/feed"

[[routes]]
name = "news"
sources = ["blog"]
workspace = "Acme"
accounts = ["network:linkedin"]
mode = "publish_now"
template = "{{ title }} {{ link }}"
"""


@pytest.fixture
def minimal() -> str:
    """The smallest valid config text: one source, one route."""
    return MINIMAL


@pytest.fixture
def parse(tmp_path: Path) -> Callable[..., BridgeConfig]:
    """Parse config text as if read from ``tmp_path/bridge.toml``, with an empty environment."""

    def parse_text(text: str, environ: Mapping[str, str] | None = None) -> BridgeConfig:
        return parse_config(text, path=str(tmp_path / "bridge.toml"), environ=environ or {})

    return parse_text
