from __future__ import annotations

import pytest

from bridge.captions.hashtags import hashtags
from bridge.captions.links import add_utm
from bridge.captions.shorten import shorten, tidy_caption


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["News"], "#News"),
        (["web development"], "#WebDevelopment"),
        (["node.js", "ci-cd", "snake_case"], "#NodeJs #CiCd #SnakeCase"),
        (["Café", "Ærø", "naïve approach"], "#Cafe #Ærø #NaiveApproach"),
        (["iPhone tips", "SEO"], "#IPhoneTips #SEO"),
        (["C++", "Q&A", "!!!"], "#C #QA"),
        (["2024", "2024 recap", "100"], "#2024Recap"),
        (["News", "news", "NEWS", "web development", "Web-Development"], "#News #WebDevelopment"),
        (["a" * 30, "b" * 31], "#" + "a" * 30),
        (["東京 オリンピック"], "#東京オリンピック"),
        ([], ""),
        (None, ""),
        ("single tag", "#SingleTag"),
    ],
)
def test_hashtags(tags: list[str] | str | None, expected: str) -> None:
    assert hashtags(tags) == expected


def test_hashtags_limit_counts_usable_tags_only() -> None:
    assert hashtags(["2024", "One", "one", "Two", "Three"], limit=2) == "#One #Two"
    assert hashtags(["One"], prefix="") == "One"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/post", "https://a.example/post?utm_source=social&utm_medium=x"),
        (
            "https://a.example/post?id=3&empty=#comments",
            "https://a.example/post?id=3&empty=&utm_source=social&utm_medium=x#comments",
        ),
        (
            "https://a.example/?utm_source=newsletter",
            "https://a.example/?utm_source=newsletter&utm_medium=x",
        ),
        ("https://a.example/#frag", "https://a.example/?utm_source=social&utm_medium=x#frag"),
        ("", ""),
    ],
)
def test_add_utm(url: str, expected: str) -> None:
    assert add_utm(url, source="social", medium="x", campaign=None, term="") == expected


def test_add_utm_encodes_values_and_rejects_unknown_names() -> None:
    assert add_utm("https://a.example", campaign="spring sale & more") == (
        "https://a.example?utm_campaign=spring+sale+%26+more"
    )
    with pytest.raises(ValueError, match="unknown UTM parameter 'medum'"):
        add_utm("https://a.example", medum="x")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("The quick brown fox jumps", 15, "The quick…"),
        ("The quick brown fox jumps", 16, "The quick brown…"),
        ("The quick, brown fox", 12, "The quick…"),
        ("Supercalifragilistic", 8, "Superca…"),
        ("abc", 0, ""),
    ],
)
def test_shorten_cuts_at_word_boundaries(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected


def test_shorten_counts_as_the_network_counts() -> None:
    text = "日本語のテキストです とても長い"
    assert shorten(text, 12, "linkedin") == text[:10] + "…"
    # CJK weighs 2 on X, the ellipsis (U+2026) too: five ideographs and "…" make 12.
    assert shorten(text, 12, "x") == "日本語のテ…"
    assert shorten("👨\u200d👩\u200d👧 family time", 4, "bluesky") == "👨\u200d👩\u200d👧…"


def test_shorten_never_splits_a_grapheme() -> None:
    cut = shorten("🇫🇷🇫🇷🇫🇷🇫🇷", 5, "linkedin", end="")
    assert cut == "🇫🇷🇫🇷"


def test_tidy_caption() -> None:
    assert tidy_caption("\n\n Title  \r\n\n\n\n\nBody\n\n\n") == "Title\n\nBody"
