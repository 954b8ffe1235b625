"""Every hook is documented in docs/plugin-hooks.md and exercised by a test."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from bridge import hookspecs

REPO_ROOT = Path(__file__).resolve().parents[2]
HOOK_DOCS = REPO_ROOT / "docs" / "plugin-hooks.md"
TESTS = Path(__file__).resolve().parent


def hook_signatures() -> dict[str, str]:
    """``{"enrich_item": "enrich_item(item, source_name, source_type)", …}``."""
    found = {}
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if hasattr(function, "bridge_spec"):
            arguments = ", ".join(inspect.signature(function).parameters)
            found[name] = f"{name}({arguments})"
    return found


def documented_headings() -> list[str]:
    return re.findall(r"^## (\w+\(.*\))$", HOOK_DOCS.read_text(encoding="utf-8"), re.MULTILINE)


HOOKS = hook_signatures()


def test_hookspecs_are_found() -> None:
    assert {"register_sources", "register_commands", "enrich_item"} <= set(HOOKS)


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_plugin_hook_is_documented(hook: str) -> None:
    assert HOOKS[hook] in documented_headings(), f"add a '## {HOOKS[hook]}' section"


def test_documented_hooks_exist() -> None:
    assert sorted(documented_headings()) == sorted(HOOKS.values())


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_plugin_hook_has_a_test(hook: str) -> None:
    source = "\n".join(path.read_text(encoding="utf-8") for path in TESTS.glob("test_*.py"))
    assert f"def test_hook_{hook}(" in source, f"add test_hook_{hook} to tests/plugins/"


def test_python_examples_compile() -> None:
    text = HOOK_DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert len(blocks) >= len(HOOKS)
    for number, block in enumerate(blocks, start=1):
        compile(block, f"docs/plugin-hooks.md example {number}", "exec")
