"""``bridge plugins``: what is loaded, and what failed to load."""

from __future__ import annotations

import json

import click

from .. import registry


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def plugins_command(as_json: bool) -> None:
    """List loaded plugins with their versions and hooks, and any that failed to load."""
    infos = registry.loaded_plugins()
    failures = registry.load_failures()
    types = registry.source_types()
    if as_json:
        payload = {
            "plugins": [
                {"name": i.name, "version": i.version, "hooks": list(i.hooks)} for i in infos
            ],
            "source_types": sorted(types),
            "failed": failures,
        }
        click.echo(json.dumps(payload, indent=2))
        return
    for info in infos:
        click.echo(
            f"{info.name} {info.version or ''}".rstrip() + f"  hooks: {', '.join(info.hooks)}"
        )
    click.echo(f"source types: {', '.join(sorted(types)) or '(none)'}")
    for name, reason in sorted(failures.items()):
        click.echo(f"FAILED {name}: {reason}", err=True)


COMMANDS = [plugins_command]
