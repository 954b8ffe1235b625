"""Include and exclude rules, and the media a route picks, on items built in memory."""

from __future__ import annotations

import pytest

from bridge import Item, MediaCandidate
from bridge.config import RouteConfig
from bridge.engine.filters import evaluate
from bridge.engine.media_choice import MISSING_MEDIA_REASON, choose_media, network_problem


def route(**keys: object) -> RouteConfig:
    base: dict[str, object] = {
        "name": "r",
        "sources": ["s"],
        "workspace": "W",
        "accounts": ["1"],
        "mode": "publish_now",
        "template": "{{ title }}",
    }
    return RouteConfig.model_validate({**base, **keys})


ITEM = Item(
    external_id="1",
    title="Quarterly results are in",
    summary_text="Revenue grew.",
    author="Alice Smith",
    categories=["Finance", "Press Release"],
    tags=["Earnings"],
)


@pytest.mark.parametrize(
    ("include", "accepted"),
    [
        (["category:press release"], True),
        (["category:Press"], False),  # whole values only
        (["tag:EARNINGS"], True),
        (["tag:Finance"], False),
        (["author:alice smith"], True),
        (["author:Alice"], False),
        (["title:RESULTS"], True),
        (["(?i)revenue"], True),  # the plain text
        (["^Press"], True),  # the categories
        (["Bitcoin", "category:Sports"], False),
        (["Bitcoin", "tag:earnings"], True),  # any include rule will do
    ],
)
def test_include_rules(include: list[str], accepted: bool) -> None:
    decision = evaluate(route(include=include), ITEM)
    assert decision.accepted is accepted
    if not accepted:
        assert (
            decision.reason
            == "matches none of the include rules ("
            + ", ".join(repr(rule) for rule in include)
            + ")"
        )


def test_exclude_rules_win_and_say_which() -> None:
    decision = evaluate(route(include=["category:Finance"], exclude=["(?i)quarterly"]), ITEM)
    assert (decision.accepted, decision.reason) == (False, "excluded by the rule '(?i)quarterly'")
    assert evaluate(route(exclude=["tag:sports"]), ITEM).accepted


def candidate(
    url: str, origin: str, kind: str = "image", mime: str | None = None
) -> MediaCandidate:
    return MediaCandidate(url=url, kind=kind, mime_type=mime, origin=origin)


CANDIDATES = [
    candidate("https://x.example/inline.png", "content"),
    candidate("https://x.example/thumb.jpg", "media:thumbnail"),
    candidate("https://x.example/logo.svg", "enclosure", mime="image/svg+xml"),
    candidate("/relative.jpg", "enclosure"),
    candidate("https://x.example/hero.jpg", "media:content"),
    candidate("https://x.example/clip.mp4", "enclosure", kind="video", mime="video/mp4"),
]


def test_media_prefers_the_best_origin_among_what_postoria_accepts() -> None:
    (chosen,) = choose_media("optional", CANDIDATES, ["linkedin"]).media
    assert chosen.url == "https://x.example/hero.jpg"
    (video,) = choose_media("optional", CANDIDATES, ["linkedin", "youtube"]).media
    assert video.url == "https://x.example/clip.mp4"
    assert choose_media("none", CANDIDATES).media == []


def test_media_required_and_network_rules() -> None:
    missing = choose_media("required", [candidate("/relative.jpg", "enclosure")])
    assert (missing.media, missing.skip_reason) == ([], MISSING_MEDIA_REASON)
    assert choose_media("optional", []).skip_reason is None
    image = choose_media("optional", CANDIDATES[:2]).media
    assert network_problem("instagram", image) is None
    assert network_problem("instagram", []) == (
        "instagram needs an image or a video and the item has none"
    )
    assert network_problem("youtube", image) == "youtube needs a video and the item has none"
    assert network_problem("linkedin", []) is None
