from __future__ import annotations

import gzip

import pytest
from rss_samples import SourceFactory, rss, rss_item

from bridge import SourceError
from bridge.feedserver import FeedServer

FEED = rss(
    rss_item(guid="one"), rss_item(title="Second", link="https://blog.example/b", guid="two")
)


def test_first_fetch_reads_items_and_saves_validators(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/feed.xml", FEED)
    result = make_source(feed_server.url_for("/feed.xml")).fetch({})
    assert [item.external_id for item in result.items] == ["one", "two"]
    assert result.cursor["etag"].startswith('"')
    assert result.cursor["last_modified"].endswith("GMT")
    assert not result.not_modified


def test_second_fetch_is_conditional_and_not_modified(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/feed.xml", FEED)
    source = make_source(feed_server.url_for("/feed.xml"))
    first = source.fetch({})
    second = source.fetch(first.cursor)
    assert second.not_modified
    assert second.items == []
    assert second.cursor == first.cursor
    hits = feed_server.hits("/feed.xml")
    assert hits.if_none_match == [None, first.cursor["etag"]]
    assert hits.if_modified_since == [None, first.cursor["last_modified"]]


def test_changed_document_is_fetched_again(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/feed.xml", FEED)
    source = make_source(feed_server.url_for("/feed.xml"))
    first = source.fetch({})
    feed_server.set("/feed.xml", rss(rss_item(guid="three")))
    second = source.fetch(first.cursor)
    assert not second.not_modified
    assert [item.external_id for item in second.items] == ["three"]
    assert second.cursor["etag"] != first.cursor["etag"]


def test_last_modified_alone_is_enough_for_a_304(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/feed.xml", FEED)
    source = make_source(feed_server.url_for("/feed.xml"))
    cursor = source.fetch({}).cursor
    del cursor["etag"]
    assert source.fetch(cursor).not_modified


def test_server_without_validators_gives_an_empty_cursor(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/feed.xml", FEED, conditional=False)
    result = make_source(feed_server.url_for("/feed.xml")).fetch({})
    assert "etag" not in result.cursor and "last_modified" not in result.cursor
    assert len(result.items) == 2


def test_size_cap_refuses_an_announced_large_document(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/big.xml", FEED + b" " * 5000)
    source = make_source(feed_server.url_for("/big.xml"), max_bytes=1000)
    with pytest.raises(SourceError, match=r"too large .*max_bytes = 1,000"):
        source.fetch({})


def test_size_cap_is_enforced_while_streaming(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/big.xml", FEED + b" " * 300_000, chunked=True)
    source = make_source(feed_server.url_for("/big.xml"), max_bytes=100_000)
    with pytest.raises(SourceError, match="more than 100,000 bytes") as caught:
        source.fetch({})
    assert caught.value.source == "test-feed"
    assert caught.value.location == feed_server.url_for("/big.xml")


def test_document_under_the_cap_streams_in_full(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/feed.xml", FEED, chunked=True)
    result = make_source(feed_server.url_for("/feed.xml"), max_bytes=len(FEED)).fetch({})
    assert len(result.items) == 2


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_is_remembered(
    feed_server: FeedServer, make_source: SourceFactory, status: int
) -> None:
    feed_server.set("/new.xml", FEED)
    feed_server.redirect("/old.xml", "/new.xml", status=status)
    source = make_source(feed_server.url_for("/old.xml"))
    result = source.fetch({})
    assert result.new_location == feed_server.url_for("/new.xml")
    assert result.cursor["url"] == feed_server.url_for("/new.xml")
    assert len(result.items) == 2
    source.fetch(result.cursor)
    assert feed_server.hits("/old.xml").count == 1
    assert feed_server.hits("/new.xml").count == 2


def test_remembered_location_is_dropped_when_the_configured_url_changes(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/new.xml", FEED)
    feed_server.set("/other.xml", FEED)
    feed_server.redirect("/old.xml", "/new.xml")
    cursor = make_source(feed_server.url_for("/old.xml")).fetch({}).cursor
    result = make_source(feed_server.url_for("/other.xml")).fetch(cursor)
    assert not result.not_modified  # the old validators are not sent to another URL
    assert feed_server.hits("/other.xml").if_none_match == [None]
    assert "url" not in result.cursor


@pytest.mark.parametrize("status", [302, 303, 307])
def test_temporary_redirect_is_followed_but_not_remembered(
    feed_server: FeedServer, make_source: SourceFactory, status: int
) -> None:
    feed_server.set("/today.xml", FEED)
    feed_server.redirect("/feed.xml", "/today.xml", status=status)
    result = make_source(feed_server.url_for("/feed.xml")).fetch({})
    assert len(result.items) == 2
    assert result.new_location is None
    assert "url" not in result.cursor


def test_permanent_then_temporary_redirect_remembers_only_the_permanent_hop(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/final.xml", FEED)
    feed_server.redirect("/moved.xml", "/final.xml", permanent=False)
    feed_server.redirect("/feed.xml", "/moved.xml", permanent=True)
    result = make_source(feed_server.url_for("/feed.xml")).fetch({})
    assert result.new_location == feed_server.url_for("/moved.xml")


def test_gone_asks_the_engine_to_disable_the_source(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.gone("/feed.xml")
    result = make_source(feed_server.url_for("/feed.xml")).fetch({"etag": '"x"'})
    assert result.disable_reason is not None
    assert result.disable_reason.startswith("HTTP 410 Gone: ")
    assert feed_server.url_for("/feed.xml") in result.disable_reason
    assert result.cursor == {"etag": '"x"'}
    assert result.items == []


@pytest.mark.parametrize(
    ("status", "reason"), [(500, "Internal Server Error"), (404, "Not Found"), (403, "Forbidden")]
)
def test_error_status_raises_a_source_error_naming_source_and_url(
    feed_server: FeedServer, make_source: SourceFactory, status: int, reason: str
) -> None:
    feed_server.set("/feed.xml", b"oops", content_type="text/plain", status=status)
    url = feed_server.url_for("/feed.xml")
    with pytest.raises(SourceError) as caught:
        make_source(url, name="acme-blog").fetch({})
    assert str(caught.value) == f"source 'acme-blog' ({url}): HTTP {status} {reason}"


def test_timeout_raises_a_source_error(make_source: SourceFactory) -> None:
    with FeedServer(delay=5.0) as slow:
        slow.set("/feed.xml", FEED)
        with pytest.raises(SourceError, match=r"timed out after 0.2 s"):
            make_source(slow.url_for("/feed.xml"), timeout=0.2).fetch({})


def test_refused_connection_raises_a_source_error(make_source: SourceFactory) -> None:
    with FeedServer() as server:
        url = server.url_for("/feed.xml")
    with pytest.raises(SourceError, match="could not connect"):
        make_source(url).fetch({})


def test_credentials_never_appear_in_errors(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/feed.xml", b"no", content_type="text/plain", status=500)
    url = feed_server.url_for("/feed.xml").replace("http://", "http://user:s3cret@")
    source = make_source(url)
    with pytest.raises(SourceError) as caught:
        source.fetch({})
    assert "s3cret" not in str(caught.value)
    assert "user" not in str(caught.value)
    assert caught.value.location == feed_server.url_for("/feed.xml")
    assert source.describe() == feed_server.url_for("/feed.xml")
    assert feed_server.hits("/feed.xml").last.headers["authorization"].startswith("Basic ")


def test_user_agent_and_extra_headers_are_sent(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/feed.xml", FEED)
    make_source(
        feed_server.url_for("/feed.xml"), user_agent="acme-bot/1.0", headers={"X-Token": "t"}
    ).fetch({})
    request = feed_server.hits("/feed.xml").last
    assert request is not None
    assert request.headers["user-agent"] == "acme-bot/1.0"
    assert request.headers["x-token"] == "t"
    assert "application/rss+xml" in request.headers["accept"]


def test_engine_client_is_used_when_given(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/feed.xml", FEED)
    make_source(feed_server.url_for("/feed.xml")).fetch({})
    assert feed_server.hits("/feed.xml").last.headers["user-agent"] == "bridge-tests"


def test_own_client_is_used_without_an_engine_client(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/feed.xml", FEED)
    source = make_source(feed_server.url_for("/feed.xml"), http=None)
    assert len(source.fetch({}).items) == 2
    assert feed_server.hits("/feed.xml").last.headers["user-agent"].startswith("postoria-bridge/")


def test_same_bytes_without_validators_count_as_not_modified(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/feed.xml", FEED, conditional=False)
    source = make_source(feed_server.url_for("/feed.xml"))
    first = source.fetch({})
    second = source.fetch(first.cursor)
    assert second.not_modified and second.items == []
    assert second.cursor == first.cursor
    feed_server.set("/feed.xml", rss(rss_item(guid="new")), conditional=False)
    assert [item.external_id for item in source.fetch(second.cursor).items] == ["new"]


def test_redirect_without_a_location_is_an_error(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/feed.xml", b"", content_type="text/plain", status=300)
    with pytest.raises(SourceError, match="HTTP 300 Multiple Choices"):
        make_source(feed_server.url_for("/feed.xml")).fetch({})


def test_credentials_stay_out_of_resolved_links_and_problems(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    document = b"  " + rss(rss_item(link="/posts/1", description='<img src="/a.png">'))
    feed_server.set("/feed.xml", document)
    url = feed_server.url_for("/feed.xml").replace("http://", "http://user:s3cret@")
    result = make_source(url).fetch({})
    [item] = result.items
    assert item.link == feed_server.url_for("/posts/1")
    assert item.media[0].url == feed_server.url_for("/a.png")
    assert result.problems and all("s3cret" not in (p.where or "") for p in result.problems)


def test_remembered_location_keeps_credentials_out_but_sends_them_to_the_same_origin(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    feed_server.set("/new.xml", FEED)
    feed_server.redirect("/old.xml", "/new.xml")
    url = feed_server.url_for("/old.xml").replace("http://", "http://user:s3cret@")
    source = make_source(url)
    first = source.fetch({})
    assert first.new_location == feed_server.url_for("/new.xml")
    assert first.cursor["url"] == feed_server.url_for("/new.xml")
    assert "s3cret" not in repr(first.cursor)
    source.fetch(first.cursor)
    assert feed_server.hits("/new.xml").last.headers["authorization"].startswith("Basic ")


def test_credentials_are_not_sent_to_another_origin_after_a_move(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    with FeedServer() as elsewhere:
        elsewhere.set("/feed.xml", FEED)
        feed_server.redirect("/feed.xml", elsewhere.url_for("/feed.xml"))
        url = feed_server.url_for("/feed.xml").replace("http://", "http://user:s3cret@")
        source = make_source(url)
        first = source.fetch({})
        assert first.new_location == elsewhere.url_for("/feed.xml")
        source.fetch(first.cursor)
        assert [r.headers.get("authorization") for r in elsewhere.hits("/feed.xml").requests] == [
            None,
            None,
        ]


def test_size_cap_counts_decompressed_bytes(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    bomb = gzip.compress(FEED + b" " * 2_000_000)
    assert len(bomb) < 20_000
    feed_server.set("/feed.xml", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(SourceError, match="more than 100,000 bytes"):
        make_source(feed_server.url_for("/feed.xml"), max_bytes=100_000).fetch({})


def test_compressed_feed_is_read(feed_server: FeedServer, make_source: SourceFactory) -> None:
    feed_server.set("/feed.xml", gzip.compress(FEED), headers={"Content-Encoding": "gzip"})
    assert len(make_source(feed_server.url_for("/feed.xml")).fetch({}).items) == 2
