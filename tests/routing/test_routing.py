"""Items become publications: filters, captions per network, media, skips with reasons."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from routing_helpers import Entry, World, rss_document
from sqlmodel import select

from bridge import registry
from bridge.clock import ManualClock
from bridge.engine.preview import Previewer
from bridge.feedserver import FeedServer
from bridge.sandbox import SandboxServer
from bridge.store import ItemRecord

ROUTES = """
[[routes]]
name = "acme-news"
sources = ["blog"]
workspace = "Acme Corp"
accounts = ["network:linkedin", "network:x", "network:bluesky"]
mode = "publish_now"
include = ["category:News", "(?i)^launch"]
exclude = ["(?i)sponsored"]
utm = { source = "social", medium = "{{ network }}" }
template = "{{ title }} {{ link }} {{ categories | hashtags(max=2) }}"
first_comment = "More: {{ link }}"
link = true

[routes.templates]
x = "{{ title }} (on X) {{ link }}"

[[routes]]
name = "alice-globex"
sources = ["blog"]
workspace = "Globex"
accounts = ["network:facebook", "network:instagram"]
mode = "publish_now"
include = ["author:ALICE"]
approval = true
template = "{{ title }}"
"""


@pytest.fixture
def world(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> Iterator[World]:
    world = World(tmp_path, sandbox, feed_server, clock, ROUTES)
    yield world
    world.close()


def entry(n: int, **keys: object) -> Entry:
    keys.setdefault("description", "Body")
    return Entry(f"g{n}", f"Title {n}", f"https://acme.example/p/{n}", **keys)  # type: ignore[arg-type]


def test_one_feed_feeds_several_clients_routes_by_category_author_and_regex(
    world: World,
) -> None:
    world.publish(
        [
            entry(1, categories=["News"], author="Bob"),
            entry(2, categories=["Events"], author="Alice"),
            entry(3, categories=["News"], author="Bob", description="A sponsored post"),
            entry(4, categories=["Launch week"], author="Carol"),
            entry(5, categories=["Misc"], author="Dan"),
        ]
    )
    by_item = {}
    for publication in world.publications():
        by_item.setdefault(publication.item_id, set()).add(publication.route)
    items = {item.external_id: item for item in world.items()}
    assert by_item[items["g1"].id] == {"acme-news"}
    assert by_item[items["g2"].id] == {"alice-globex"}
    assert by_item[items["g4"].id] == {"acme-news"}  # the regex sees categories
    for name in ("g3", "g5"):
        assert items[name].id not in by_item
        assert items[name].status == "routed"
        assert (items[name].status_reason or "").startswith("no matching route")
    assert "excluded by the rule '(?i)sponsored'" in (items["g3"].status_reason or "")
    assert all(item.status == "routed" for item in items.values())


def test_captions_differ_per_network_with_utm_hashtags_and_first_comment(world: World) -> None:
    created = world.publish([entry(1, categories=["News", "Product news"])])
    publications = {tuple(p.networks): p for p in world.publications()}
    assert set(publications) == {("x",), ("linkedin",), ("bluesky",)}
    assert len(created) == 3
    assert len({p.variant for p in publications.values()}) == 3
    linkedin = publications[("linkedin",)]
    assert linkedin.caption.startswith("Title 1 https://acme.example/p/1?")
    assert "utm_medium=linkedin" in linkedin.caption and "utm_source=social" in linkedin.caption
    assert "#News #ProductNews" in linkedin.caption
    assert "utm_medium=linkedin" in (linkedin.link_url or "")
    assert (linkedin.first_comment or "").startswith("More: https://acme.example/p/1?")
    x = publications[("x",)]
    assert "(on X)" in x.caption and "#News" not in x.caption
    assert x.account_ids == [101] and x.workspace_id == 1
    assert x.state == "pending" and x.approval == "not_required"
    assert x.due_at == world.clock.now() and x.scheduled_time is None
    assert x.options["lengths"] == {"x": len("Title 1 (on X) ") + 23}


def test_network_rules_and_approval_are_recorded_not_sent(world: World) -> None:
    world.publish([entry(2, author="Alice")])
    publications = {tuple(p.networks): p for p in world.publications()}
    facebook, instagram = publications[("facebook",)], publications[("instagram",)]
    assert (facebook.state, facebook.approval) == ("pending", "pending")
    assert instagram.state == "skipped"
    assert instagram.state_reason == "instagram needs an image or a video and the item has none"


def test_media_is_chosen_from_the_item(world: World) -> None:
    created = world.publish([entry(2, author="Alice", image="https://cdn.acme.example/a.jpg")])
    (publication,) = world.publications()  # one caption, and both networks can take media
    assert created == [publication.id]
    assert publication.networks == ["facebook", "instagram"]
    (media,) = world.media(created[0])
    assert (media.source_url, media.kind, media.position) == (
        "https://cdn.acme.example/a.jpg",
        "image",
        0,
    )


def test_too_long_captions_are_skipped_with_the_reason(world: World) -> None:
    long_title = "Launch " + "word " * 70
    world.publish([Entry("long", long_title.strip(), "https://acme.example/long", "b")])
    states = {tuple(p.networks): (p.state, p.state_reason) for p in world.publications()}
    assert states[("linkedin",)] == ("pending", None)
    state, reason = states[("x",)]
    assert state == "skipped" and "over the limit of 280 for x" in (reason or "")
    assert states[("bluesky",)][0] == "skipped"


def test_routing_twice_never_creates_a_second_publication(world: World) -> None:
    first = world.publish([entry(1, categories=["News"])])
    assert len(first) == 3
    assert world.router.route_new_items() == []
    with world.db.session() as session:  # as if a crash left the item "new" after routing
        for item in session.exec(select(ItemRecord)).all():
            item.status = "new"
            session.add(item)
    world.clock.advance(timedelta(minutes=5))
    assert world.router.route_new_items() == []
    assert len(world.publications()) == 3


REQUIRED = """
[[routes]]
name = "images-only"
sources = ["blog"]
workspace = "Acme Corp"
accounts = ["Acme on Facebook", "Acme on Threads"]
mode = "publish_now"
media = "required"
max_per_day = 1
template = "{{ title }}"
"""


@pytest.mark.postgres
def test_media_required_skips_and_routing_is_idempotent_on_postgresql(
    tmp_path: Path,
    sandbox: SandboxServer,
    feed_server: FeedServer,
    clock: ManualClock,
    postgres_url: str,
) -> None:
    world = World(tmp_path, sandbox, feed_server, clock, REQUIRED, database_url=postgres_url)
    created = world.publish(
        [
            entry(1),
            entry(2, image="https://cdn.acme.example/2.jpg"),
            entry(3, image="https://cdn.acme.example/3.jpg"),
        ]
    )
    publications = {p.caption: p for p in world.publications()}
    assert publications["Title 1"].state == "skipped"
    assert publications["Title 1"].state_reason == "route requires media and the item has none"
    assert len(created) == 2
    # Feeds list newest first, so item 3 is the oldest and goes first; one a day, and the
    # next day starts at midnight in New York.
    due = {p.caption: p.due_at for p in world.publications() if p.state == "pending"}
    assert due == {
        "Title 3": clock.now(),
        "Title 2": datetime(2026, 3, 3, 5, 0, tzinfo=UTC),
    }
    world.close()
    world.open()
    world.publish([entry(n, image=f"https://cdn.acme.example/{n}.jpg") for n in (1, 2, 3)])
    assert world.router.route_new_items() == []
    assert len(world.publications()) == 3
    world.close()


OVERLAPPING = """
[[routes]]
name = "news"
sources = ["blog"]
workspace = "Acme Corp"
accounts = ["Acme on X", "Acme on LinkedIn"]
mode = "publish_now"
include = ["category:News"]
template = "News: {{ title }}"

[[routes]]
name = "launches"
sources = ["blog"]
workspace = "Acme Corp"
accounts = ["Acme on X", "Acme on Threads"]
mode = "publish_now"
include = ["(?i)launch"]
template = "Launch: {{ title }}"
"""


def test_an_item_taken_by_two_routes_reaches_each_account_once(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> None:
    world = World(tmp_path, sandbox, feed_server, clock, OVERLAPPING)
    world.publish([Entry("l1", "Launch day", "https://acme.example/l", "b", categories=["News"])])
    sent = [(p.route, p.account_ids) for p in world.publications() if p.state == "pending"]
    assert sorted(sent) == [("launches", [108]), ("news", [101, 102])]
    (skipped,) = [p for p in world.publications() if p.state == "skipped"]
    assert (skipped.route, skipped.account_ids) == ("launches", [101])
    assert skipped.state_reason == "already sent there by route 'news'"
    world.close()


def test_the_same_article_from_two_sources_reaches_an_account_once(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> None:
    site = f'[[sources]]\nname = "site"\ntype = "rss"\nurl = "{feed_server.url_for("/site.xml")}"\n'
    feed_server.set("/site.xml", rss_document([]))
    routes = OVERLAPPING.replace('sources = ["blog"]', 'sources = ["blog", "site"]', 1)
    world = World(tmp_path, sandbox, feed_server, clock, routes, extra_sources=site)
    world.publish(
        [Entry("feed-guid-1", "Big news", "https://acme.example/big", "b", categories=["News"])]
    )
    clock.advance(timedelta(minutes=10))
    feed_server.set(
        "/site.xml",
        rss_document(
            [
                Entry(
                    "wp-post-77",
                    "Big news!",
                    "https://acme.example/big/?utm_source=wp",
                    "c",
                    categories=["News"],
                )
            ]
        ),
    )
    previewer = Previewer(
        world.config, registry.source_types(), world.directory, clock, db=world.db
    )
    (preview,) = previewer.preview("site")
    (route,) = preview.items[0].routes
    assert {d.skip_reason for d in route.drafts} == {
        "already sent there by route 'news' for item #1 (same link)"
    }
    assert world.ingestor.fetch("site").items_new == 1
    assert world.router.route_new_items() == []
    by_item: dict[int, list[tuple[str, str | None]]] = {}
    for publication in world.publications():
        by_item.setdefault(publication.item_id, []).append(
            (publication.state, publication.state_reason)
        )
    first, second = sorted(by_item)
    assert by_item[first] == [("pending", None)]
    (reason,) = {reason for _, reason in by_item[second]}
    assert by_item[second][0][0] == "skipped"
    assert reason == f"already sent there by route 'news' for item #{first} (same link)"
    world.close()


def test_items_linking_only_to_the_home_page_are_not_the_same_article(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> None:
    site = f'[[sources]]\nname = "site"\ntype = "rss"\nurl = "{feed_server.url_for("/site.xml")}"\n'
    feed_server.set("/site.xml", rss_document([]))
    routes = OVERLAPPING.replace('sources = ["blog"]', 'sources = ["blog", "site"]', 1)
    world = World(tmp_path, sandbox, feed_server, clock, routes, extra_sources=site)
    home = "https://acme.example/"
    world.publish([Entry("b1", "Status: all good", home, "b", categories=["News"])])
    feed_server.set(
        "/site.xml",
        rss_document([Entry("s1", "Status: maintenance", home, "c", categories=["News"])]),
    )
    world.ingestor.fetch("site")
    world.router.route_new_items()
    assert [p.state for p in world.publications()] == ["pending", "pending"]
    world.close()


def test_an_item_that_breaks_routing_is_set_aside_and_the_rest_go_on(world: World) -> None:
    world.publish([entry(1, categories=["News"]), entry(2, categories=["News"])])
    with world.db.session() as session:
        items = session.exec(select(ItemRecord).order_by(ItemRecord.id)).all()
        for item in items:
            item.status = "new"
        items[0].media = [{"url": 5, "kind": "image"}]  # what no connector should ever store
        session.add_all(items)
        session.execute(sa.text("DELETE FROM publications"))
    world.clock.advance(timedelta(minutes=1))
    created = world.router.route_new_items()
    broken, fine = world.items()
    assert broken.status == "error" and "routing failed" in (broken.status_reason or "")
    assert fine.status == "routed" and len(created) == 3
