from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bridge import FetchResult, Source, SourceOptions
from bridge.config import BridgeConfig, InvalidConfigError, validate_source_options

Parse = Callable[..., BridgeConfig]


class FeedOptions(SourceOptions):
    url: str
    password: SecretStr | None = None
    limit: int = 10


class FeedSource(Source):
    type_name = "feed"
    Options = FeedOptions

    def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        return FetchResult()


TYPES: dict[str, type[Source]] = {"feed": FeedSource}

SOURCES = """\
[postoria]
api_key = "k"

[[sources]]
name = "one"
type = "feed"
url = "https://one.example/feed"
password = "${FEED_PASSWORD}"

[[sources]]
name = "two"
type = "feed"
ulr = "https://two.example/feed"
limit = "many"

[[sources]]
name = "three"
type = "wordpress"
url = "https://three.example"

[[sources]]
name = "four"
type = "dam_folder"
enabled = false
"""


def test_valid_options_are_returned_by_source_name(parse: Parse) -> None:
    config = parse(SOURCES.split('[[sources]]\nname = "two"')[0], {"FEED_PASSWORD": "pw"})
    options = validate_source_options(config, TYPES)
    assert set(options) == {"one"}
    one = options["one"]
    assert isinstance(one, FeedOptions)
    assert one.url == "https://one.example/feed"
    assert one.password is not None and one.password.get_secret_value() == "pw"


def test_every_problem_is_listed_with_its_line(parse: Parse, tmp_path: Path) -> None:
    config = parse(SOURCES, {"FEED_PASSWORD": "pw"})
    with pytest.raises(InvalidConfigError) as caught:
        validate_source_options(config, TYPES)
    file = str(tmp_path / "bridge.toml")
    assert [str(problem) for problem in caught.value.problems] == [
        f"{file}:10: sources[1].url: required key is missing",
        f"{file}:13: sources[1].ulr: unknown key (did you mean 'url'?)",
        f"{file}:14: sources[1].limit: Input should be a valid integer, unable to parse string "
        "as an integer",
        f"{file}:18: sources[2].type: unknown source type 'wordpress' (known: feed)",
    ]


def test_missing_option_names_the_key(parse: Parse) -> None:
    config = parse(
        SOURCES.split('[[sources]]\nname = "two"')[0].replace("url =", "link ="),
        {"FEED_PASSWORD": "pw"},
    )
    with pytest.raises(InvalidConfigError) as caught:
        validate_source_options(config, TYPES)
    assert [(p.key, p.message) for p in caught.value.problems] == [
        ("sources[0].url", "required key is missing"),
        (
            "sources[0].link",
            "unknown key for a 'feed' source (allowed: name, type, interval, backlog, max_age, "
            "enabled, url, password, limit)",
        ),
    ]
