from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rss_samples import SourceFactory, atom, fetch, rss, rss_item

from bridge import Item
from bridge.feedserver import FeedServer

MEDIA = 'xmlns:media="http://search.yahoo.com/mrss/"'


def by_title(items: list[Item]) -> dict[str, Item]:
    return {item.title: item for item in items}


# ---- identity ---------------------------------------------------------------------------------


def test_guid_is_the_external_id_and_the_link_an_alias(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    [item] = fetch(feed_server, make_source, rss(rss_item(guid="post-1"))).items
    assert item.external_id == "post-1"
    assert item.aliases[0] == "https://blog.example/a-post"
    assert item.aliases[1].startswith("sha256:")


def test_link_is_the_external_id_without_a_guid(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    document = rss(rss_item(link="HTTPS://Blog.Example:443/a-post?utm_source=rss&id=7"))
    [item] = fetch(feed_server, make_source, document).items
    assert item.external_id == "https://blog.example/a-post?id=7"
    assert item.link == "HTTPS://Blog.Example:443/a-post?utm_source=rss&id=7"
    assert [alias[:7] for alias in item.aliases] == ["sha256:"]


def test_content_hash_is_the_external_id_without_guid_or_link(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    document = rss(rss_item(title="One", link=None), rss_item(title="Two", link=None))
    items = fetch(feed_server, make_source, document).items
    assert all(item.external_id.startswith("sha256:") for item in items)
    assert items[0].external_id != items[1].external_id
    again = fetch(feed_server, make_source, document).items
    assert [item.external_id for item in again] == [item.external_id for item in items]


def test_changed_guid_with_the_same_link_shares_an_identity(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    [before] = fetch(feed_server, make_source, rss(rss_item(guid="old-id"))).items
    [after] = fetch(feed_server, make_source, rss(rss_item(guid="new-id"))).items
    assert before.external_id != after.external_id
    assert set(before.identities()) & set(after.identities())


def test_content_hash_ignores_markup_and_whitespace(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    [plain] = fetch(
        feed_server, make_source, rss(rss_item(link=None, description="Hello world"))
    ).items
    [marked] = fetch(
        feed_server, make_source, rss(rss_item(link=None, description="<p>Hello\n  world</p>"))
    ).items
    assert plain.external_id == marked.external_id


def test_shared_links_and_the_home_page_are_not_aliases(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    document = rss(
        rss_item(title="A", guid="a", link="https://blog.example/shared"),
        rss_item(title="B", guid="b", link="https://blog.example/shared"),
        rss_item(title="C", guid="c", link="https://blog.example/"),
        rss_item(title="D", guid=None, link="https://blog.example/shared"),
    )
    items = by_title(fetch(feed_server, make_source, document).items)
    for title in "ABC":
        assert [alias[:7] for alias in items[title].aliases] == ["sha256:"]
    assert items["D"].external_id.startswith("sha256:")


def test_entries_that_read_alike_keep_distinct_hashes_by_date(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    document = rss(
        rss_item(
            title="Support - Up", guid="1", link=None, pub_date="Mon, 05 Jan 2026 09:00:00 GMT"
        ),
        rss_item(
            title="Support - Up", guid="2", link=None, pub_date="Tue, 06 Jan 2026 09:00:00 GMT"
        ),
    )
    first, second = fetch(feed_server, make_source, document).items
    assert first.aliases and second.aliases
    assert first.aliases != second.aliases


def test_a_hash_shared_inside_the_document_is_not_an_alias(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    same = {"title": "Photo", "description": "<img src='/p.jpg'>", "link": None}
    document = rss(rss_item(guid="1", **same), rss_item(guid="2", **same))
    items = fetch(feed_server, make_source, document).items
    assert [item.external_id for item in items] == ["1", "2"]
    assert [item.aliases for item in items] == [[], []]


def test_duplicate_guids_are_told_apart_by_content(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    document = rss(
        rss_item(title="First", guid="same", link="https://blog.example/feed-proxy"),
        rss_item(title="Second", guid="same", link="https://blog.example/feed-proxy"),
        rss_item(title="Other", guid="other", link="https://blog.example/other"),
    )
    result = fetch(feed_server, make_source, document)
    items = by_title(result.items)
    assert len(result.items) == 3
    assert items["First"].external_id.startswith("same [")
    assert items["Second"].external_id.startswith("same [")
    assert items["First"].external_id != items["Second"].external_id
    assert "same" not in items["First"].identities()
    assert items["Other"].external_id == "other"
    assert [p.message for p in result.problems] == [
        "2 entries share the guid 'same'; told apart by their content"
    ]
    again = by_title(fetch(feed_server, make_source, document).items)
    assert again["Second"].external_id == items["Second"].external_id


def test_identical_duplicate_entries_are_one_item(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    entry = rss_item(guid="same")
    result = fetch(feed_server, make_source, rss(entry, entry))
    assert len(result.items) == 1


# ---- text fields ------------------------------------------------------------------------------


def test_titles_are_plain_text(feed_server: FeedServer, make_source: SourceFactory) -> None:
    document = atom(
        '<entry><title type="html">Q&amp;amp;A &lt;b&gt;bold&lt;/b&gt; &amp;#8211; x</title>'
        "<id>urn:1</id><updated>2026-01-05T09:00:00Z</updated></entry>",
        '<entry><title type="text">  Spaced\n  out  </title>'
        "<id>urn:2</id><updated>2026-01-04T09:00:00Z</updated></entry>",
    )
    items = fetch(feed_server, make_source, document).items
    assert [item.title for item in items] == ["Q&A bold – x", "Spaced out"]


def test_bodies_keep_html_and_gain_text(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    content = (
        "<content:encoded><![CDATA["
        '<p>Full <a href="/x">story</a></p><p>Part two</p>'
        "]]></content:encoded>"
    )
    document = rss(
        rss_item(description="<p>Short &amp; sweet</p>", extra=content),
        namespaces='xmlns:content="http://purl.org/rss/1.0/modules/content/"',
    )
    [item] = fetch(feed_server, make_source, document).items
    assert item.summary_html == "<p>Short &amp; sweet</p>"
    assert item.summary_text == "Short & sweet"
    # Without xml:base, relative URLs in bodies resolve against the document's URL.
    link = feed_server.url_for("/x")
    assert item.content_html == f'<p>Full <a href="{link}">story</a></p><p>Part two</p>'
    assert item.content_text == "Full story\n\nPart two"


def test_author_and_categories(feed_server: FeedServer, make_source: SourceFactory) -> None:
    extra = (
        "<dc:creator>Ada Lovelace</dc:creator><category> News </category>"
        "<category>news</category><category>Launch   Day</category><category></category>"
    )
    document = rss(rss_item(extra=extra), namespaces='xmlns:dc="http://purl.org/dc/elements/1.1/"')
    [item] = fetch(feed_server, make_source, document).items
    assert item.author == "Ada Lovelace"
    assert item.categories == ["News", "Launch Day"]


# ---- dates and order ---------------------------------------------------------------------------


def test_dates_are_aware_utc_and_items_newest_first(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    document = rss(
        rss_item(title="old", guid="1", pub_date="Mon, 05 Jan 2026 09:00:00 +0200"),
        rss_item(title="future", guid="2", pub_date="Fri, 01 Jan 2100 00:00:00 GMT"),
        rss_item(title="undated", guid="3", pub_date=None),
        rss_item(title="odd", guid="4", pub_date="sometime last week"),
        rss_item(title="slashed", guid="5", pub_date="2026/1/10 14:33:00"),
        rss_item(title="impossible", guid="6", pub_date="Mon, 31 Feb 2026 10:00:00 GMT"),
    )
    items = fetch(feed_server, make_source, document).items
    assert [item.title for item in items][:3] == ["future", "slashed", "old"]
    dates = {item.title: item.published for item in items}
    assert dates["old"] == datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    assert dates["future"] == datetime(2100, 1, 1, tzinfo=UTC)
    assert dates["slashed"] == datetime(2026, 1, 10, 14, 33, tzinfo=UTC)
    assert dates["undated"] is None and dates["odd"] is None and dates["impossible"] is None
    assert [item.title for item in items][3:] == ["undated", "odd", "impossible"]


def test_updated_only_entries_are_dated_by_their_update(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    document = atom(
        "<entry><title>Only updated</title><id>urn:1</id>"
        "<updated>2026-02-01T10:00:00+01:00</updated></entry>"
    )
    [item] = fetch(feed_server, make_source, document).items
    assert item.published == item.updated == datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


# ---- links and media ---------------------------------------------------------------------------


def test_relative_links_resolve_against_xml_base_and_the_document(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    document = atom(
        "<entry><title>Based</title><id>urn:1</id><updated>2026-01-05T09:00:00Z</updated>"
        '<link href="posts/one.html"/>'
        '<content type="html">&lt;img src="img/one.png"&gt;</content></entry>',
        base="https://base.example/blog/",
    )
    [item] = fetch(feed_server, make_source, document).items
    assert item.link == "https://base.example/blog/posts/one.html"
    assert item.media[0].url == "https://base.example/blog/img/one.png"

    document = rss(rss_item(link="/posts/two", extra='<enclosure url="/img/two.jpg"/>'))
    [item] = fetch(feed_server, make_source, document).items
    assert item.link == feed_server.url_for("/posts/two")
    assert item.media[0].url == feed_server.url_for("/img/two.jpg")
    assert item.media[0].kind == "image"


def test_media_candidates_in_preference_order(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    extra = (
        '<enclosure url="https://cdn.example/episode.mp3" type="audio/mpeg" length="9"/>'
        '<enclosure url="https://cdn.example/cover.jpg" type="image/jpeg" length="1234"/>'
        '<media:content url="https://cdn.example/clip.mp4" medium="video"'
        ' width="1280" height="720"/>'
        '<media:content medium="video"><media:player url="https://player.example/1"/></media:content>'
        '<media:content url="https://cdn.example/cover.jpg" type="image/jpeg"/>'
        '<media:content url="https://cdn.example/doc.pdf" type="application/pdf"/>'
        '<media:thumbnail url="https://cdn.example/thumb.jpg" width="120" height="90"/>'
    )
    description = (
        '<img src="https://t.example/pixel.gif" width="1" height="1">'
        '<img src="data:image/gif;base64,R0lGOD" alt="placeholder">'
        '<img src="/photo.jpg" alt="A &amp; B" width="640">'
    )
    document = rss(
        rss_item(link="https://blog.example/post", description=description, extra=extra),
        namespaces=MEDIA,
    )
    [item] = fetch(feed_server, make_source, document).items
    assert [(m.url, m.kind, m.origin) for m in item.media] == [
        ("https://cdn.example/cover.jpg", "image", "enclosure"),
        ("https://cdn.example/clip.mp4", "video", "media:content"),
        ("https://cdn.example/thumb.jpg", "image", "media:thumbnail"),
        (feed_server.url_for("/photo.jpg"), "image", "content"),
    ]
    cover, clip, thumb, inline = item.media
    assert (cover.mime_type, cover.length) == ("image/jpeg", 1234)
    assert (clip.width, clip.height) == (1280, 720)
    assert (thumb.width, thumb.height) == (120, 90)
    assert (inline.alt, inline.width) == ("A & B", 640)


@pytest.mark.parametrize(
    "extra",
    [
        '<enclosure url="https://cdn.example/a.torrent" type="application/x-bittorrent"/>',
        '<media:content medium="video"><media:player url="https://player.example/1"/></media:content>',
        '<enclosure url="https://cdn.example/episode.mp3"/>',
    ],
)
def test_entries_without_usable_media_have_none(
    feed_server: FeedServer, make_source: SourceFactory, extra: str
) -> None:
    document = rss(rss_item(description="no pictures", extra=extra), namespaces=MEDIA)
    assert fetch(feed_server, make_source, document).items[0].media == []


def test_non_standard_pictures_come_last_as_featured(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    extra = (
        "<bigimage>https://img.example/big.jpg</bigimage>"
        '<itunes:image href="https://img.example/artwork.jpg"/>'
        '<media:thumbnail url="https://img.example/thumb.jpg"/>'
    )
    namespaces = MEDIA + ' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
    document = rss(rss_item(description="text only", extra=extra), namespaces=namespaces)
    [item] = fetch(feed_server, make_source, document).items
    assert [(m.url, m.origin) for m in item.media] == [
        ("https://img.example/thumb.jpg", "media:thumbnail"),
        ("https://img.example/big.jpg", "featured"),
        ("https://img.example/artwork.jpg", "featured"),
    ]


def test_xml_base_on_the_content_element_resolves_its_images(
    feed_server: FeedServer, make_source: SourceFactory
) -> None:
    document = atom(
        "<entry><title>Uke</title><id>https://numi.example/post/uke</id>"
        "<updated>2026-01-05T09:00:00Z</updated>"
        '<content type="html" xml:base="https://numi.example/post/uke/">'
        '<![CDATA[<p><img src="IMG_1232.jpeg" /></p>]]></content></entry>'
    )
    [item] = fetch(feed_server, make_source, document).items
    assert item.link == "https://numi.example/post/uke"
    assert item.media[0].url == "https://numi.example/post/uke/IMG_1232.jpeg"
    assert 'src="https://numi.example/post/uke/IMG_1232.jpeg"' in item.content_html
