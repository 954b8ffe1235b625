from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bridge import Item
from bridge.captions import (
    AccountRef,
    CaptionRenderer,
    CaptionTemplateError,
    CaptionTooLongError,
    caption_length,
)
from bridge.config import RouteConfig
from bridge.errors import CaptionError

MakeRoute = Callable[..., RouteConfig]

LINKEDIN = AccountRef(1, "Acme LinkedIn", "linkedin")
FACEBOOK = AccountRef(2, "Acme Facebook", "facebook")
X = AccountRef(3, "Acme on X", "x")
BLUESKY = AccountRef(4, "Acme Bluesky", "bluesky")
LINKEDIN_2 = AccountRef(5, "Acme Jobs", "linkedin")


def make_item(**fields: object) -> Item:
    values: dict[str, object] = {
        "title": "Spring menu",
        "link": "https://acme.example/spring?ref=feed#menu",
        "summary_html": "<p>New <b>dishes</b> &amp; drinks.</p><p>Come early.</p>",
        "categories": ["News", "web development"],
        "tags": ["food"],
        "published": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    }
    values.update(fields)
    return Item(external_id="1", **values)  # type: ignore[arg-type]


def render(
    renderer: CaptionRenderer, route: RouteConfig, item: Item, *accounts: AccountRef
) -> list[tuple[str, list[int]]]:
    groups = renderer.render_for_accounts(route, item, list(accounts), "blog")
    return [(group.caption, [account.id for account in group.accounts]) for group in groups]


def test_context_variables(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    template = (
        "{{ title }}|{{ summary | plain }}|{{ text }}|{{ author }}|{{ categories | join(',') }}|"
        "{{ tags | join(',') }}|{{ published.strftime('%Y-%m-%d') }}|{{ source }}|{{ route }}|"
        "{{ network }}|{{ account }}|{{ extra.rating }}|{{ rating }}|{{ caption }}"
    )
    item = make_item(extra={"rating": 5, "title": "ignored at top level"})
    [(caption, _)] = render(renderer, make_route(template), item, LINKEDIN)
    text = "New dishes & drinks.\n\nCome early."
    assert caption.split("|") == [
        "Spring menu",
        text,
        text,
        "",
        "News,web development",
        "food",
        "2026-03-01",
        "blog",
        "news",
        "linkedin",
        "Acme LinkedIn",
        "5",
        "5",
        text,
    ]


def test_media_caption_and_missing_optional_fields(
    renderer: CaptionRenderer, make_route: MakeRoute
) -> None:
    item = Item(external_id="f", extra={"caption": "Sunset over the bay"})
    route = make_route("{{ caption }}{{ author }}{{ published }}{{ summary }}{{ link }}")
    assert render(renderer, route, item, LINKEDIN) == [("Sunset over the bay", [1])]


def test_identical_captions_share_a_group(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    route = make_route("{{ title }} {{ link }}")
    groups = renderer.render_for_accounts(
        route, make_item(), [LINKEDIN, FACEBOOK, LINKEDIN_2], "blog"
    )
    assert len(groups) == 1
    assert groups[0].accounts == [LINKEDIN, FACEBOOK, LINKEDIN_2]
    assert groups[0].lengths == {"linkedin": 53, "facebook": 53}


def test_different_captions_make_different_groups(
    renderer: CaptionRenderer, make_route: MakeRoute
) -> None:
    route = make_route("{{ title }} by {{ account }}")
    assert render(renderer, route, make_item(), LINKEDIN, FACEBOOK) == [
        ("Spring menu by Acme LinkedIn", [1]),
        ("Spring menu by Acme Facebook", [2]),
    ]


def test_per_network_templates_override(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    route = make_route("Long: {{ title }}", templates={"x": "Short: {{ title }}"})
    assert render(renderer, route, make_item(), LINKEDIN, X, FACEBOOK) == [
        ("Long: Spring menu", [1, 2]),
        ("Short: Spring menu", [3]),
    ]


def test_route_utm_is_applied_per_network(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    utm = {"source": "social", "medium": "{{ network }}", "campaign": "{{ source }}-{{ route }}"}
    route = make_route("{{ link }}", utm=utm)
    assert render(renderer, route, make_item(), LINKEDIN, X) == [
        (
            "https://acme.example/spring?ref=feed&utm_source=social&utm_medium=linkedin"
            "&utm_campaign=blog-news#menu",
            [1],
        ),
        (
            "https://acme.example/spring?ref=feed&utm_source=social&utm_medium=x"
            "&utm_campaign=blog-news#menu",
            [3],
        ),
    ]


def test_utm_filter_in_a_template(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    route = make_route("{{ link | utm(source='bridge', content=network) }}")
    item = make_item(link="https://acme.example/a?utm_source=rss")
    assert render(renderer, route, item, BLUESKY) == [
        ("https://acme.example/a?utm_source=rss&utm_content=bluesky", [4])
    ]


def test_first_comment_is_rendered_and_part_of_the_group(
    renderer: CaptionRenderer, make_route: MakeRoute
) -> None:
    route = make_route("{{ title }}", first_comment="More: {{ link }} ({{ network }})")
    groups = renderer.render_for_accounts(route, make_item(), [LINKEDIN, FACEBOOK], "blog")
    assert [(group.caption, group.first_comment) for group in groups] == [
        ("Spring menu", "More: https://acme.example/spring?ref=feed#menu (linkedin)"),
        ("Spring menu", "More: https://acme.example/spring?ref=feed#menu (facebook)"),
    ]


def test_whitespace_is_tidied(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    route = make_route("\n\n{{ title }}\n\n{{ author }}\n\n\n{{ link }}\n\n")
    [(caption, _)] = render(renderer, route, make_item(link="https://a.example"), LINKEDIN)
    assert caption == "Spring menu\n\nhttps://a.example"


def test_truncate_counts_for_the_network(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    route = make_route("{{ title | truncate(7) }}")
    item = make_item(title="日本 語の 長い タイトル")
    assert render(renderer, route, item, LINKEDIN, X) == [("日本 語の…", [1]), ("日本…", [3])]


def test_fit_shrinks_a_part_to_the_network_limit(
    renderer: CaptionRenderer, make_route: MakeRoute
) -> None:
    summary = "<p>" + "Fresh seasonal dishes every day. " * 40 + "</p>"
    route = make_route("{{ title }}\n\n{{ summary | plain | fit }}\n\n{{ link }}")
    item = make_item(summary_html=summary)
    groups = renderer.render_for_accounts(route, item, [X, BLUESKY, LINKEDIN], "blog")
    by_network = {network: group for group in groups for network in group.lengths}
    x_caption = by_network["x"].caption
    assert by_network["x"].lengths["x"] <= 280
    assert by_network["x"].lengths["x"] >= 270  # fills the room, not just anything under it
    assert x_caption.startswith("Spring menu\n\nFresh seasonal dishes")
    assert x_caption.endswith("…\n\nhttps://acme.example/spring?ref=feed#menu")
    kept = x_caption.split("\n\n")[1].removesuffix("…")
    full = ("Fresh seasonal dishes every day. " * 40).strip()
    assert full.startswith(kept)
    assert full[len(kept)] == " "  # cut at a word boundary
    assert 290 <= by_network["bluesky"].lengths["bluesky"] <= 300
    assert by_network["linkedin"].lengths["linkedin"] > 1000  # under the limit: untouched
    assert "…" not in by_network["linkedin"].caption


def test_several_fit_parts_share_the_room(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    route = make_route("{{ title | fit }}\n{{ text | fit }}")
    item = make_item(title="word " * 100, summary_html="text " * 100)
    [(caption, _)] = render(renderer, route, item, X)
    first, second = caption.split("\n")
    assert caption_length(caption, "x") <= 280
    assert abs(len(first) - len(second)) <= 6


def test_fit_without_a_limit_keeps_everything(
    renderer: CaptionRenderer, make_route: MakeRoute
) -> None:
    route = make_route("{{ text | fit }}", accounts=["network:mastodon"])
    item = make_item(summary_html="long " * 2000)
    [(caption, _)] = render(renderer, route, item, AccountRef(9, "Toot", "mastodon"))
    assert caption == ("long " * 2000).strip()


def test_too_long_caption_raises_with_numbers_and_the_groups_that_fit(
    renderer: CaptionRenderer, make_route: MakeRoute
) -> None:
    route = make_route("{{ title }}")
    item = make_item(title="A" * 290)
    with pytest.raises(CaptionTooLongError) as caught:
        renderer.render_for_accounts(route, item, [LINKEDIN, X, BLUESKY], "blog")
    error = caught.value
    assert isinstance(error, CaptionError)
    assert (error.network, error.length, error.limit, error.route) == ("x", 290, 280, "news")
    assert error.accounts == [X]
    assert [group.accounts for group in error.groups] == [[LINKEDIN, BLUESKY]]
    assert str(error) == (
        "route 'news', network 'x': caption is 290 characters long, over the limit of 280 for x"
    )


def test_too_long_on_several_networks_reports_each(
    renderer: CaptionRenderer, make_route: MakeRoute
) -> None:
    route = make_route("{{ title }}")
    item = make_item(title="🌶️" * 200)
    with pytest.raises(CaptionTooLongError) as caught:
        renderer.render_for_accounts(route, item, [X, BLUESKY, LINKEDIN], "blog")
    found = [(e.network, e.length, e.limit) for e in caught.value.too_long]
    assert found == [("x", 400, 280)]
    item = make_item(title="😀" * 301)
    with pytest.raises(CaptionTooLongError) as caught:
        renderer.render_for_accounts(route, item, [X, BLUESKY, LINKEDIN], "blog")
    found = [(e.network, e.length, e.limit) for e in caught.value.too_long]
    assert found == [("x", 602, 280), ("bluesky", 301, 300)]
    assert [group.accounts for group in caught.value.groups] == [[LINKEDIN]]


def test_templates_compile_once(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    route = make_route("{{ title }}")
    first = renderer.compile(route.template, route="news", name="template")
    renderer.render_for_accounts(route, make_item(), [LINKEDIN, FACEBOOK], "blog")
    assert renderer.compile(route.template, route="news", name="template") is first


@pytest.mark.parametrize(
    "template",
    [
        "{{ title.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ categories.__class__.__init__.__globals__ }}",
        "{{ published.__reduce_ex__(2) }}",
        "{{ 'x' * 1000000000 }}",
        "{{ categories * 1000000000 }}",
        "{{ 2 ** 1000000000 }}",
    ],
)
def test_sandbox_blocks_internals(
    renderer: CaptionRenderer, make_route: MakeRoute, template: str
) -> None:
    with pytest.raises(CaptionTemplateError) as caught:
        render(renderer, make_route(template), make_item(), LINKEDIN)
    assert "unsafe" in str(caught.value)
    assert caught.value.route == "news"


def test_undefined_variable_names_route_and_variable(
    renderer: CaptionRenderer, make_route: MakeRoute
) -> None:
    route = make_route("{{ titel }}", templates={"x": "{{ extra.missing }}"})
    with pytest.raises(CaptionTemplateError) as caught:
        render(renderer, route, make_item(), LINKEDIN)
    assert str(caught.value) == (
        "route 'news', template, network 'linkedin': undefined variable: 'titel' is undefined"
    )
    with pytest.raises(CaptionTemplateError) as caught:
        render(renderer, route, make_item(), X)
    assert caught.value.template == "templates.x"
    assert "'missing'" in str(caught.value)


def test_ordinary_arithmetic_still_works(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    route = make_route("{{ '-' * 3 }} {{ 2 ** 10 }} {{ 3 * 4 }}")
    assert render(renderer, route, make_item(), LINKEDIN) == [("--- 1024 12", [1])]


def test_filter_misuse_is_a_caption_error(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    with pytest.raises(CaptionTemplateError, match="TypeError"):
        render(renderer, make_route("{{ title | truncate('x') }}"), make_item(), LINKEDIN)


def test_fit_on_x_counts_links_as_23(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    link = "https://acme.example/" + "long-path/" * 12
    route = make_route("{{ text | fit }} {{ link }}")
    item = make_item(summary_html="word " * 200, link=link)
    [(caption, _)] = render(renderer, route, item, X)
    assert caption.endswith("… " + link)
    assert caption_length(caption, "x") <= 280
    assert len(caption) > 280  # the real URL is longer than X counts it


def test_hashtags_filter_in_a_template(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    route = make_route("{{ categories | hashtags(max=1) }} {{ tags | hashtags(prefix='') }}")
    item = make_item(categories=["web development", "News"], tags=["Café"])
    assert render(renderer, route, item, LINKEDIN) == [("#WebDevelopment Cafe", [1])]
