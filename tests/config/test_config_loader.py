from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bridge.config import BridgeConfig, InvalidConfigError, load_config, parse_config
from bridge.errors import ConfigError

Parse = Callable[..., BridgeConfig]


def problem_lines(error: InvalidConfigError) -> list[str]:
    return [str(problem) for problem in error.problems]


def test_minimal_config_gets_defaults(parse: Parse, minimal: str) -> None:
    config = parse(minimal)
    assert config.postoria.base_url == "https://api.postoria.io/v1"
    assert config.postoria.budget.requests == 300
    assert config.postoria.budget.per == timedelta(minutes=5)
    assert config.postoria.budget.margin == 10
    assert config.postoria.timeout == timedelta(seconds=30)
    assert config.dashboard.host == "127.0.0.1"
    assert config.dashboard.port == 8080
    assert config.dashboard.password is None
    assert config.engine.publish_interval == timedelta(seconds=30)
    assert config.engine.download_max_bytes == 50 * 1024 * 1024
    assert config.engine.user_agent.startswith("postoria-bridge/")
    assert config.sources[0].interval == timedelta(minutes=10)
    assert config.sources[0].backlog.kind == "skip"
    assert config.sources[0].options == {"url": "https://blog.example/feed"}


def test_load_config_reads_a_file(tmp_path: Path, minimal: str) -> None:
    path = tmp_path / "bridge.toml"
    path.write_text(minimal)
    config = load_config(path, environ={})
    assert config.path == path
    assert config.routes[0].name == "news"


def test_load_config_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file") as caught:
        load_config(tmp_path / "absent.toml")
    assert caught.value.file == str(tmp_path / "absent.toml")


def test_toml_syntax_error_has_file_line_and_column() -> None:
    text = '[postoria]\napi_key = "k"\nbase_url = "unterminated\n'
    with pytest.raises(ConfigError) as caught:
        parse_config(text, path="conf.toml", environ={})
    assert caught.value.file == "conf.toml"
    assert caught.value.line == 3
    assert str(caught.value).startswith("conf.toml:3: invalid TOML:")
    assert "column" in str(caught.value)


def test_every_problem_is_reported_with_line_and_key(parse: Parse, minimal: str) -> None:
    text = (
        minimal.replace('mode = "publish_now"', 'mode = "scheduled"')
        .replace('type = "rss"', 'type = "rss"\ninterval = "10 minutes"\nbacklog = "newest"')
        .replace("[postoria]", "[postoria]\nbase_urll = 'x'")
        .replace("[[routes]]", "[dashboard]\nbind = 'localhost'\n\n[[routes]]")
    )
    with pytest.raises(InvalidConfigError) as caught:
        parse(text)
    lines = problem_lines(caught.value)
    file = caught.value.file
    assert lines == [
        f"{file}:2: postoria.base_urll: unknown key (did you mean 'base_url'?)",
        f"{file}:8: sources[0].interval: '10 minutes': unknown unit 'minutes' "
        "(use w, d, h, m or s)",
        f'{file}:9: sources[0].backlog: \'newest\': write "skip", "all" or "latest:N" '
        "(N at least 1)",
        f'{file}:13: dashboard.bind: write it as "HOST:PORT", like "127.0.0.1:8080"',
        f"{file}:20: routes[0].mode: Input should be 'publish_now', 'schedule' or 'queue'",
    ]
    assert str(caught.value).startswith(f"{file}: 5 problems in the configuration:\n")
    assert caught.value.line == 2
    assert caught.value.key == "postoria.base_urll"


def test_single_problem_reads_like_one_config_error(parse: Parse, minimal: str) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        parse(minimal.replace('workspace = "Acme"\n', ""))
    error = caught.value
    assert (error.line, error.key, error.reason) == (
        9,
        "routes[0].workspace",
        "required key is missing",
    )
    assert str(error) == f"{error.file}:9: routes[0].workspace: required key is missing"


def test_missing_sections_and_secrets_are_reported_together(parse: Parse) -> None:
    text = '[postoria]\napi_key = "${POSTORIA_API_KEY}"\n[engine]\nmedia_timeout = 5\n'
    with pytest.raises(InvalidConfigError) as caught:
        parse(text)
    assert [problem.message for problem in caught.value.problems] == [
        "environment variable POSTORIA_API_KEY is not set",
        'a duration needs a unit: write it as a string like "90s" or "10m"',
    ]


def test_env_overrides_nest_with_double_underscores(parse: Parse, minimal: str) -> None:
    config = parse(
        minimal,
        {
            "BRIDGE_POSTORIA__BASE_URL": "http://127.0.0.1:8765/v1/",
            "BRIDGE_POSTORIA__BUDGET__REQUESTS": "200",
            "BRIDGE_DATABASE__URL": "postgresql+psycopg://db/bridge",
            "BRIDGE_DASHBOARD__PASSWORD": "12345",
            "BRIDGE_LOAD_PLUGINS": "postoria-bridge",
            "BRIDGE_DASHBOARD_PASSWORD": "not an override",
        },
    )
    assert config.postoria.base_url == "http://127.0.0.1:8765/v1"
    assert config.postoria.budget.requests == 200
    assert config.postoria.budget.per == timedelta(minutes=5)
    assert config.database.url == "postgresql+psycopg://db/bridge"
    assert config.dashboard.password is not None
    assert config.dashboard.password.get_secret_value() == "12345"


def test_bad_env_overrides_name_the_variable(parse: Parse, minimal: str) -> None:
    environ = {"BRIDGE_ENGINE__NOPE": "1", "BRIDGE_SOURCES__NAME": "x"}
    with pytest.raises(InvalidConfigError) as caught:
        parse(minimal, environ)
    lines = sorted(problem_lines(caught.value))
    assert lines[0].startswith("$BRIDGE_ENGINE__NOPE: engine.nope: unknown key (allowed: ")
    assert lines[1] == (
        "$BRIDGE_SOURCES__NAME: sources.name: sources is not a table, so it has no keys"
    )


def test_relative_paths_resolve_against_the_config_folder(
    parse: Parse, minimal: str, tmp_path: Path
) -> None:
    config = parse(
        minimal + '\n[database]\nurl = "sqlite:///state/bridge.db"\n[engine]\ndata_dir = "data"\n'
    )
    assert config.database.url == f"sqlite:///{tmp_path.resolve()}/state/bridge.db"
    assert config.engine.data_dir == tmp_path.resolve() / "data"


@pytest.mark.parametrize(
    "url", ["sqlite:////var/lib/bridge.db", "sqlite://", "sqlite:///:memory:", "postgresql://h/db"]
)
def test_absolute_and_memory_database_urls_stay(parse: Parse, minimal: str, url: str) -> None:
    config = parse(minimal + f'\n[database]\nurl = "{url}"\n')
    assert config.database.url == url


def test_top_level_path_key_is_rejected(parse: Parse, minimal: str) -> None:
    with pytest.raises(InvalidConfigError, match="path: unknown key"):
        parse('path = "/elsewhere"\n' + minimal)


def test_source_and_route_lookups(parse: Parse, minimal: str) -> None:
    text = minimal + (
        '\n[[sources]]\nname = "other"\ntype = "rss"\nurl = "https://o.example/feed"\n'
        '\n[[routes]]\nname = "both"\nsources = ["other", "blog"]\nworkspace = "1"\n'
        'accounts = ["42"]\nmode = "queue"\nqueue = "Main"\ntemplate = "{{ title }}"\n'
    )
    config = parse(text)
    assert config.source("other").options["url"] == "https://o.example/feed"
    assert [route.name for route in config.routes_for("blog")] == ["news", "both"]
    assert [route.name for route in config.routes_for("other")] == ["both"]
    with pytest.raises(KeyError):
        config.source("missing")
