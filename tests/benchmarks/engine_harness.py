"""What the engine benchmarks share: a simulated-time bridge, its feeds, and request counting.

One :class:`~bridge.clock.ManualClock` drives the sandbox (``SandboxConfig(clock=...)``), the
Postoria client and the engine, all in this process, so hours of polling take seconds: the
engine sleeps on that clock until the publisher's next wake-up, and the rate limiter waits on
it too. Requests are counted from the sandbox's own log, the same meter for the engine and for
the naive baseline, so neither side counts itself.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bridge.clock import ManualClock
from bridge.config import parse_config
from bridge.engine.engine import Engine
from bridge.feedserver import FeedServer
from bridge.sandbox import SandboxConfig, SandboxServer

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SETUP_ENDPOINTS = frozenset({"list_workspaces", "list_social_accounts", "list_queues"})
"""Requests made once per start (resolving routes), not per post."""


@dataclass(frozen=True)
class BenchItem:
    """One feed item: a unique title and link, and maybe an HTTPS image."""

    key: str
    published: datetime
    image: str | None = None

    @property
    def title(self) -> str:
        """A title nobody else has."""
        return f"Benchmark item {self.key}"

    @property
    def link(self) -> str:
        """The article URL (never fetched)."""
        return f"https://blog.example.com/{self.key}"


def bench_items(prefix: str, count: int, *, images: bool = False) -> list[BenchItem]:
    """``count`` items published a minute apart before :data:`START`."""
    return [
        BenchItem(
            key=f"{prefix}-{index:05d}",
            published=START - timedelta(minutes=count - index),
            image=f"https://cdn.example.com/{prefix}/{index}.jpg" if images else None,
        )
        for index in range(count)
    ]


def rss(items: Sequence[BenchItem]) -> bytes:
    """An RSS 2.0 feed of ``items``, newest first."""
    entries = []
    for item in sorted(items, key=lambda i: i.published, reverse=True):
        image = (
            f'<enclosure url="{escape(item.image)}" length="4096" type="image/jpeg"/>'
            if item.image
            else ""
        )
        entries.append(
            f"<item><title>{escape(item.title)}</title><link>{escape(item.link)}</link>"
            f"<guid>{escape(item.key)}</guid>"
            f"<pubDate>{format_datetime(item.published, usegmt=True)}</pubDate>{image}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench</title>'
        "<link>https://blog.example.com/</link><description>bench</description>"
        + "".join(entries)
        + "</channel></rss>"
    ).encode()


@dataclass(frozen=True)
class RouteSpec:
    """One source and its route: which feed, which workspace and accounts, which options."""

    name: str
    workspace: str
    accounts: tuple[str, ...]
    media: str = "none"
    link: bool = False


def config_text(
    postoria_url: str, api_key: str, database: Path, feeds: dict[str, str], routes: list[RouteSpec]
) -> str:
    """A config with one rss source per route, posting right away, default budget."""
    parts = [
        f'[postoria]\napi_key = "{api_key}"\nbase_url = "{postoria_url}"\n',
        f'[database]\nurl = "sqlite:///{database}"\n',
    ]
    for route in routes:
        accounts = ", ".join(f'"{a}"' for a in route.accounts)
        parts.append(
            f'[[sources]]\nname = "{route.name}"\ntype = "rss"\nurl = "{feeds[route.name]}"\n'
            f'interval = "10m"\nbacklog = "all"\n'
        )
        parts.append(
            f'[[routes]]\nname = "{route.name}"\nsources = ["{route.name}"]\n'
            f'workspace = "{route.workspace}"\naccounts = [{accounts}]\nmode = "publish_now"\n'
            f'media = "{route.media}"\nlink = {"true" if route.link else "false"}\n'
            f'template = "{{{{ title }}}} {{{{ link }}}}"\n'
        )
    return "\n".join(parts)


@dataclass
class SimulatedBridge:
    """A sandbox, a feed server and an engine sharing one simulated clock."""

    clock: ManualClock
    sandbox: SandboxServer
    feeds: FeedServer
    engine: Engine

    def requests(self) -> list[dict[str, Any]]:
        """The sandbox's request log."""
        return self.sandbox.state.requests()

    def drain(self, limit: timedelta = timedelta(days=2)) -> timedelta:
        """Fetch, route and publish until nothing is outstanding; the simulated time it took."""
        started = self.clock.now()
        self.engine.run_cycle()
        if not self.engine.wait_until_final(limit):
            raise RuntimeError(f"not drained within {limit}")
        return self.clock.now() - started


@contextmanager
def simulated_bridge(
    feeds_by_route: dict[str, Sequence[BenchItem]],
    routes: list[RouteSpec],
    *,
    sandbox_settings: dict[str, Any] | None = None,
) -> Iterator[SimulatedBridge]:
    """Start everything for one benchmark run; stop and clean up afterwards."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    clock = ManualClock(START)
    settings = {"clock": clock, **(sandbox_settings or {})}
    with (
        tempfile.TemporaryDirectory(prefix="bridge-bench-") as workdir,
        SandboxServer(SandboxConfig(**settings)) as sandbox,
        FeedServer() as feeds,
    ):
        urls = {}
        for name, items in feeds_by_route.items():
            feeds.set(f"/{name}.xml", rss(items))
            urls[name] = feeds.url_for(f"/{name}.xml")
        text = config_text(sandbox.url, sandbox.api_key, Path(workdir) / "bench.db", urls, routes)
        config = parse_config(text, path=str(Path(workdir) / "bench.toml"), environ={})
        with Engine.from_config(config, clock=clock) as engine:
            engine.prepare()
            yield SimulatedBridge(clock, sandbox, feeds, engine)


def per_post_requests(log: list[dict[str, Any]]) -> int:
    """Requests that served posts (everything but the start-up route resolution)."""
    return sum(1 for entry in log if entry["endpoint"] not in SETUP_ENDPOINTS)


def endpoint_counts(log: list[dict[str, Any]]) -> Counter[str]:
    """Requests by endpoint name."""
    return Counter(entry["endpoint"] for entry in log)
