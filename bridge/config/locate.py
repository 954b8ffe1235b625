"""Finding the line where a key was written, so errors can point at it.

``tomllib`` returns plain dicts without positions, so this module scans the TOML text once:
table headers (``[postoria]``, the n-th ``[[routes]]``, ``[routes.templates]``) and
``key = value`` lines, skipping multi-line strings and the insides of multi-line arrays and
inline tables. It understands enough TOML to place keys in files people write by hand; when
a key cannot be found, the nearest enclosing key or table that can is used instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .problems import Loc

_BARE_OR_QUOTED_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED_KEY = rf"{_BARE_OR_QUOTED_KEY}(?:\s*\.\s*{_BARE_OR_QUOTED_KEY})*"
_ARRAY_HEADER = re.compile(rf"\s*\[\[\s*({_DOTTED_KEY})\s*\]\]")
_TABLE_HEADER = re.compile(rf"\s*\[\s*({_DOTTED_KEY})\s*\]")
_KEY_LINE = re.compile(rf"\s*({_DOTTED_KEY})\s*=")
_KEY_PART = re.compile(_BARE_OR_QUOTED_KEY)


def _split_key(dotted: str) -> list[str]:
    parts = []
    for match in _KEY_PART.finditer(dotted):
        part = match.group(0)
        if part[0] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return parts


@dataclass
class KeyLines:
    """Line numbers (1-based) of the keys and tables of one TOML document."""

    lines: dict[Loc, int] = field(default_factory=dict)
    text_starts: dict[Loc, int] = field(default_factory=dict)
    """For keys holding a multi-line string: the line its text starts on."""

    @classmethod
    def scan(cls, text: str) -> KeyLines:
        """Scan ``text`` once; never raises, whatever the text holds."""
        found = cls()
        _Scanner(found.lines, found.text_starts).run(text)
        return found

    def line_in_value(self, loc: Loc, line: int) -> int | None:
        """The file line of ``line`` (1-based) within the string value at ``loc``.

        Exact for multi-line strings; for a one-line string it is the key's line. ``None``
        when the key itself was not found.
        """
        start = self.text_starts.get(loc)
        if start is not None:
            return start + line - 1
        return self.lines.get(loc)

    def line_of(self, loc: Loc) -> int | None:
        """The line of ``loc`` or of its nearest enclosing key that was found, else ``None``."""
        for end in range(len(loc), 0, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None


class _Scanner:
    """A line-oriented walk over TOML that tracks which table each key belongs to."""

    def __init__(self, lines: dict[Loc, int], text_starts: dict[Loc, int]) -> None:
        self.lines = lines
        self.text_starts = text_starts
        self.table: Loc = ()
        self.array_counts: dict[Loc, int] = {}
        self.in_string: str | None = None  # the closing delimiter of an open multi-line string
        self.depth = 0  # open brackets and braces of a value spanning lines

    def run(self, text: str) -> None:
        for number, line in enumerate(text.splitlines(), start=1):
            if self.in_string is None and self.depth == 0:
                rest = self._line_start(line, number)
            else:
                rest = line
            if rest is not None:
                self._skip_value(rest)

    def _line_start(self, line: str, number: int) -> str | None:
        """Record a header or key on a line that starts fresh; return what follows it.

        ``None`` for a line that is neither (blank, comment, or broken TOML): there is no
        value on it to follow.
        """
        if match := _ARRAY_HEADER.match(line):
            *parents, last = _split_key(match.group(1))
            path = (*self._resolve_header(parents), last)
            index = self.array_counts.get(path, 0)
            self.array_counts[path] = index + 1
            self.table = (*path, index)
            self.lines.setdefault(path, number)
            self.lines[self.table] = number
            return line[match.end() :]
        if match := _TABLE_HEADER.match(line):
            self.table = self._resolve_header(_split_key(match.group(1)))
            self.lines[self.table] = number
            return line[match.end() :]
        if match := _KEY_LINE.match(line):
            key = (*self.table, *_split_key(match.group(1)))
            self.lines[key] = number
            value = line[match.end() :].lstrip()
            if value.startswith(('"""', "'''")):
                # TOML drops a newline right after the opening quotes.
                opens_line = value[3:].strip() == ""
                self.text_starts[key] = number + 1 if opens_line else number
            return line[match.end() :]
        return None

    def _resolve_header(self, parts: list[str]) -> Loc:
        """Turn ``routes.templates`` into ``("routes", 2, "templates")`` for the latest route."""
        path: Loc = ()
        for part in parts:
            path = (*path, part)
            if path in self.array_counts:
                path = (*path, self.array_counts[path] - 1)
        return path

    def _skip_value(self, text: str) -> None:
        """Follow strings, brackets and comments so the next line starts in the right state."""
        i = 0
        while i < len(text):
            if self.in_string is not None:
                end = text.find(self.in_string, i)
                if end < 0:
                    return
                i = end + 3
                self.in_string = None
                continue
            char = text[i]
            if text.startswith('"""', i) or text.startswith("'''", i):
                self.in_string = text[i : i + 3]
                i += 3
            elif char == '"':
                i = _end_of_basic_string(text, i + 1)
            elif char == "'":
                end = text.find("'", i + 1)
                i = len(text) if end < 0 else end + 1
            elif char == "#":
                return
            elif char in "[{":
                self.depth += 1
                i += 1
            elif char in "]}":
                self.depth = max(0, self.depth - 1)
                i += 1
            else:
                i += 1


def _end_of_basic_string(text: str, i: int) -> int:
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    return i
