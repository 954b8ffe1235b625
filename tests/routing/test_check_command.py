"""``bridge check``: a good config prints what it resolved; bad ones fail naming the place."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from routing_helpers import config_text

from bridge.cli import cli
from bridge.sandbox import SandboxServer

SOURCE = '[[sources]]\nname = "blog"\ntype = "rss"\nurl = "http://127.0.0.1:9/feed.xml"\n'
GOOD_ROUTES = """
[[routes]]
name = "acme-news"
sources = ["blog"]
workspace = "Acme Corp"
accounts = ["network:linkedin", "Acme on X"]
mode = "schedule"
slots = ["09:00", "13:00"]
template = "{{ title }} {{ link }}"

[[routes]]
name = "acme-evergreen"
sources = ["blog"]
workspace = "1"
accounts = ["104"]
mode = "queue"
queue = "Evergreen"
approval = true
template = "{{ title }}"
"""


def write(tmp_path: Path, sandbox: SandboxServer, routes: str, source: str = SOURCE) -> Path:
    path = tmp_path / "bridge.toml"
    path.write_text(config_text(sandbox.url, tmp_path / "b.db", source, routes), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the first line of ``path`` containing ``text``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_a_good_config_prints_each_routes_resolved_names(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    path = write(tmp_path, sandbox, GOOD_ROUTES)
    result = CliRunner().invoke(cli, ["check", "-c", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid (1 sources, 2 routes)" in result.output
    assert "workspace: Acme Corp (id 1, America/New_York)" in result.output
    assert "Acme on LinkedIn (linkedin, id 102), Acme on X (x, id 101)" in result.output
    assert "queue: Evergreen (id 12) - PAUSED" in result.output
    assert "slots: 09:00, 13:00 (America/New_York)" in result.output
    assert {entry["method"] for entry in sandbox.state.requests()} == {"GET"}
    assert not (tmp_path / "b.db").exists()


def test_unknown_names_fail_with_route_selector_and_line(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    routes = GOOD_ROUTES.replace('"Acme on X"', '"Acme on Twitter"').replace(
        'queue = "Evergreen"', 'queue = "Weekend"'
    )
    path = write(tmp_path, sandbox, routes)
    result = CliRunner().invoke(cli, ["check", "-c", str(path)])
    assert result.exit_code == 1
    assert "2 problems" in result.output
    where = f"{path}:{line_of(path, 'Acme on Twitter')}: routes[0].accounts[1]"
    assert f"{where}: route 'acme-news': account 'Acme on Twitter'" in result.output
    assert "routes[1].queue: route 'acme-evergreen': queue 'Weekend'" in result.output


def test_an_unknown_workspace_fails(tmp_path: Path, sandbox: SandboxServer) -> None:
    path = write(tmp_path, sandbox, GOOD_ROUTES.replace('"Acme Corp"', '"Acme Inc"'))
    result = CliRunner().invoke(cli, ["check", "-c", str(path)])
    assert result.exit_code == 1
    assert "route 'acme-news': workspace 'Acme Inc': no workspace matches" in result.output


def test_bad_config_lines_are_reported_with_their_location(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    routes = GOOD_ROUTES.replace('slots = ["09:00", "13:00"]', 'slots = ["9am"]')
    routes = routes.replace('template = "{{ title }}"\n', 'template = "{{ title "\n')
    source = SOURCE + 'interval = 10\nbogus = "x"\n'
    path = write(tmp_path, sandbox, routes, source)
    result = CliRunner().invoke(cli, ["check", "-c", str(path)])
    assert result.exit_code == 1
    assert f"{path}:{line_of(path, 'interval = 10')}: sources[0].interval" in result.output
    assert "routes[0].slots[0]" in result.output and "HH:MM" in result.output
    assert sandbox.state.requests() == []


def test_bad_source_options_and_templates_are_reported(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    source = SOURCE + 'bogus = "x"\n'
    routes = GOOD_ROUTES.replace('template = "{{ title }}"\n', 'template = "{{ title "\n')
    path = write(tmp_path, sandbox, routes, source)
    result = CliRunner().invoke(cli, ["check", "-c", str(path)])
    assert result.exit_code == 1
    assert f"{path}:{line_of(path, 'bogus')}: sources[0].bogus: unknown key" in result.output
    source_ok = write(tmp_path, sandbox, routes)
    result = CliRunner().invoke(cli, ["check", "-c", str(source_ok)])
    assert result.exit_code == 1
    assert "routes[1].template: template syntax error" in result.output


def test_offline_checks_the_file_without_asking_postoria(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    path = write(tmp_path, sandbox, GOOD_ROUTES.replace('"Acme Corp"', '"No Such Workspace"'))
    result = CliRunner().invoke(cli, ["check", "--offline", "-c", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid (1 sources, 2 routes)" in result.output
    assert sandbox.state.requests() == []


def test_a_revoked_key_is_reported_without_showing_it(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    path = write(tmp_path, sandbox, GOOD_ROUTES)
    path.write_text(path.read_text().replace("pst_test_agency_key", "pst_test_revoked_key"))
    result = CliRunner().invoke(cli, ["check", "-c", str(path)])
    assert result.exit_code == 1
    assert "Invalid API key" in result.output and "401" in result.output
    assert "pst_test_revoked_key" not in result.output
