from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bridge.feedserver import FeedServer


def test_serves_documents_with_validators(feed_server: FeedServer) -> None:
    feed_server.set("/feed.xml", b"<rss/>", headers={"X-Extra": "1"})
    response = httpx.get(feed_server.url_for("/feed.xml"))
    assert response.status_code == 200
    assert response.content == b"<rss/>"
    assert response.headers["content-type"] == "application/rss+xml"
    assert response.headers["x-extra"] == "1"
    assert response.headers["etag"] and response.headers["last-modified"]


def test_answers_304_to_matching_conditional_requests(feed_server: FeedServer) -> None:
    feed_server.set("/feed.xml", b"<rss/>")
    first = httpx.get(feed_server.url_for("/feed.xml"))
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert (
        httpx.get(feed_server.url_for("/feed.xml"), headers={"If-None-Match": etag}).status_code
        == 304
    )
    assert (
        httpx.get(
            feed_server.url_for("/feed.xml"), headers={"If-None-Match": '"other"'}
        ).status_code
        == 200
    )
    assert (
        httpx.get(
            feed_server.url_for("/feed.xml"), headers={"If-Modified-Since": modified}
        ).status_code
        == 304
    )
    hits = feed_server.hits("/feed.xml")
    assert hits.count == 4
    assert hits.if_none_match == [None, etag, '"other"', None]
    assert hits.if_modified_since == [None, None, None, modified]


def test_redirects_gone_and_missing(feed_server: FeedServer) -> None:
    feed_server.redirect("/old", "/new")
    feed_server.redirect("/tmp", "https://elsewhere.example/", permanent=False)
    feed_server.gone("/dead")
    assert httpx.get(feed_server.url_for("/old")).status_code == 301
    assert httpx.get(feed_server.url_for("/old")).headers["location"] == "/new"
    assert httpx.get(feed_server.url_for("/tmp")).status_code == 302
    assert httpx.get(feed_server.url_for("/dead")).status_code == 410
    assert httpx.get(feed_server.url_for("/nothing")).status_code == 404
    feed_server.set("/gone-soon", b"x")
    feed_server.remove("/gone-soon")
    assert httpx.get(feed_server.url_for("/gone-soon")).status_code == 404


def test_serves_static_files(tmp_path: Path) -> None:
    (tmp_path / "photo.png").write_bytes(b"\x89PNG fake")
    with FeedServer(static_dir=tmp_path) as server:
        response = httpx.get(server.url_for("/static/photo.png"))
        assert response.content == b"\x89PNG fake"
        assert response.headers["content-type"] == "image/png"
        assert httpx.get(server.url_for("/static/../../etc/passwd")).status_code == 404
        assert httpx.get(server.url_for("/static/missing.png")).status_code == 404


def test_chunked_and_query_strings(feed_server: FeedServer) -> None:
    feed_server.set("/feed.xml", b"a" * 200_000, chunked=True)
    response = httpx.get(feed_server.url_for("/feed.xml?page=2"))
    assert "content-length" not in response.headers
    assert response.content == b"a" * 200_000
    assert feed_server.hits("/feed.xml?page=2").count == 1


def test_delay_holds_the_answer_back() -> None:
    with FeedServer(delay=30.0) as server:
        server.set("/slow", b"x")
        server.set("/quick", b"y", delay=0)
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(server.url_for("/slow"), timeout=0.2)
        assert httpx.get(server.url_for("/quick"), timeout=5).content == b"y"


def test_port_needs_a_started_server() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = FeedServer().url
