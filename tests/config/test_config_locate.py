from __future__ import annotations

from bridge.config.locate import KeyLines

TEXT = """\
# a comment with [brackets] and key = value
[postoria]
api_key = "k"   # trailing [comment]
budget = { requests = 300,
  per = "5m" }
"quoted key" = 1

[[sources]]
name = "a"
categories = [
  "x = 1",
  "[not a table]",
]

[[sources]]
name = "b"
template = '''
[[routes]]
name = "fake"
'''
after = true

[sources.extra]
deep = 1

[[routes]]
name = "r"
template = \"\"\"
first line with \\\"\\\"\\\" escaped quotes
\"\"\"
mode = "queue"

[routes.templates]
x = "t"
dotted.key = 2
"""


def test_scans_tables_keys_and_array_elements() -> None:
    lines = KeyLines.scan(TEXT).lines
    assert lines[("postoria",)] == 2
    assert lines[("postoria", "api_key")] == 3
    assert lines[("postoria", "budget")] == 4
    assert lines[("postoria", "quoted key")] == 6
    assert lines[("sources", 0)] == 8
    assert lines[("sources", 0, "categories")] == 10
    assert lines[("sources", 1, "name")] == 16
    assert lines[("sources", 1, "template")] == 17
    assert lines[("sources", 1, "after")] == 21
    assert lines[("sources", 1, "extra", "deep")] == 24
    assert lines[("routes", 0)] == 26
    assert ("routes", 1) not in lines  # the [[routes]] inside a string is not a table
    assert lines[("routes", 0, "mode")] == 31
    assert lines[("routes", 0, "templates", "x")] == 34
    assert lines[("routes", 0, "templates", "dotted", "key")] == 35


def test_keys_inside_values_are_not_keys() -> None:
    lines = KeyLines.scan(TEXT).lines
    assert ("postoria", "per") not in lines
    assert ("sources", 0, "x") not in lines


def test_unknown_keys_fall_back_to_the_nearest_known_one() -> None:
    found = KeyLines.scan(TEXT)
    assert found.line_of(("postoria", "budget", "per")) == 4
    assert found.line_of(("sources", 0, "categories", 1)) == 10
    assert found.line_of(("routes", 0, "missing")) == 26
    assert found.line_of(("nowhere",)) is None


def test_lines_inside_multiline_strings() -> None:
    found = KeyLines.scan(TEXT)
    assert found.line_in_value(("sources", 1, "template"), 2) == 19
    assert found.line_in_value(("routes", 0, "templates", "x"), 3) == 34


def test_never_raises_on_broken_text() -> None:
    found = KeyLines.scan('[unclosed\nkey = "open string\n[[a]]\nb = """\n')
    assert found.line_of(("a", 0)) == 3
