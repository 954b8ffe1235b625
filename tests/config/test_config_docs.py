"""The configuration docs and example stay true to the code."""

from __future__ import annotations

from pathlib import Path

from bridge.config import load_config
from bridge.config.settings import SETTINGS, settings_markdown

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "configuration.md"
EXAMPLE = ROOT / "config" / "example.toml"
START, END = "<!-- settings:start -->\n", "<!-- settings:end -->"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text()
    missing = [setting.name for setting in SETTINGS if f"`{setting.name}`" not in text]
    assert missing == []


def test_reference_table_matches_the_models() -> None:
    text = DOCS.read_text()
    table = text[text.index(START) + len(START) : text.index(END)]
    assert table == settings_markdown(), (
        "docs/configuration.md is stale: paste bridge.config.settings.settings_markdown() "
        "between the settings markers"
    )


def test_every_setting_has_help() -> None:
    assert [setting.name for setting in SETTINGS if not setting.help] == []


def test_example_config_loads() -> None:
    environ = {
        "POSTORIA_API_KEY": "pst_test_dummy",
        "BRIDGE_DASHBOARD_PASSWORD": "dummy-password",
        "ACME_WP_APP_PASSWORD": "dummy app password",
    }
    config = load_config(EXAMPLE, environ=environ)
    assert [source.name for source in config.sources] == ["acme-blog", "acme-site", "acme-assets"]
    assert [route.name for route in config.routes] == ["acme-news", "acme-assets-to-instagram"]
    assert config.routes[0].templates.keys() == {"x", "bluesky"}
    assert config.database.url == "sqlite:////var/lib/postoria-bridge/bridge.db"
