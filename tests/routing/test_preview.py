"""``bridge preview`` shows what would be posted and creates nothing anywhere."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from routing_helpers import Entry, World, config_text, rss_document
from sqlmodel import func, select

from bridge.cli import cli
from bridge.clock import ManualClock
from bridge.feedserver import FeedServer
from bridge.sandbox import SandboxServer
from bridge.store import Database, FetchRecord, ItemIdentity, ItemRecord, Publication, SourceRecord

ROUTES = """
[[routes]]
name = "acme-social"
sources = ["blog"]
workspace = "Acme Corp"
accounts = ["Acme on X", "Acme on LinkedIn", "Acme on Instagram"]
mode = "schedule"
slots = ["09:00"]
include = ["category:News"]
template = "{{ title }} {{ link }}"

[routes.templates]
x = "{{ title }} {{ title }} {{ title }} {{ title }} {{ title }} {{ link }}"
"""

ENTRIES = [
    Entry("n1", "A" * 60, "https://acme.example/1", "b", categories=["News"]),
    Entry(
        "n2",
        "Hello world",
        "https://acme.example/2",
        "b",
        categories=["News"],
        image="https://cdn.acme.example/2.jpg",
    ),
    Entry("m1", "Office party", "https://acme.example/3", "b", categories=["Life"]),
]


def counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            model.__tablename__: int(session.exec(select(func.count()).select_from(model)).one())  # type: ignore[attr-defined]
            for model in (ItemRecord, ItemIdentity, Publication, FetchRecord, SourceRecord)
        }


def test_preview_text_shows_captions_lengths_media_times_and_reasons(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> None:
    world = World(tmp_path, sandbox, feed_server, clock, ROUTES)  # first fetch: empty feed
    feed_server.set("/feed.xml", rss_document(ENTRIES))
    before = counts(world.db)
    with world.db.session() as session:
        cursor = session.exec(select(SourceRecord.cursor)).one()
    sandbox_requests = len(sandbox.state.requests())

    result = CliRunner().invoke(cli, ["preview", "-c", str(world.config_path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "source blog: 3 items, showing 3" in out
    assert (
        "route acme-social: not taken: matches none of the include rules ('category:News')" in out
    )
    assert (
        "Acme on LinkedIn (linkedin, 34/3000 chars), Acme on Instagram (instagram, 34/2200" in out
    )
    assert "| Hello world https://acme.example/2" in out
    assert "media: https://cdn.acme.example/2.jpg" in out
    assert "WOULD BE SKIPPED: route 'acme-social', network 'x': caption is 3" in out
    assert "WOULD BE SKIPPED: instagram needs an image or a video and the item has none" in out
    assert "09:00 slot (America/New_York))" in out

    assert counts(world.db) == before
    with world.db.session() as session:
        assert session.exec(select(SourceRecord.cursor)).one() == cursor
    new_requests = sandbox.state.requests()[sandbox_requests:]
    assert new_requests and {r["method"] for r in new_requests} == {"GET"}
    assert sandbox.state.posts(include_deleted=True) == []
    world.close()


def test_preview_json_paces_items_and_knows_what_was_seen(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> None:
    routes = ROUTES.replace('slots = ["09:00"]', 'slots = ["09:00"]\nmax_per_day = 1')
    world = World(tmp_path, sandbox, feed_server, clock, routes, entries=ENTRIES[2:])
    feed_server.set("/feed.xml", rss_document(ENTRIES))
    result = CliRunner().invoke(cli, ["preview", "-c", str(world.config_path), "--json"])
    assert result.exit_code == 0, result.output
    (source,) = json.loads(result.output)
    items = {item["external_id"]: item for item in source["items"]}
    assert items["m1"]["status"] == "already seen"
    assert items["n1"]["status"] == items["n2"]["status"] == "new"
    linkedin_times = []
    for name in ("n1", "n2"):
        (route,) = items[name]["routes"]
        for draft in route["drafts"]:
            if "linkedin" in [a["network"] for a in draft["accounts"]]:
                linkedin_times.append(datetime.fromisoformat(draft["when"]))
    # One a day (max_per_day = 1), at 09:00 in New York; the command runs on the real clock.
    local = sorted(t.astimezone(ZoneInfo("America/New_York")) for t in linkedin_times)
    assert [t.hour for t in local] == [9, 9]
    assert (local[1].date() - local[0].date()).days == 1
    world.close()


def test_preview_without_a_database_creates_none(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer
) -> None:
    feed_server.set("/feed.xml", rss_document(ENTRIES))
    sources = (
        f'[[sources]]\nname = "blog"\ntype = "rss"\nurl = "{feed_server.url_for("/feed.xml")}"\n'
    )
    path = tmp_path / "bridge.toml"
    path.write_text(config_text(sandbox.url, tmp_path / "never.db", sources, ROUTES))
    result = CliRunner().invoke(cli, ["preview", "-c", str(path), "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert "showing 1" in result.output
    assert "first fetch: held back by the backlog policy" in result.output
    assert not (tmp_path / "never.db").exists()


def test_preview_reports_an_unreadable_source_and_fails(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer
) -> None:
    feed_server.set("/feed.xml", b"<html><body>Maintenance</body></html>", content_type="text/html")
    sources = (
        f'[[sources]]\nname = "blog"\ntype = "rss"\nurl = "{feed_server.url_for("/feed.xml")}"\n'
    )
    path = tmp_path / "bridge.toml"
    path.write_text(config_text(sandbox.url, tmp_path / "never.db", sources, ROUTES))
    result = CliRunner().invoke(cli, ["preview", "-c", str(path)])
    assert result.exit_code == 1
    assert "source blog: ERROR" in result.output and "HTML" in result.output
    assert "could not read blog" in result.output
