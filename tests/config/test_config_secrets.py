from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bridge.config import BridgeConfig, InvalidConfigError
from bridge.config.secrets import resolve_secrets

Parse = Callable[..., BridgeConfig]


def test_interpolates_variables_anywhere_in_strings(tmp_path: Path) -> None:
    data = {"a": "https://${HOST}:${PORT}/x", "b": ["${HOST}"], "c": {"d": "$${HOST}"}}
    resolution = resolve_secrets(data, {"HOST": "h", "PORT": "1"}, tmp_path)
    assert resolution.problems == []
    assert resolution.data == {"a": "https://h:1/x", "b": ["h"], "c": {"d": "${HOST}"}}
    assert resolution.substituted == {("a",): ["h", "1"], ("b", 0): ["h"]}


def test_dollar_before_a_template_expression_is_not_a_reference(tmp_path: Path) -> None:
    data = {"template": "Only ${{ price }} today, ${ not a name }"}
    resolution = resolve_secrets(data, {}, tmp_path)
    assert resolution.problems == []
    assert resolution.data == data


def test_env_and_file_references(tmp_path: Path) -> None:
    (tmp_path / "key.txt").write_text("from-file\n")
    data = {"a": {"$env": "TOKEN"}, "b": {"$file": "key.txt"}}
    resolution = resolve_secrets(data, {"TOKEN": "from-env"}, tmp_path)
    assert resolution.problems == []
    assert resolution.data == {"a": "from-env", "b": "from-file"}


def test_missing_references_name_the_key_and_variable(tmp_path: Path) -> None:
    data = {
        "x": {"url": "${MISSING_ONE}"},
        "y": [{"$env": "MISSING_TWO"}],
        "z": {"$file": "nope.txt"},
        "w": {"$env": "A", "other": 1},
    }
    problems = resolve_secrets(data, {}, tmp_path).problems
    found = {(problem.key, problem.message.split(":")[0]) for problem in problems}
    assert found == {
        ("x.url", "environment variable MISSING_ONE is not set"),
        ("y[0]", "environment variable MISSING_TWO is not set"),
        ("z", f"cannot read secret file {str(tmp_path / 'nope.txt')!r}"),
        ("w", 'a "$env" or "$file" reference takes no other keys'),
    }


def test_secret_values_never_appear_in_errors(parse: Parse, minimal: str) -> None:
    text = minimal.replace('"pst_test_key"', '"${KEY}"').replace(
        "[postoria]", '[postoria]\ntimeout = "${KEY}"'
    )
    with pytest.raises(InvalidConfigError) as caught:
        parse(text, {"KEY": "pst_live_SECRET"})
    assert "pst_live_SECRET" not in str(caught.value)
    assert "postoria.timeout" in str(caught.value)


def test_api_key_is_secret_in_repr(parse: Parse, minimal: str) -> None:
    config = parse(minimal.replace('"pst_test_key"', '{ "$env" = "KEY" }'), {"KEY": "pst_SECRET"})
    assert config.postoria.api_key.get_secret_value() == "pst_SECRET"
    assert "pst_SECRET" not in repr(config)
    assert "pst_SECRET" not in str(config)


def test_source_options_are_hidden_in_repr(parse: Parse, minimal: str) -> None:
    text = minimal.replace('url = "https://blog.example/feed"', 'password = "hunter2"')
    config = parse(text)
    assert config.sources[0].options == {"password": "hunter2"}
    assert "hunter2" not in repr(config)


def test_database_password_is_redacted_in_repr(parse: Parse, minimal: str) -> None:
    text = minimal + '\n[database]\nurl = "postgresql+psycopg://bridge:s3cret@db/bridge"\n'
    config = parse(text)
    assert config.database.url.endswith("bridge:s3cret@db/bridge")
    assert "s3cret" not in repr(config)
    assert config.database.redacted_url == "postgresql+psycopg://bridge:***@db/bridge"


def test_values_from_overrides_never_appear_in_errors(parse: Parse, minimal: str) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        parse(minimal, {"BRIDGE_POSTORIA__TIMEOUT": "pst_live_SECRET"})
    assert "pst_live_SECRET" not in str(caught.value)
    assert "$BRIDGE_POSTORIA__TIMEOUT: postoria.timeout: '***' is not a duration" in str(
        caught.value
    )
