"""The ``bridge`` command line: a click group, one module per verb under ``bridge/commands``.

Each module in ``bridge.commands`` exposes ``COMMANDS``, a list of click commands, so commands
stay thin and live beside nothing else. Every :class:`bridge.errors.BridgeError` becomes a
one-line ``Error: …`` and exit status 1 here, in one place.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from typing import Any

import click

from . import commands as commands_package
from . import registry
from .errors import BridgeError


class BridgeGroup(click.Group):
    """A group that turns bridge errors into clean CLI errors."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, translating :class:`BridgeError` to :class:`click.ClickException`."""
        try:
            return super().invoke(ctx)
        except BridgeError as exc:
            raise click.ClickException(f"{exc.title}: {exc}") from exc


@click.group(cls=BridgeGroup)
@click.version_option(package_name="postoria-bridge")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
def cli(verbose: int) -> None:
    """postoria-bridge: publish sources to social media through Postoria."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _add_builtin_commands(group: click.Group) -> None:
    for module_info in sorted(
        pkgutil.iter_modules(commands_package.__path__), key=lambda m: m.name
    ):
        module = importlib.import_module(f"{commands_package.__name__}.{module_info.name}")
        for command in getattr(module, "COMMANDS", []):
            group.add_command(command)


_add_builtin_commands(cli)
registry.register_commands(cli)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="bridge")
