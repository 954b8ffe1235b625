from __future__ import annotations

import pytest
from bridge_rss.links import absolute_link, base_of, resolve_references


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="/post">x</a>', '<a href="https://site.example/post">x</a>'),
        ("<img src='../img/a.png'>", "<img src='https://site.example/img/a.png'>"),
        ('<img src="//cdn.example/a.png">', '<img src="https://cdn.example/a.png">'),
        ('<a href="https://other.example/">x</a>', '<a href="https://other.example/">x</a>'),
        ('<a href="mailto:a@b.example">x</a>', '<a href="mailto:a@b.example">x</a>'),
        ('<a href="#fn1">1</a>', '<a href="#fn1">1</a>'),
        (
            '<a title="href=x" href="p">x</a>',
            '<a title="href=x" href="https://site.example/blog/p">x</a>',
        ),
        ("no markup at all", "no markup at all"),
    ],
)
def test_resolve_references(html: str, expected: str) -> None:
    assert resolve_references(html, "https://site.example/blog/feed.xml") == expected


def test_base_of_prefers_xml_base_resolved_against_the_document() -> None:
    document = "https://site.example/feeds/atom.xml"
    assert base_of({"base": "/blog/"}, document) == "https://site.example/blog/"
    assert base_of({"base": "https://other.example/"}, document) == "https://other.example/"
    assert base_of({"base": ""}, document) == document
    assert base_of(None, document) == document


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/a", "https://site.example/a"),
        ("  https://x.example/b ", "https://x.example/b"),
        ("HTTP://X.example/", "HTTP://X.example/"),
        ("tag:site.example,2026:1", None),
        ("javascript:alert(1)", None),
        ("", None),
        (None, None),
    ],
)
def test_absolute_link(url: str | None, expected: str | None) -> None:
    assert absolute_link(url, "https://site.example/feed") == expected
