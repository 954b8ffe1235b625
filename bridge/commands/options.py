"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path

import click

from ..config.loader import DEFAULT_CONFIG_NAME

config_option = click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG_NAME,
    show_default=True,
    envvar="BRIDGE_CONFIG",
    help="The configuration file (or set BRIDGE_CONFIG).",
)
