"""``bridge preview``: what would be posted for each source's current items, creating nothing.

Reads the sources (without saving cursors or items), resolves routes with GET requests only,
and prints per route and account the caption with its length as the network counts it, the
media, when it would go out, and why anything would be skipped. ``--json`` for scripts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import httpx

from .. import registry
from ..clock import SYSTEM_CLOCK
from .check import load_checked_config, resolved_directory
from .options import config_option

if TYPE_CHECKING:
    from ..engine.preview import DraftPreview, ItemPreview, SourcePreview
    from ..store import Database

NOT_POSTED = {
    "already seen": "already ingested: will not be posted again",
    "backlog": "first fetch: held back by the backlog policy",
    "too_old": "older than the source's max_age",
}


@click.command("preview")
@config_option
@click.option("--source", "source_name", help="Only this source.")
@click.option(
    "--limit", default=5, show_default=True, type=click.IntRange(1), help="Items per source."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def preview_command(config_path: Path, source_name: str | None, limit: int, as_json: bool) -> None:
    """Show what each route would post for the sources' current items (creates nothing).

    Exits 1 when a source could not be read (after showing the others).
    """
    from ..engine.preview import Previewer, as_dict

    config = load_checked_config(config_path)
    directory = resolved_directory(config)
    db = existing_database(config.database.url)
    http = httpx.Client(
        timeout=config.engine.http_timeout.total_seconds(),
        headers={"User-Agent": config.engine.user_agent},
    )
    try:
        previewer = Previewer(
            config, registry.source_types(), directory, SYSTEM_CLOCK, db=db, http=http
        )
        previews = previewer.preview(source_name, limit)
    finally:
        http.close()
        directory.client.close()
        if db is not None:
            db.dispose()
    if as_json:
        click.echo(json.dumps(as_dict(previews), indent=2, ensure_ascii=False))
    else:
        for preview in previews:
            click.echo(format_source(preview))
    failed = [preview.source for preview in previews if preview.error]
    if failed:
        raise click.ClickException(f"could not read {', '.join(failed)}")


def existing_database(url: str) -> Database | None:
    """The store at ``url`` without migrating it; ``None`` for a SQLite file not there yet.

    Preview must not create anything, not even an empty database file.
    """
    from sqlalchemy.engine import make_url

    from ..store import Database

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or not Path(database).expanduser().exists():
            return None
    return Database(url, auto_migrate=False)


def format_source(preview: SourcePreview) -> str:
    """The text report of one source."""
    if preview.error:
        return f"source {preview.source}: ERROR {preview.error}\n"
    lines = [f"source {preview.source}: {preview.items_total} items, showing {len(preview.items)}"]
    lines += [f"  problem: {problem}" for problem in preview.problems[:5]]
    for item in preview.items:
        lines += format_item(item)
    return "\n".join(lines) + "\n"


def format_item(item: ItemPreview) -> list[str]:
    """The lines of one item and what each route does with it."""
    lines = ["", f"  item: {item.title or '(untitled)'}  <{item.link or item.external_id}>"]
    if item.status != "new":
        lines.append(f"    not posted: {NOT_POSTED.get(item.status, item.status)}")
    for route in item.routes:
        if not route.accepted:
            lines.append(f"    route {route.route}: not taken: {route.filter_reason}")
            continue
        for draft in route.drafts:
            lines += format_draft(route.route, draft)
    if not item.routes:
        lines.append("    no route takes this source")
    return lines


def account_label(account: dict[str, Any]) -> str:
    """``Acme on X (x, 83/280 chars)``: the length as that network counts it, and its limit."""
    details = [account["network"]]
    if account["length"] is not None:
        limit = f"/{account['limit']}" if account["limit"] else ""
        details.append(f"{account['length']}{limit} chars")
    return f"{account['name']} ({', '.join(details)})"


def format_draft(route: str, draft: DraftPreview) -> list[str]:
    """The lines of one publication-to-be."""
    accounts = ", ".join(account_label(account) for account in draft.accounts)
    lines = [f"    route {route} -> {accounts}"]
    if draft.skip_reason:
        lines.append(f"      WOULD BE SKIPPED: {draft.skip_reason}")
    elif draft.when:
        lines.append(f"      {draft.mode} at {draft.when} ({draft.plan})")
    lines.append(f"      media: {', '.join(draft.media) or 'none'}")
    lines += [f"      | {line}" for line in draft.caption.splitlines()]
    if draft.first_comment:
        lines.append(f"      first comment: {draft.first_comment}")
    return lines


COMMANDS = [preview_command]
