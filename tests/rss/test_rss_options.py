from __future__ import annotations

from typing import Any

import pytest
from bridge_rss import RssOptions, RssSource
from pydantic import ValidationError

from bridge import SourceContext


def test_defaults() -> None:
    options = RssOptions(url="https://blog.example/feed/")
    assert (options.timeout, options.max_bytes) == (20.0, 10_000_000)
    assert options.user_agent is None and options.headers == {}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"url": "ftp://blog.example/feed"}, "must be an http:// or https:// URL"),
        ({"url": "blog.example/feed"}, "must be an http:// or https:// URL"),
        ({"url": "https://"}, "must be an http:// or https:// URL"),
        ({"url": "https://a.example/", "timeout": 0}, "greater than 0"),
        ({"url": "https://a.example/", "max_bytes": -1}, "greater than 0"),
        ({"url": "https://a.example/", "headers": {"X": 1}}, "valid string"),
        ({"url": "https://a.example/", "interval": "10m"}, "Extra inputs are not permitted"),
        ({}, "url\n  Field required"),
    ],
)
def test_invalid_options_are_rejected_clearly(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RssOptions(**options)


def test_invalid_url_message_hides_credentials() -> None:
    with pytest.raises(ValidationError) as caught:
        RssOptions(url="ftp://user:s3cret@blog.example/feed")
    assert "s3cret" not in str(caught.value)


def test_describe_is_the_url_without_credentials() -> None:
    options = RssOptions(url="https://bridge:s3cret@blog.example/feed/")
    source = RssSource(options, SourceContext(name="acme"))
    assert source.describe() == "https://blog.example/feed/"
    assert source.name == "acme"
    assert RssSource.type_name == "rss"
