"""``bridge check``: is this configuration right, and what does it point at in Postoria?

Validates the file (schema, source options against their plugins, caption templates), then
resolves every route against the live workspace and prints what each one resolved to. Only
GET requests are made; nothing is created. Exits non-zero with every problem found.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import registry
from ..clock import SYSTEM_CLOCK
from .options import config_option

if TYPE_CHECKING:
    from ..config import BridgeConfig, RouteConfig
    from ..engine.directory import AccountDirectory, RouteTarget


def load_checked_config(config_path: Path) -> BridgeConfig:
    """Load the file and check what needs plugins and the caption engine too."""
    from ..captions import check_caption_templates
    from ..config import load_config, validate_source_options

    config = load_config(config_path)
    validate_source_options(config, registry.source_types())
    check_caption_templates(config)
    return config


def resolved_directory(config: BridgeConfig) -> AccountDirectory:
    """An account directory resolved against Postoria, caching nothing in the store."""
    from ..engine.directory import AccountDirectory, postoria_client

    client = postoria_client(config, SYSTEM_CLOCK)
    directory = AccountDirectory(client, None, SYSTEM_CLOCK)
    try:
        directory.refresh(config)
    except BaseException:
        client.close()
        raise
    return directory


@click.command("check")
@config_option
@click.option("--offline", is_flag=True, help="Check the file only; do not ask Postoria.")
def check_command(config_path: Path, offline: bool) -> None:
    """Validate the configuration and resolve its routes against Postoria."""
    config = load_checked_config(config_path)
    click.echo(f"{config_path}: valid ({len(config.sources)} sources, {len(config.routes)} routes)")
    if offline:
        return
    directory = resolved_directory(config)
    directory.client.close()
    for route in config.routes:
        click.echo(describe_route(route, directory.route_target(route.name)))
    click.echo(f"every route resolved against {config.postoria.base_url}")


def describe_route(route: RouteConfig, target: RouteTarget) -> str:
    """A few lines saying where a route posts, as ``bridge check`` prints it."""
    lines = [
        f"route {route.name}: {route.mode}",
        f"  workspace: {target.workspace_name} (id {target.workspace_id}, {target.timezone})",
        "  accounts: " + ", ".join(f"{a.name} ({a.network}, id {a.id})" for a in target.accounts),
    ]
    if target.queue_id is not None:
        paused = " - PAUSED in Postoria: posts wait there" if target.queue_paused else ""
        lines.append(f"  queue: {target.queue_name} (id {target.queue_id}){paused}")
    if route.slots:
        slots = ", ".join(slot.strftime("%H:%M") for slot in route.sorted_slots)
        lines.append(f"  slots: {slots} ({target.timezone})")
    if route.approval:
        lines.append("  approval: required")
    return "\n".join(lines)


COMMANDS = [check_command]
