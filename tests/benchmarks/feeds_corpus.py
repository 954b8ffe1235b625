"""Synthetic but realistic RSS 2.0 feeds for the ingest benchmark, generated deterministically.

Each feed looks like a WordPress blog's: items with a guid, permalink, date, author, several
categories, an HTML description with a link and an entity or two, a longer
``content:encoded`` article with headings, a list and a figure, and an image enclosure.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

WORDS = [
    "launch",
    "team",
    "product",
    "customer",
    "release",
    "update",
    "partner",
    "growth",
    "design",
    "city",
    "market",
    "event",
    "community",
    "research",
    "report",
    "season",
    "offer",
    "winter",
    "summer",
    "studio",
    "coffee",
    "garden",
    "recipe",
    "travel",
    "museum",
    "concert",
    "science",
    "health",
    "guide",
    "review",
    "story",
    "interview",
    "festival",
    "workshop",
    "campus",
]
CATEGORIES = [
    "News",
    "Events",
    "Launch",
    "Product",
    "Culture",
    "Travel",
    "Food",
    "Science",
    "Health",
    "Design",
    "Community",
    "Research",
    "Interviews",
    "Guides",
    "Reviews",
    "Music",
    "Art",
    "Business",
    "Technology",
    "Sport",
]
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, rng.randint(6, 14)) for _ in range(sentences))


def _item(rng: random.Random, feed: int, index: int, site: str) -> str:
    slug = f"{feed:03d}-{index:02d}-" + "-".join(rng.choice(WORDS) for _ in range(3))
    link = f"{site}/{2026}/{slug}/"
    image = f"{site}/wp-content/uploads/{slug}.jpg"
    published = START - timedelta(hours=index * 7 + feed % 5, minutes=rng.randint(0, 59))
    title = _sentence(rng, rng.randint(4, 9))[:-1]
    description = (
        f'<p>{escape(_paragraph(rng, 2))} &amp; more &#8211; <a href="{link}">read on</a></p>'
    )
    content = (
        f'<figure><img src="{image}" alt="{escape(title)}" width="1200" height="800">'
        f"<figcaption>{escape(_sentence(rng, 6))}</figcaption></figure>"
        f"<p>{escape(_paragraph(rng, 3))}</p><h2>{escape(_sentence(rng, 4))}</h2>"
        f"<ul><li>{escape(_sentence(rng, 5))}</li><li>{escape(_sentence(rng, 5))}</li></ul>"
        f"<p>{escape(_paragraph(rng, 3))} <em>{escape(_sentence(rng, 4))}</em></p>"
    )
    author = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}"
    categories = "".join(
        f"<category><![CDATA[{name}]]></category>" for name in rng.sample(CATEGORIES, 3)
    )
    return (
        f"<item><title>{escape(title)}</title><link>{link}</link>"
        f'<guid isPermaLink="false">{site}/?p={feed * 1000 + index}</guid>'
        f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>"
        f"<dc:creator><![CDATA[{author}]]></dc:creator>"
        f"{categories}<description><![CDATA[{description}]]></description>"
        f"<content:encoded><![CDATA[{content}]]></content:encoded>"
        f'<enclosure url="{image}" length="{rng.randint(40_000, 400_000)}" type="image/jpeg"/>'
        "</item>"
    )


def generate_feed(feed: int, items: int, seed: int = 2026) -> bytes:
    """Feed number ``feed`` with ``items`` items; the same arguments give the same bytes."""
    rng = random.Random(seed * 100_000 + feed)
    site = f"https://blog{feed:03d}.example"
    body = "".join(_item(rng, feed, index, site) for index in range(items))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>Blog {feed}</title><link>{site}/</link><description>Posts</description>"
        f"<language>en</language>{body}</channel></rss>"
    ).encode()
