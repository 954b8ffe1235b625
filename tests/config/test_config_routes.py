from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

import pytest

from bridge import Item
from bridge.config import Backlog, BridgeConfig, InvalidConfigError

Parse = Callable[..., BridgeConfig]


def route_text(minimal: str, *lines: str, mode: str = "publish_now") -> str:
    extra = "\n".join(lines)
    return minimal.replace('mode = "publish_now"', f'mode = "{mode}"\n{extra}')


def problems_of(parse: Parse, text: str) -> list[tuple[str, str]]:
    with pytest.raises(InvalidConfigError) as caught:
        parse(text)
    return [(problem.key, problem.message) for problem in caught.value.problems]


def test_schedule_with_slots(parse: Parse, minimal: str) -> None:
    config = parse(route_text(minimal, 'slots = ["17:30", "09:00", 13:00:00]', mode="schedule"))
    route = config.routes[0]
    assert route.slots == [time(17, 30), time(9, 0), time(13, 0)]
    assert route.sorted_slots == [time(9, 0), time(13, 0), time(17, 30)]


def test_schedule_with_delay(parse: Parse, minimal: str) -> None:
    config = parse(route_text(minimal, 'delay = "15m"', mode="schedule"))
    assert config.routes[0].delay == timedelta(minutes=15)


@pytest.mark.parametrize(
    ("mode", "lines", "expected"),
    [
        ("schedule", [], [("routes[0].mode", "schedule needs slots (times of day) or a delay")]),
        (
            "schedule",
            ['slots = ["09:00"]', 'delay = "1h"'],
            [("routes[0].delay", "schedule takes either slots or delay, not both")],
        ),
        ("queue", [], [("routes[0].mode", "queue mode needs queue = the queue's name or ID")]),
        (
            "publish_now",
            ['slots = ["09:00"]', 'queue = "Main"'],
            [
                ("routes[0].slots", 'slots only applies to mode = "schedule"'),
                ("routes[0].queue", 'queue only applies to mode = "queue"'),
            ],
        ),
        (
            "queue",
            ['queue = "Main"', 'delay = "0s"'],
            [("routes[0].delay", 'delay only applies to mode = "schedule"')],
        ),
        (
            "schedule",
            ['slots = ["09:00", "9:00"]'],
            [("routes[0].slots", "a time appears twice")],
        ),
        (
            "publish_now",
            ["comment_delay = 5"],
            [("routes[0].comment_delay", "comment_delay needs a first_comment")],
        ),
    ],
)
def test_mode_rules(
    parse: Parse, minimal: str, mode: str, lines: list[str], expected: list[tuple[str, str]]
) -> None:
    assert problems_of(parse, route_text(minimal, *lines, mode=mode)) == expected


def test_rule_problems_point_at_their_line(parse: Parse, minimal: str) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        parse(route_text(minimal, 'queue = "Main"'))
    assert caught.value.line == minimal.splitlines().index('mode = "publish_now"') + 2


@pytest.mark.parametrize(
    ("line", "key", "message"),
    [
        ('slots = ["25:00"]', "routes[0].slots[0]", "'25:00' is not a time of day"),
        ("slots = [900]", "routes[0].slots[0]", 'write a time of day as a string "HH:MM"'),
        ('media = "always"', "routes[0].media", "Input should be 'required', 'optional' or"),
        ("max_per_day = 0", "routes[0].max_per_day", "Input should be greater than or equal to 1"),
        ('min_spacing = "0s"', "routes[0].min_spacing", "must be longer than zero"),
        ('include = ["news", "(unclosed"]', "routes[0].include[1]", "'(unclosed' is not a valid"),
        ('exclude = ["category:"]', "routes[0].exclude[0]", "say which category to match"),
        ('utm = { source = "x", medum = "y" }', "routes[0].utm", "unknown UTM parameter 'medum'"),
        ("templates = { twiter = 'x' }", "routes[0].templates", "did you mean 'x'?"),
        ("templates = { twitter = 'x' }", "routes[0].templates", "is called 'x' in Postoria"),
        ("templates = { LinkedIn = 'x' }", "routes[0].templates", "did you mean 'linkedin'?"),
        ('content_type = "gif"', "routes[0].content_type", "Input should be 'text', 'image'"),
        ('repost = { until = "2027-01-01" }', "routes[0].repost.frequency", "required key"),
        ('repost = { frequency = "weekly" }', "routes[0].repost.frequency", "every1_day"),
    ],
)
def test_invalid_route_values(
    parse: Parse, minimal: str, line: str, key: str, message: str
) -> None:
    problems = problems_of(parse, route_text(minimal, line))
    assert len(problems) == 1
    assert problems[0][0] == key
    assert message in problems[0][1]


def test_account_selectors(parse: Parse, minimal: str) -> None:
    text = minimal.replace(
        'accounts = ["network:linkedin"]', 'accounts = ["12", "Acme on X", "network:linkdin", ""]'
    )
    assert problems_of(parse, text) == [
        ("routes[0].accounts[2]", "unknown network 'linkdin': did you mean 'linkedin'?"),
        ("routes[0].accounts[3]", "an account selector is empty"),
    ]


def test_unknown_but_plausible_networks_are_allowed(parse: Parse, minimal: str) -> None:
    text = route_text(minimal, "templates = { mastodon = '{{ title }}' }")
    text = text.replace('"network:linkedin"', '"network:mastodon"')
    route = parse(text).routes[0]
    assert route.template_for("mastodon") == "{{ title }}"
    assert route.template_for("linkedin") == "{{ title }} {{ link }}"


def test_names_are_unique_and_routes_name_defined_sources(parse: Parse, minimal: str) -> None:
    route = minimal[minimal.index("[[routes]]") :]
    source = minimal[minimal.index("[[sources]]") : minimal.index("[[routes]]")]
    text = minimal + source + route.replace('["blog"]', '["blog", "blgo", "vlog"]')
    assert problems_of(parse, text) == [
        ("sources[1].name", "another source is already named 'blog': names must be unique"),
        ("routes[1].name", "another route is already named 'news': names must be unique"),
        ("routes[1].sources[1]", "no source is named 'blgo' (sources: blog)"),
        ("routes[1].sources[2]", "no source is named 'vlog' (sources: blog)"),
    ]


@pytest.mark.parametrize(
    ("name", "ok"), [("acme-blog", True), ("a_1", True), ("Acme", False), ("a b", False)]
)
def test_source_names(parse: Parse, minimal: str, name: str, ok: bool) -> None:
    text = minimal.replace('name = "blog"', f'name = "{name}"').replace('["blog"]', f'["{name}"]')
    if ok:
        assert parse(text).sources[0].name == name
    else:
        assert problems_of(parse, text)[0][0] == "sources[0].name"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("skip", Backlog(kind="skip")),
        ("all", Backlog(kind="all")),
        ("latest:3", Backlog(kind="latest", count=3)),
        ("Latest: 12", Backlog(kind="latest", count=12)),
    ],
)
def test_backlog(parse: Parse, minimal: str, text: str, expected: Backlog) -> None:
    config = parse(minimal.replace('type = "rss"', f'type = "rss"\nbacklog = "{text}"'))
    assert config.sources[0].backlog == expected
    assert str(Backlog.parse(str(expected))) == str(expected)


@pytest.mark.parametrize("text", ["latest:0", "latest", "some", "latest:x"])
def test_bad_backlog(parse: Parse, minimal: str, text: str) -> None:
    problems = problems_of(
        parse, minimal.replace('type = "rss"', f'type = "rss"\nbacklog = "{text}"')
    )
    assert problems[0][0] == "sources[0].backlog"


def test_repost_and_network_options(parse: Parse, minimal: str) -> None:
    config = parse(
        route_text(
            minimal,
            'repost = { frequency = "every7_day", until = 2027-01-31 }',
            'tiktok = { who_can_watch = "public_to_everyone", allow_comments = true }',
            'content_type = "video"',
            "link = true",
        )
    )
    route = config.routes[0]
    assert route.repost is not None
    assert (route.repost.frequency, route.repost.until) == ("every7_day", date(2027, 1, 31))
    assert route.tiktok == {"who_can_watch": "public_to_everyone", "allow_comments": True}
    assert route.link is True


def make_item(**fields: object) -> Item:
    return Item(external_id="1", **fields)  # type: ignore[arg-type]


def test_include_and_exclude_rules(parse: Parse, minimal: str) -> None:
    text = route_text(
        minimal,
        'include = ["category:News", "tag:launch", "author:Alice", "title:[beta]", "(?i)release"]',
        'exclude = ["(?i)sponsored"]',
    )
    route = parse(text).routes[0]
    assert [rule.kind for rule in route.include_rules] == [
        "category",
        "tag",
        "author",
        "title",
        "regex",
    ]
    assert route.accepts(make_item(categories=["news"]))
    assert route.accepts(make_item(tags=["Launch"]))
    assert route.accepts(make_item(author="alice"))
    assert route.accepts(make_item(title="Now in [BETA]"))
    assert route.accepts(make_item(summary_text="The new RELEASE is out"))
    assert not route.accepts(make_item(title="Nothing to see", categories=["Events"]))
    assert not route.accepts(make_item(categories=["News"], content_text="Sponsored post"))
    assert route.accepts(make_item(title="Quarterly notes", categories=["Release notes"]))
    assert not route.accepts(make_item(categories=["News", "Sponsored content"]))


def test_no_include_rules_accept_everything_not_excluded(parse: Parse, minimal: str) -> None:
    route = parse(route_text(minimal, 'exclude = ["tag:draft"]')).routes[0]
    assert route.accepts(make_item(title="anything"))
    assert not route.accepts(make_item(tags=["Draft"]))
