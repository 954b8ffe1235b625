"""``bridge approvals``: list, show, approve and reject publications held for approval."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..clock import SYSTEM_CLOCK
from .options import config_option

if TYPE_CHECKING:
    from ..engine.approvals import Approvals, AwaitingApproval, Decision


def _approvals(config_path: Path) -> Approvals:
    from ..config import load_config
    from ..engine.approvals import Approvals
    from ..store import Database

    config = load_config(config_path)
    return Approvals(Database(config.database.url), config, SYSTEM_CLOCK)


def _default_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "cli"


by_option = click.option(
    "--by", "by", default=_default_name, show_default="your user name", help="Who decides."
)


@click.group("approvals")
def approvals_group() -> None:
    """Publications waiting for someone's approval (routes with approval = true)."""


@approvals_group.command("list")
@config_option
def list_command(config_path: Path) -> None:
    """List the publications waiting for a decision."""
    waiting = _approvals(config_path).pending()
    if not waiting:
        click.echo("nothing is waiting for approval")
    for view in waiting:
        when = view.scheduled_time or view.due_at
        first_line = view.caption.splitlines()[0] if view.caption else ""
        click.echo(
            f"#{view.id}  {view.route}  {', '.join(view.networks)}  "
            f"{when:%Y-%m-%d %H:%M}Z  {view.item_title or first_line}"
            if when
            else f"#{view.id}  {view.route}  {', '.join(view.networks)}  {view.item_title}"
        )


@approvals_group.command("show")
@config_option
@click.argument("publication_id", type=int)
def show_command(config_path: Path, publication_id: int) -> None:
    """Show one publication in full."""
    click.echo(describe(_approvals(config_path).get(publication_id)))


@approvals_group.command("approve")
@config_option
@by_option
@click.argument("publication_ids", type=int, nargs=-1, required=True)
def approve_command(config_path: Path, by: str, publication_ids: tuple[int, ...]) -> None:
    """Approve publications: the publisher sends them at their time (or now, if it passed)."""
    _report(_approvals(config_path).approve(list(publication_ids), by))


@approvals_group.command("reject")
@config_option
@by_option
@click.argument("publication_ids", type=int, nargs=-1, required=True)
def reject_command(config_path: Path, by: str, publication_ids: tuple[int, ...]) -> None:
    """Reject publications: they are cancelled and never sent."""
    _report(_approvals(config_path).reject(list(publication_ids), by))


def _report(decisions: list[Decision]) -> None:
    for decision in decisions:
        click.echo(decision.message, err=not decision.ok)
    failed = [d for d in decisions if not d.ok]
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(decisions)} not done")


def describe(view: AwaitingApproval) -> str:
    """Every detail of one publication, as ``bridge approvals show`` prints it."""
    when = view.scheduled_time or view.due_at
    lines = [
        f"publication #{view.id} on route {view.route}: {view.state}, approval {view.approval}"
        + (f" (by {view.decided_by})" if view.decided_by else ""),
        f"item: {view.item_title}  <{view.item_link or ''}>",
        f"accounts: {', '.join(map(str, view.account_ids))} ({', '.join(view.networks)})",
        f"mode: {view.mode}" + (f", at {when.isoformat()}" if when else ""),
        f"media: {', '.join(view.media) or 'none'}",
        "caption:",
        *(f"  | {line}" for line in view.caption.splitlines()),
    ]
    if view.first_comment:
        lines.append(f"first comment: {view.first_comment}")
    return "\n".join(lines)


COMMANDS = [approvals_group]
