"""Routes resolve against the live workspace; failures name the route, selector and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from routing_helpers import config_text
from sqlmodel import select

from bridge.clock import ManualClock
from bridge.config import load_config
from bridge.engine.directory import AccountDirectory, postoria_client
from bridge.errors import ConfigError
from bridge.sandbox import SandboxServer
from bridge.store import AccountRecord, Database

SOURCE = '[[sources]]\nname = "blog"\ntype = "rss"\nurl = "http://127.0.0.1:9/feed.xml"\n'


def route(**keys: str) -> str:
    lines = ["[[routes]]", 'name = "news"', 'sources = ["blog"]', 'template = "{{ title }}"']
    lines += [f"{key} = {value}" for key, value in keys.items()]
    return "\n".join(lines) + "\n"


def directory_for(
    tmp_path: Path, sandbox: SandboxServer, clock: ManualClock, routes: str
) -> tuple[AccountDirectory, Path, Database]:
    path = tmp_path / "bridge.toml"
    path.write_text(config_text(sandbox.url, tmp_path / "b.db", SOURCE, routes), encoding="utf-8")
    config = load_config(path)
    db = Database(config.database.url)
    directory = AccountDirectory(postoria_client(config, clock), db, clock)
    directory.refresh(config)
    return directory, path, db


def test_routes_resolve_names_networks_and_queues(
    tmp_path: Path, sandbox: SandboxServer, clock: ManualClock
) -> None:
    routes = route(
        workspace='"acme corp"',
        accounts='["network:linkedin", "Acme on X", "107"]',
        mode='"queue"',
        queue='"Main"',
    )
    directory, _, db = directory_for(tmp_path, sandbox, clock, routes)
    target = directory.route_target("news")
    assert (target.workspace_id, target.workspace_name) == (1, "Acme Corp")
    assert target.timezone == "America/New_York"
    assert [(a.id, a.network) for a in target.accounts] == [
        (102, "linkedin"),
        (101, "x"),
        (107, "youtube"),
    ]
    assert (target.queue_id, target.queue_name, target.queue_paused) == (11, "Main", False)
    with db.session() as session:
        cached = {row.account_id: row for row in session.exec(select(AccountRecord)).all()}
    assert cached[101].name == "Acme on X" and cached[101].workspace_name == "Acme Corp"
    assert {entry["method"] for entry in sandbox.state.requests()} == {"GET"}


@pytest.mark.parametrize(
    ("keys", "key", "selector"),
    [
        (
            {"workspace": '"Acme Inc"', "accounts": '["Acme on X"]'},
            "routes[0].workspace",
            "Acme Inc",
        ),
        (
            {"workspace": '"Acme Corp"', "accounts": '["Acme on X", "Acme on Myspace"]'},
            "routes[0].accounts[1]",
            "Acme on Myspace",
        ),
        (
            {"workspace": '"Globex"', "accounts": '["network:tiktok"]'},
            "routes[0].accounts[0]",
            "network:tiktok",
        ),
        (
            {"workspace": '"Acme Corp"', "accounts": '["101"]', "queue": '"Weekend"'},
            "routes[0].queue",
            "Weekend",
        ),
    ],
    ids=["workspace", "account", "network", "queue"],
)
def test_unknown_names_are_config_errors_naming_route_selector_and_line(
    tmp_path: Path,
    sandbox: SandboxServer,
    clock: ManualClock,
    keys: dict[str, str],
    key: str,
    selector: str,
) -> None:
    mode = '"queue"' if "queue" in keys else '"publish_now"'
    with pytest.raises(ConfigError) as caught:
        directory_for(tmp_path, sandbox, clock, route(mode=mode, **keys))
    message = str(caught.value)
    assert "route 'news'" in message
    assert repr(selector) in message
    assert key in message
    assert "bridge.toml:" in message
