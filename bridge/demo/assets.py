"""The demo's bundled files: the sample feed, its images and the configuration template."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ASSETS = Path(__file__).parent
FEED_TEMPLATE = ASSETS / "feed.xml"
CONFIG_TEMPLATE = ASSETS / "demo.toml"
IMAGES = ASSETS / "images"

_PUBLISHED = re.compile(r"\{\{published:(\d+)\}\}")


def render_feed(base_url: str, now: datetime) -> bytes:
    """The sample feed with links on ``base_url`` and dates relative to ``now``.

    ``{{published:N}}`` becomes the RFC 822 date N hours before ``now``, so the items look
    fresh whenever the demo runs (and pass any ``max_age`` someone adds to the config).
    """
    text = FEED_TEMPLATE.read_text(encoding="utf-8").replace("{{base}}", base_url.rstrip("/"))

    def published(match: re.Match[str]) -> str:
        return format_datetime(now - timedelta(hours=int(match.group(1))), usegmt=True)

    return _PUBLISHED.sub(published, text).encode("utf-8")


def render_config(postoria_url: str, feed_url: str) -> str:
    """The demo configuration with the sandbox and feed URLs filled in.

    ``${POSTORIA_API_KEY}`` stays a reference, as it would in a real file; the demo supplies
    the sandbox's public test key when it loads the file.
    """
    text = CONFIG_TEMPLATE.read_text(encoding="utf-8")
    return text.replace("${DEMO_POSTORIA_URL}", postoria_url).replace("${DEMO_FEED_URL}", feed_url)
