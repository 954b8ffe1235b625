"""Every real-world feed of the shared corpus ingests without error, one item per entry."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from ingest_helpers import rss_source, write_config
from sqlmodel import func, select

from bridge import registry
from bridge.clock import ManualClock
from bridge.engine.ingest import Ingestor
from bridge.feedserver import FeedServer
from bridge.store import Database, ItemRecord, SourceRecord

REPO_ROOT = Path(__file__).resolve().parents[2]


def corpus_dir() -> Path:
    """``shared/feeds/real`` beside the repository, or under ``$BRIDGE_SHARED_DIR``."""
    shared = os.environ.get("BRIDGE_SHARED_DIR")
    base = Path(shared) if shared else REPO_ROOT / ".." / "shared"
    return (base / "feeds" / "real").resolve()


def entry_counts() -> dict[str, int]:
    """``entries: N`` under each file's heading in SOURCES.md."""
    text = (corpus_dir() / "SOURCES.md").read_text(encoding="utf-8")
    pattern = r"^- \*\*([\w.-]+\.xml)\*\*.*?\n(?:  .*\n)*?  - type: [^\n]*?entries: (\d+)"
    return {name: int(n) for name, n in re.findall(pattern, text, re.MULTILINE)}


CORPUS = sorted(corpus_dir().glob("*.xml")) if corpus_dir().is_dir() else []
ENTRIES = entry_counts() if CORPUS else {}


def source_name(path: Path) -> str:
    return re.sub(r"[^a-z0-9_-]", "-", path.stem.lower())


class Corpus:
    """Every corpus file served by one FeedServer and configured as one rss source each."""

    def __init__(self, tmp: Path, server: FeedServer) -> None:
        body = ""
        for path in CORPUS:
            server.set("/" + path.name, path.read_bytes(), content_type="application/xml")
            body += rss_source(source_name(path), server.url_for("/" + path.name), backlog="all")
        self.config = write_config(tmp, body)
        self.db = Database(self.config.database.url)
        self.clock = ManualClock()
        self.ingestor = Ingestor(self.db, self.config, registry.source_types(), self.clock)
        self.ingestor.sync_sources()

    def stored(self, name: str) -> int:
        with self.db.session() as session:
            query = (
                select(func.count())
                .select_from(ItemRecord)
                .join(SourceRecord, SourceRecord.id == ItemRecord.source_id)
                .where(SourceRecord.name == name)
            )
            return int(session.exec(query).one())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """The whole corpus, ready to ingest into one SQLite database."""
    with FeedServer() as server:
        corpus = Corpus(tmp_path_factory.mktemp("corpus"), server)
        yield corpus
        corpus.ingestor.close()
        corpus.db.dispose()


def test_corpus_is_present() -> None:
    assert CORPUS, f"the feed corpus is missing: {corpus_dir()} (set BRIDGE_SHARED_DIR)"
    assert {path.name for path in CORPUS} == set(ENTRIES)


@pytest.mark.parametrize("path", CORPUS, ids=[path.name for path in CORPUS])
def test_corpus_document_ingests_one_item_per_entry(path: Path, corpus: Corpus) -> None:
    name = source_name(path)
    summary = corpus.ingestor.fetch(name)
    assert summary.outcome == "ok", summary.error
    assert summary.items_new == ENTRIES[path.name]
    assert corpus.stored(name) == ENTRIES[path.name]
    again = corpus.ingestor.fetch(name)  # 304 from the server: nothing new
    assert (again.outcome, again.items_new) == ("not_modified", 0)
