"""The real entry-point path: distributions on disk, loaded by ``bridge`` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

EXAMPLE_CONNECTOR = '''
"""A tiny third-party connector: one source type and one command."""

import click

from bridge import FetchResult, Item, Source, hookimpl


class GreetingSource(Source):
    type_name = "greeting"

    def fetch(self, cursor):
        return FetchResult(items=[Item(external_id="hello", title="Hello")])


@hookimpl
def register_sources(register):
    register(GreetingSource)


@hookimpl
def register_commands(cli):
    @cli.command(name="greeting-check")
    def greeting_check():
        """Check the greeting connector."""
        click.echo("greeting ok")
'''

BROKEN_CONNECTOR = """
raise RuntimeError("the broken connector cannot start")
"""


def install(site: Path, distribution: str, entry_point: str, module: str, code: str) -> None:
    """Put a module and its ``*.dist-info`` (METADATA, entry_points.txt) into ``site``."""
    (site / f"{module}.py").write_text(textwrap.dedent(code), encoding="utf-8")
    info = site / f"{distribution.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.2.3\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[bridge]\n{entry_point} = {module}\n", encoding="utf-8"
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A directory holding the example connector and a broken one, as installed."""
    install(tmp_path, "bridge-greeting", "greeting", "bridge_greeting", EXAMPLE_CONNECTOR)
    install(tmp_path, "bridge-broken", "broken", "bridge_broken", BROKEN_CONNECTOR)
    return tmp_path


def bridge(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the ``bridge`` CLI in a fresh interpreter with ``site`` on its path."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(site), *filter(None, [environment.get("PYTHONPATH")])]
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "from bridge.cli import main; main()", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def listing(site: Path, **env: str) -> dict[str, Any]:
    result = bridge(site, "plugins", "--json", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def names(payload: dict[str, Any]) -> set[str]:
    return {plugin["name"] for plugin in payload["plugins"]}


def test_installed_connector_is_loaded_and_a_broken_one_reported(site: Path) -> None:
    payload = listing(site)
    assert {"rss", "greeting"} <= names(payload)
    [greeting] = [p for p in payload["plugins"] if p["name"] == "greeting"]
    assert greeting == {
        "name": "greeting",
        "version": "1.2.3",
        "hooks": ["register_commands", "register_sources"],
    }
    assert {"rss", "greeting"} <= set(payload["source_types"])
    assert payload["failed"] == {"broken": "RuntimeError: the broken connector cannot start"}


def test_broken_connector_is_named_in_the_table(site: Path) -> None:
    result = bridge(site, "plugins")
    assert result.returncode == 0
    assert "FAILED broken: RuntimeError: the broken connector cannot start" in result.stderr
    assert "source types: greeting, rss" in result.stdout


def test_connector_command_is_in_bridge_help(site: Path) -> None:
    result = bridge(site, "--help")
    assert result.returncode == 0
    assert "greeting-check" in result.stdout
    assert bridge(site, "greeting-check").stdout == "greeting ok\n"


def test_disable_plugins_switches_the_builtin_off(site: Path) -> None:
    payload = listing(site, BRIDGE_DISABLE_PLUGINS="rss,broken")
    assert payload["source_types"] == ["greeting"]
    assert payload["failed"] == {}
    hooks = {plugin["name"]: plugin["hooks"] for plugin in payload["plugins"]}
    assert hooks.get("rss", []) == []
    assert hooks["greeting"] == ["register_commands", "register_sources"]


def test_disabled_plugins_are_not_listed(site: Path) -> None:
    payload = listing(site, BRIDGE_DISABLE_PLUGINS="rss,broken")
    assert names(payload) == {"greeting"}


def test_load_plugins_loads_only_the_named_distribution(site: Path) -> None:
    payload = listing(site, BRIDGE_LOAD_PLUGINS="postoria-bridge")
    assert names(payload) == {"rss"}
    assert payload["source_types"] == ["rss"]
    assert payload["failed"] == {}
