"""The README keeps its promises: the two commands first, and every CLI command documented."""

from __future__ import annotations

import re
from pathlib import Path

from bridge.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_first_two_commands_are_demo_and_test() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, re.MULTILINE)
    assert re.search(r"^test:", makefile, re.MULTILINE)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme() -> None:
    missing = [name for name in cli.commands if f"`bridge {name}" not in README]
    assert missing == []


def test_the_configuration_sketch_is_valid() -> None:
    from bridge.captions import check_caption_templates
    from bridge.config import parse_config

    sketch = README.split("```toml", 1)[1].split("```", 1)[0]
    config = parse_config(sketch, path="README.md", environ={"POSTORIA_API_KEY": "pst_x"})
    check_caption_templates(config)
    assert [route.name for route in config.routes] == ["acme-news"]
