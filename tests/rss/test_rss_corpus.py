"""Every real-world feed of the shared corpus, served over HTTP and read by the rss source.

The expectations sit next to the samples: ``SOURCES.md`` says how many entries each file has
and, in its verification table, how many have a link and a published date.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import pytest
from rss_samples import SourceFactory

from bridge.feedserver import FeedServer

REPO_ROOT = Path(__file__).resolve().parents[2]
ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)


def corpus_dir() -> Path:
    """``shared/feeds/real`` beside the repository, or under ``$BRIDGE_SHARED_DIR``."""
    shared = os.environ.get("BRIDGE_SHARED_DIR")
    base = Path(shared) if shared else REPO_ROOT / ".." / "shared"
    return (base / "feeds" / "real").resolve()


@dataclass(frozen=True)
class Expectation:
    """What SOURCES.md says about one file."""

    entries: int
    with_link: int | None = None
    with_published: int | None = None


def expectations() -> dict[str, Expectation]:
    """Parse SOURCES.md: ``entries: N`` under each file's heading, plus its table row."""
    text = (corpus_dir() / "SOURCES.md").read_text(encoding="utf-8")
    entries = {
        name: int(count)
        for name, count in re.findall(
            r"^- \*\*([\w.-]+\.xml)\*\*.*?\n(?:  .*\n)*?  - type: [^\n]*?entries: (\d+)",
            text,
            re.MULTILINE,
        )
    }
    table = {
        row[0]: (int(row[4]), int(row[6]))
        for row in (
            [cell.strip() for cell in line.strip("|").split("|")]
            for line in text.splitlines()
            if line.startswith("| ") and ".xml |" in line
        )
    }
    return {
        name: Expectation(count, *table.get(name, (None, None))) for name, count in entries.items()
    }


CORPUS = sorted(corpus_dir().glob("*.xml")) if corpus_dir().is_dir() else []
EXPECTED = expectations() if CORPUS else {}


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[FeedServer]:
    """One server for the module, every corpus file served as application/xml."""
    with FeedServer() as server:
        for path in CORPUS:
            server.set("/" + path.name, path.read_bytes(), content_type="application/xml")
        yield server


def test_corpus_is_present_and_described() -> None:
    assert CORPUS, f"the feed corpus is missing: {corpus_dir()} (set BRIDGE_SHARED_DIR)"
    assert {path.name for path in CORPUS} == set(EXPECTED)
    assert len(CORPUS) == 80


@pytest.mark.parametrize("path", CORPUS, ids=[path.name for path in CORPUS])
def test_corpus_document_reads(
    path: Path, corpus_server: FeedServer, make_source: SourceFactory
) -> None:
    expected = EXPECTED[path.name]
    result = make_source(corpus_server.url_for("/" + path.name), name=path.stem).fetch({})

    assert len(result.items) == expected.entries
    identities = [identity for item in result.items for identity in item.identities()]
    assert all(identities) and len(set(identities)) == len(identities)
    assert sum(1 for item in result.items if item.link) == expected.with_link
    dated = [item.published for item in result.items if item.published]
    assert len(dated) >= (expected.with_published or 0)
    assert all(when.tzinfo is UTC for when in dated)
    assert dated == sorted(dated, reverse=True)

    for item in result.items:
        assert item.title == item.title.strip() and "\n" not in item.title
        assert not ENTITY.search(item.title), item.title
        assert item.link is None or item.link.startswith(("http://", "https://"))
        for media in item.media:
            assert media.url.startswith(("http://", "https://")), media.url
            assert media.kind in ("image", "video")
        assert len({media.url for media in item.media}) == len(item.media)
        assert item.summary_text == item.summary_text.strip()
        assert "<script" not in item.content_text.lower()
    for problem in result.problems:
        assert problem.level in ("warning", "error")
        assert problem.where and problem.where.startswith(corpus_server.url)
