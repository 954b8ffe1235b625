"""Feeds, configs and checks shared by the running tests (fixtures live in ``conftest.py``)."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bridge.sandbox import SandboxServer

API_KEY_VARIABLE = "POSTORIA_API_KEY"
ACME = 1
ACME_X = 101
ACME_LINKEDIN = 102
ACME_FACEBOOK = 103
ACME_PINTEREST = 109


@dataclass(frozen=True)
class FeedItem:
    """One item of a test feed; ``image`` is an absolute URL or ``None``."""

    guid: str
    title: str
    published: datetime
    image: str | None = None

    @property
    def link(self) -> str:
        """The item's article URL (public-looking, never fetched)."""
        return f"https://blog.acme.example/posts/{self.guid}"


def make_items(
    count: int, start: datetime, *, prefix: str = "post", images: bool = False
) -> list[FeedItem]:
    """``count`` items published an hour apart before ``start``, every other one with an HTTPS
    image when ``images``."""
    return [
        FeedItem(
            guid=f"{prefix}-{index:04d}",
            title=f"Acme news {prefix} {index}",
            published=start - timedelta(hours=count - index),
            image=(
                f"https://images.acme.example/{prefix}-{index}.png"
                if images and index % 2
                else None
            ),
        )
        for index in range(count)
    ]


def render_rss(items: Sequence[FeedItem]) -> bytes:
    """An RSS 2.0 document holding ``items``, newest first, as a blog serves it."""
    entries = []
    for item in sorted(items, key=lambda i: i.published, reverse=True):
        enclosure = (
            f'<enclosure url="{escape(item.image)}" length="2048" type="image/png"/>'
            if item.image
            else ""
        )
        entries.append(
            f"<item><title>{escape(item.title)}</title><link>{escape(item.link)}</link>"
            f'<guid isPermaLink="false">{escape(item.guid)}</guid>'
            f"<pubDate>{format_datetime(item.published, usegmt=True)}</pubDate>"
            f"<category>News</category>"
            f"<description>What happened at Acme: {escape(item.title)}.</description>"
            f"{enclosure}</item>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Acme blog</title><link>https://blog.acme.example/</link>"
        "<description>Test feed</description>" + "".join(entries) + "</channel></rss>"
    )
    return body.encode("utf-8")


def write_config(
    path: Path,
    *,
    postoria_url: str,
    feed_url: str,
    accounts: Sequence[str] = ("Acme on X", "Acme on LinkedIn"),
    interval: str = "1s",
    publish_interval: str = "1s",
    status_interval: str = "1s",
    media: str = "optional",
    extra_route: str = "",
    database_url: str = "sqlite:///bridge.db",
) -> Path:
    """A bridge config posting one rss source to Acme Corp right away, with SQLite next to it."""
    account_list = ", ".join(f'"{name}"' for name in accounts)
    path.write_text(
        f"""
[postoria]
api_key = "${{{API_KEY_VARIABLE}}}"
base_url = "{postoria_url}"

[database]
url = "{database_url}"

[engine]
publish_interval = "{publish_interval}"
status_interval = "{status_interval}"

[[sources]]
name = "acme-blog"
type = "rss"
url = "{feed_url}"
interval = "{interval}"
backlog = "all"

[[routes]]
name = "acme-news"
sources = ["acme-blog"]
workspace = "Acme Corp"
accounts = [{account_list}]
mode = "publish_now"
media = "{media}"
template = "{{{{ title }}}} {{{{ link }}}}"
{extra_route}
""",
        encoding="utf-8",
    )
    return path


def bridge_env(sandbox: SandboxServer) -> dict[str, str]:
    """The environment for a ``bridge`` subprocess: ours plus the sandbox's key."""
    env = dict(os.environ)
    env[API_KEY_VARIABLE] = sandbox.api_key
    env["PYTHONUNBUFFERED"] = "1"
    return env


def bridge_command(*args: str) -> list[str]:
    """``bridge ARGS`` run with this interpreter (the venv's console script module)."""
    return [sys.executable, "-c", "from bridge.cli import main; main()", *args]


def posts_by_caption(sandbox: SandboxServer) -> Counter[str]:
    """How many live (not deleted) posts the sandbox holds per caption."""
    return Counter(_caption(post) for post in sandbox.state.posts())


def _caption(post: dict[str, Any]) -> str:
    for value in post.values():
        if isinstance(value, dict) and "caption" in value:
            return str(value["caption"])
    return ""
