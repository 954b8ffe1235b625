"""``bridge sources``: a feed that answered 410 is shown disabled and can be re-enabled."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from ingest_helpers import Entry, rss_document, rss_source, write_config

from bridge import registry
from bridge.cli import cli
from bridge.clock import SYSTEM_CLOCK
from bridge.engine.ingest import Ingestor
from bridge.feedserver import FeedServer
from bridge.store import Database


def test_a_gone_feed_is_listed_disabled_then_enabled_and_fetched_again(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.gone("/feed.xml")
    config = write_config(tmp_path, rss_source("blog", feed_server.url_for("/feed.xml")))
    config_file = str(config.path)
    ingestor = Ingestor(
        Database(config.database.url), config, registry.source_types(), SYSTEM_CLOCK
    )
    ingestor.sync_sources()
    assert ingestor.fetch("blog").outcome == "disabled"
    runner = CliRunner()

    listed = runner.invoke(cli, ["sources", "list", "-c", config_file])
    assert listed.exit_code == 0, listed.output
    assert "blog  (rss)  disabled: HTTP 410 Gone" in listed.output

    enabled = runner.invoke(cli, ["sources", "enable", "blog", "-c", config_file])
    assert enabled.exit_code == 0, enabled.output
    feed_server.set("/feed.xml", rss_document([Entry(guid="a", title="Back again")]))
    assert ingestor.due_sources() == ["blog"]
    assert ingestor.fetch("blog").outcome == "ok"
    ingestor.close()

    relisted = runner.invoke(cli, ["sources", "list", "-c", config_file])
    assert "blog  (rss)  enabled; last success" in relisted.output


def test_enabling_an_unknown_source_is_a_clear_error(tmp_path: Path) -> None:
    config = write_config(tmp_path, rss_source("blog", "http://127.0.0.1:9/feed.xml"))
    result = CliRunner().invoke(cli, ["sources", "enable", "nope", "-c", str(config.path)])
    assert result.exit_code == 1
    assert "no source named 'nope'" in result.output
