"""``bridge demo``: see the bridge work end to end on this machine, without any account."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("demo")
@click.option(
    "--keep-running", is_flag=True, help="Keep the bridge and local servers up until Ctrl-C."
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the demo's config and database (default: a new temporary folder).",
)
def demo_command(keep_running: bool, directory: Path | None) -> None:
    """Post a sample blog to a local Postoria sandbox and show what went where.

    Starts a Postoria sandbox and a feed server on 127.0.0.1, writes a configuration for
    them, runs the real sync engine until every post has its result, and prints the links.
    Nothing leaves this machine.
    """
    from ..demo.runner import run_demo

    status = run_demo(click.echo, keep_running=keep_running, directory=directory)
    if status:
        raise SystemExit(status)


COMMANDS = [demo_command]
