"""Two routers on one store, configured differently, never both route an item."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from routing_helpers import Entry, World

from bridge.clock import ManualClock
from bridge.config import load_config
from bridge.engine.directory import AccountDirectory
from bridge.engine.routing import Router
from bridge.feedserver import FeedServer
from bridge.sandbox import SandboxServer
from bridge.store import Database

ROUTES = """
[[routes]]
name = "r"
sources = ["blog"]
workspace = "Acme Corp"
accounts = ["Acme on X", "Acme on LinkedIn"]
mode = "publish_now"
template = "{{ title }}"
"""


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_concurrent_routers_with_different_groupings_route_each_item_once(
    tmp_path: Path,
    sandbox: SandboxServer,
    feed_server: FeedServer,
    clock: ManualClock,
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    url = request.getfixturevalue("postgres_url") if backend == "postgresql" else None
    world = World(tmp_path, sandbox, feed_server, clock, ROUTES, database_url=url)
    world.publish([Entry(f"g{n}", f"Post {n}", f"https://acme.example/{n}") for n in range(60)])
    # That routed everything: make the items new again, then race two routers on them. The
    # second one's config puts X on its own, so its variants differ from the first's and only
    # the claim on the item stops it from posting to X a second time.
    with world.db.session() as session:
        session.execute(sa.text("DELETE FROM publications"))
        session.execute(sa.text("UPDATE items SET status = 'new'"))
    other_path = tmp_path / "other.toml"
    other_path.write_text(
        world.config_path.read_text().replace(
            'template = "{{ title }}"',
            'template = "{{ title }}"\n[routes.templates]\nx = "X: {{ title }}"',
        )
    )
    other_config = load_config(other_path)
    other_db = Database(other_config.database.url)
    directory = AccountDirectory(world.client, None, clock)
    directory.refresh(other_config)
    routers = [world.router, Router(other_db, other_config, directory, clock)]
    threads = [threading.Thread(target=router.route_new_items) for router in routers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    per_item_account = Counter(
        (p.item_id, account) for p in world.publications() for account in p.account_ids
    )
    assert len(per_item_account) == 60 * 2
    assert set(per_item_account.values()) == {1}
    other_db.dispose()
    world.close()
