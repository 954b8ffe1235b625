"""``bridge sync --once``: one full cycle, waiting for Postoria's results, then a summary.

For cron jobs, CI and first tries of a new config: fetch every source, route, publish, wait
(up to ``--timeout``) until every post has its final per-account results, print what happened
and exit 0 only if nothing failed and nothing was left waiting.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..clock import isoformat_z
from ..config.durations import format_duration, parse_duration
from .options import config_option

if TYPE_CHECKING:
    from ..engine.engine import Engine
    from ..engine.ingest import FetchSummary
    from ..engine.summary import RunSummary

log = logging.getLogger(__name__)


class DurationParam(click.ParamType):
    """A duration written like the config file's: ``90s``, ``10m``, ``1h30m``."""

    name = "duration"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> timedelta:
        """Parse the text, or fail with the parser's explanation."""
        if isinstance(value, timedelta):
            return value
        try:
            return parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@click.command("sync")
@config_option
@click.option("--once", is_flag=True, help="Run one cycle and exit (required).")
@click.option(
    "--timeout",
    type=DurationParam(),
    default="10m",
    show_default=True,
    help="How long to wait for Postoria's final results.",
)
def sync_command(config_path: Path, once: bool, timeout: timedelta) -> None:
    """Fetch the sources that are due, publish what is new, wait for results, print a summary.

    Exits 1 when a post failed on any account, a source could not be read, or results were
    still missing at the timeout.
    """
    if not once:
        raise click.UsageError("bridge sync needs --once (use `bridge run` to keep running)")
    from ..config import load_config
    from ..engine.engine import Engine

    config = load_config(config_path)
    with Engine.from_config(config) as engine:
        summary, fetches = sync_once(engine, timeout)
        waiting = engine.next_fetches()
    for fetch in fetches:
        click.echo(describe_fetch(fetch), err=fetch.outcome == "error")
    fetched = {fetch.source for fetch in fetches}
    for name, when in sorted(waiting.items()):
        if name not in fetched and when is not None:
            click.echo(f"{name}: not due yet (next fetch at {isoformat_z(when)})")
    from ..engine.summary import render_summary

    click.echo(render_summary(summary))
    broken = [fetch for fetch in fetches if fetch.outcome == "error"]
    if not summary.ok or broken:
        raise SystemExit(1)


def sync_once(engine: Engine, timeout: timedelta) -> tuple[RunSummary, list[FetchSummary]]:
    """One cycle plus the wait; returns the summary of every publication it touched.

    Publications left unfinished by an earlier run are finished and reported too, since the
    cycle's publishing step works on them as well; so are the ones routing skipped, with why.
    """
    from ..engine.summary import collect_summary

    engine.prepare()
    leftovers = engine.outstanding()
    used_before = engine.client.ledger.total(budget_only=True)
    started = engine.clock.now()
    report = engine.run_cycle()
    watched = sorted({*leftovers, *report.new_publications})
    finished = engine.wait_until_final(timeout, watched)
    summary = collect_summary(
        engine.db,
        {*watched, *engine.created_since(started)},
        requests_used=engine.client.ledger.total(budget_only=True) - used_before,
        budget_left=engine.client.limiter.remaining(),
        budget_capacity=engine.client.budget.capacity,
        timed_out=not finished,
    )
    if not finished:
        log.warning("results still missing after %s", format_duration(timeout))
    return summary, report.fetches


def describe_fetch(fetch: FetchSummary) -> str:
    """One line about a fetch: ``acme-blog: 6 items, 6 new`` or the error."""
    if fetch.outcome == "error":
        return f"{fetch.source}: could not be read: {fetch.error}"
    if fetch.outcome == "disabled":
        return f"{fetch.source}: disabled ({fetch.error})"
    if fetch.outcome == "not_modified":
        return f"{fetch.source}: not modified"
    text = f"{fetch.source}: {fetch.items_seen} items, {fetch.items_new} new"
    if fetch.problems:
        text += f", {len(fetch.problems)} problem{'s' if len(fetch.problems) != 1 else ''}"
    return text


COMMANDS = [sync_command]
