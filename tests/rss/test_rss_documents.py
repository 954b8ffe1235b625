from __future__ import annotations

import pytest
from rss_samples import SourceFactory, fetch, rss, rss_item

from bridge import SourceError
from bridge.feedserver import FeedServer


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (
            b"<!DOCTYPE html><html><head><title>Acme</title></head><body>Hi</body></html>",
            "text/html; charset=utf-8",
            "not a feed: the server sent an HTML page (text/html)",
        ),
        (
            b"\n  <html><body><p>Login required</p></body></html>",
            "application/xml",
            "not a feed: the server sent an HTML page (application/xml)",
        ),
        (b'{"error": "rate limited"}', "application/json", "not a feed: the server sent JSON"),
        (
            b'<?xml version="1.0"?><config><item>1</item></config>',
            "application/xml",
            "not a feed: the XML document is neither RSS nor Atom",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00garbage",
            "application/octet-stream",
            "not a feed: the server sent 17 bytes that are not XML (application/octet-stream)",
        ),
        (b"", "application/rss+xml", "the server sent an empty document"),
        (b"  \n ", "application/rss+xml", "the server sent an empty document"),
    ],
)
def test_unreadable_document_raises_a_clear_source_error(
    feed_server: FeedServer,
    make_source: SourceFactory,
    body: bytes,
    content_type: str,
    message: str,
) -> None:
    with pytest.raises(SourceError) as caught:
        fetch(feed_server, make_source, body, content_type=content_type)
    assert message in str(caught.value)
    assert caught.value.location == feed_server.url_for("/feed.xml")
    assert str(caught.value).startswith("source 'test-feed' (http://127.0.0.1:")


def test_malformed_but_readable_feed_is_accepted_with_a_warning(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    broken = b"  " + rss(rss_item(guid="a"), rss_item(guid="b")).replace(
        b"</item>", b"&nbsp;</item>", 1
    )
    result = fetch(feed_server, make_source, broken)
    assert [item.external_id for item in result.items] == ["a", "b"]
    [problem] = result.problems
    assert problem.level == "warning"
    assert problem.message.startswith("the feed is malformed, read anyway (SAXParseException")
    assert problem.where == feed_server.url_for("/feed.xml")


def test_truncated_feed_without_entries_is_read_with_warnings(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    truncated = rss(rss_item()).split(b"<item>")[0]
    result = fetch(feed_server, make_source, truncated)
    assert result.items == []
    assert [p.message for p in result.problems][-1] == "the feed has no entries"


def test_http_charset_decodes_an_undeclared_latin1_document(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    body = rss(rss_item(title="Café à la carte", description="Crème brûlée"), encoding=None)
    latin1 = body.decode("utf-8").encode("latin-1")
    result = fetch(
        feed_server, make_source, latin1, content_type="application/rss+xml; charset=iso-8859-1"
    )
    [item] = result.items
    assert item.title == "Café à la carte"
    assert item.summary_text == "Crème brûlée"
    assert result.problems == []


def test_undeclared_latin1_without_charset_is_read_with_a_warning(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    body = rss(rss_item(title="Café"), encoding=None).decode("utf-8").encode("latin-1")
    result = fetch(feed_server, make_source, body, content_type="application/xml")
    assert result.items[0].title == "Café"
    assert "character encoding" in result.problems[0].message


@pytest.mark.parametrize(
    ("encoding", "title"),
    [("windows-1251", "Цитата #42"), ("gb2312", "建国纪念"), ("iso-8859-7", "Ελλάδα")],
)
def test_declared_encodings_are_decoded(
    feed_server: FeedServer, make_source: SourceFactory, encoding: str, title: str
) -> None:
    result = fetch(feed_server, make_source, rss(rss_item(title=title), encoding=encoding))
    assert result.items[0].title == title


def test_byte_order_mark_and_leading_whitespace_are_tolerated(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    body = b"\xef\xbb\xbf" + rss(rss_item(title="BOM"), encoding=None)
    assert fetch(feed_server, make_source, body).items[0].title == "BOM"
    spaced = b"\n\n   " + rss(rss_item(title="Spaced"), encoding=None)
    assert fetch(feed_server, make_source, spaced).items[0].title == "Spaced"


@pytest.mark.parametrize(
    "document",
    [
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>Old</title>'
        b"<link>https://old.example/</link></channel><item><title>Hello</title>"
        b"<link>https://old.example/hello</link></item></rdf:RDF>",
        b'<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title>'
        b"<link>https://old.example/</link><item><title>Hello</title>"
        b"<link>https://old.example/hello</link></item></channel></rss>",
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://old.example/">'
        b"<title>Old</title><link>https://old.example/</link></channel>"
        b'<item rdf:about="https://old.example/hello"><title>Hello</title>'
        b"<link>https://old.example/hello</link></item></rdf:RDF>",
    ],
    ids=["rss090", "rss091", "rss10"],
)
def test_old_rss_versions_are_read(
    feed_server: FeedServer, make_source: SourceFactory, document: bytes
) -> None:
    [item] = fetch(feed_server, make_source, document).items
    assert item.title == "Hello"
    assert item.link == "https://old.example/hello"
