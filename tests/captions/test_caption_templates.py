from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import jinja2
import pytest

from bridge import Item, hookimpl
from bridge.captions import (
    AccountRef,
    CaptionRenderer,
    CaptionTemplateError,
    check_caption_templates,
    compile_route_templates,
    create_environment,
)
from bridge.config import InvalidConfigError, RouteConfig, parse_config
from bridge.plugins import pm

MakeRoute = Callable[..., RouteConfig]
LINKEDIN = AccountRef(1, "Acme LinkedIn", "linkedin")


def test_syntax_error_names_route_template_and_line(
    renderer: CaptionRenderer, make_route: MakeRoute
) -> None:
    route = make_route("{{ title }}", templates={"x": "{{ title }}\n{% if %}"})
    with pytest.raises(CaptionTemplateError) as caught:
        compile_route_templates(route, renderer=renderer)
    error = caught.value
    assert (error.route, error.template, error.line) == ("news", "templates.x", 2)
    assert str(error).startswith("route 'news', templates.x line 2: template syntax error:")


CONFIG = """\
[postoria]
api_key = "k"

[[sources]]
name = "blog"
type = "rss"

[[routes]]
name = "ok"
sources = ["blog"]
workspace = "Acme"
accounts = ["1"]
mode = "publish_now"
template = "{{ title }}"

[[routes]]
name = "broken"
sources = ["blog"]
workspace = "Acme"
accounts = ["1"]
mode = "publish_now"
template = \"\"\"
{{ title }}
{{ link | }}
\"\"\"
first_comment = "{% for %}"
utm = { medium = "{{ network" }

[routes.templates]
x = "{{ title }"
"""


def test_config_check_lists_every_template_error_with_its_line(
    renderer: CaptionRenderer, tmp_path: Path
) -> None:
    config = parse_config(CONFIG, path=str(tmp_path / "bridge.toml"), environ={})
    with pytest.raises(InvalidConfigError) as caught:
        check_caption_templates(config, renderer=renderer)
    found = [(p.line, p.key, p.message.split(":")[0]) for p in caught.value.problems]
    assert found == [
        (24, "routes[1].template", "template syntax error"),
        (26, "routes[1].first_comment", "template syntax error"),
        (27, "routes[1].utm.medium", "template syntax error"),
        (30, "routes[1].templates.x", "template syntax error"),
    ]
    assert caught.value.problems[0].message == (
        "template syntax error: expected token 'name', got 'end of print statement'"
    )


def test_example_config_templates_compile(renderer: CaptionRenderer) -> None:
    example = Path(__file__).resolve().parents[2] / "config" / "example.toml"
    environ = {
        "POSTORIA_API_KEY": "k",
        "BRIDGE_DASHBOARD_PASSWORD": "p",
        "ACME_WP_APP_PASSWORD": "a",
    }
    config = parse_config(example.read_text(), path=str(example), environ=environ)
    check_caption_templates(config, renderer=renderer)


def test_captions_are_not_html_escaped(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    item = Item(external_id="1", title="Fish & <Chips>")
    groups = renderer.render_for_accounts(make_route("{{ title }}"), item, [LINKEDIN], "blog")
    assert groups[0].caption == "Fish & <Chips>"


def test_block_tags_leave_no_stray_lines(renderer: CaptionRenderer, make_route: MakeRoute) -> None:
    template = "{{ title }}\n{% if author %}\nby {{ author }}\n{% endif %}\n{{ tags | join(' ') }}"
    item = Item(external_id="1", title="T", tags=["a", "b"])
    groups = renderer.render_for_accounts(make_route(template), item, [LINKEDIN], "blog")
    assert groups[0].caption == "T\na b"


def shout(value: str) -> str:
    return str(value).upper() + "!"


class ShoutPlugin:
    @hookimpl
    def prepare_caption_environment(self, env: jinja2.Environment) -> None:
        env.filters["shout"] = shout


@pytest.fixture
def shout_plugin() -> Iterator[None]:
    """Register a throwaway plugin that adds a ``shout`` filter."""
    plugin = ShoutPlugin()
    pm.register(plugin, name="test-shout")
    try:
        yield
    finally:
        pm.unregister(plugin)


@pytest.mark.usefixtures("shout_plugin")
def test_plugins_add_filters(make_route: MakeRoute) -> None:
    renderer = CaptionRenderer(create_environment())
    item = Item(external_id="1", title="hello")
    groups = renderer.render_for_accounts(make_route("{{ title | shout }}"), item, [LINKEDIN], "b")
    assert groups[0].caption == "HELLO!"


def test_without_plugins_an_unknown_filter_is_a_syntax_error(
    renderer: CaptionRenderer, make_route: MakeRoute
) -> None:
    with pytest.raises(CaptionTemplateError, match="No filter named 'shout'"):
        compile_route_templates(make_route("{{ title | shout }}"), renderer=renderer)
