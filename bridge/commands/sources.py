"""``bridge sources``: each source's polling state, and re-enabling one a 410 switched off."""

from __future__ import annotations

from pathlib import Path

import click
from sqlmodel import select

from ..clock import SYSTEM_CLOCK, isoformat_z
from .options import config_option


@click.group("sources")
def sources_group() -> None:
    """The configured sources as the bridge last polled them."""


@sources_group.command("list")
@config_option
def list_command(config_path: Path) -> None:
    """Each source: enabled or why not, last success, next poll, last error."""
    from ..config import load_config
    from ..store import Database, SourceRecord

    config = load_config(config_path)
    database = Database(config.database.url)
    with database.session() as session:
        stored = {r.name: r for r in session.exec(select(SourceRecord)).all()}
    for source in config.sources:
        record = stored.get(source.name)
        if record is None:
            click.echo(f"{source.name}  ({source.type})  never polled")
            continue
        if not source.enabled:
            state = "disabled in the configuration"
        elif not record.enabled:
            state = f"disabled: {record.disabled_reason}"
        else:
            state = "enabled"
        when = isoformat_z(record.last_success_at) if record.last_success_at else "never"
        upcoming = isoformat_z(record.next_fetch_at) if record.next_fetch_at else "-"
        click.echo(f"{source.name}  ({source.type})  {state}; last success {when}, next {upcoming}")
        if record.last_error:
            click.echo(
                f"    last error ({record.consecutive_failures} in a row): {record.last_error}"
            )
    database.dispose()


@sources_group.command("enable")
@click.argument("names", nargs=-1, required=True)
@config_option
def enable_command(names: tuple[str, ...], config_path: Path) -> None:
    """Re-enable sources their plugin switched off (such as a feed that answered 410 Gone)."""
    from .. import registry
    from ..config import load_config
    from ..engine.ingest import Ingestor
    from ..store import Database

    config = load_config(config_path)
    database = Database(config.database.url)
    ingestor = Ingestor(database, config, registry.source_types(), SYSTEM_CLOCK)
    try:
        for name in names:
            ingestor.enable(name)
            click.echo(f"{name}: enabled, due for a fetch now")
    finally:
        ingestor.close()
        database.dispose()


COMMANDS = [sources_group]
