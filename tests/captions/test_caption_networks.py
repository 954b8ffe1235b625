from __future__ import annotations

import pytest

from bridge.captions import caption_length, limit_for


@pytest.mark.parametrize(
    ("network", "limit"),
    [
        ("x", 280),
        ("bluesky", 300),
        ("threads", 500),
        ("instagram", 2200),
        ("tiktok", 2200),
        ("linkedin", 3000),
        ("facebook", 63206),
        ("pinterest", 500),
        ("youtube", 5000),
        ("google_business_profile", 1500),
        ("telegram", 4096),
        ("reddit", 40000),
        ("tumblr", 4096),
        ("mastodon", None),
    ],
)
def test_limits(network: str, limit: int | None) -> None:
    assert limit_for(network) == limit


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("hello world", 11),
        ("https://example.com/a/very/long/path/that/goes/on/and/on?x=1", 23),
        ("read https://a.example and http://b.example/x.", 5 + 23 + 5 + 23 + 1),
        ("see www.example.com/page today", 4 + 23 + 6),
        ("日本語", 6),
        ("한국어 text", 3 * 2 + 5),
        ("café", 4),
        ("cafe\u0301", 4),  # NFC makes e + combining acute one code point
        ("“quotes” – dash", 15),  # U+2010–U+201F weigh 1
        ("wait…", 4 + 2),  # U+2026 is outside the light ranges
        ("👍", 2),
        ("👍🏽", 2),
        ("👨\u200d👩\u200d👧\u200d👦", 2),
        ("🇫🇷🇩🇪", 4),
        ("1️⃣", 2),
        ("© 2026", 6),
    ],
)
def test_x_weighs_like_twitter_text(text: str, length: int) -> None:
    assert caption_length(text, "x") == length


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("hello", 5),
        ("cafe\u0301", 4),
        ("Z\u0351\u036b\u0343\u036a", 1),
        ("👨\u200d👩\u200d👧\u200d👦", 1),
        ("🇫🇷🇩🇪", 2),
        ("👍🏽!", 2),
        ("日本語", 3),
    ],
)
def test_bluesky_counts_graphemes(text: str, length: int) -> None:
    assert caption_length(text, "bluesky") == length


@pytest.mark.parametrize("network", ["linkedin", "mastodon", None])
def test_others_count_code_points(network: str | None) -> None:
    assert (
        caption_length("cafe\u0301 👨\u200d👩\u200d👧 https://example.com", network)
        == 5 + 1 + 5 + 1 + 19
    )
