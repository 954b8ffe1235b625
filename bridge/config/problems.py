"""Collecting configuration problems so a file's mistakes are reported together.

Fixing a config file one error per run is tedious, so each stage (secrets, overrides,
validation) gathers :class:`ConfigProblem`\\s and the loader raises one
:class:`InvalidConfigError` listing them all, each as ``file:line: key: message``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ConfigError

Loc = tuple[str | int, ...]


def format_key(loc: Sequence[str | int]) -> str:
    """Spell a location the way the docs do: ``("routes", 1, "mode")`` → ``routes[1].mode``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with the configuration.

    ``loc`` is the path to the offending key; ``file`` and ``line`` say where it was written
    (``file`` is ``$BRIDGE_…`` for a value that came from an environment override).
    ``message`` never contains a secret value.
    """

    loc: Loc
    message: str
    file: str | None = None
    line: int | None = None

    @property
    def key(self) -> str:
        """The dotted key, ``routes[1].mode``."""
        return format_key(self.loc)

    def __str__(self) -> str:
        where = self.file or ""
        if where and self.line:
            where += f":{self.line}"
        parts = [part for part in (where, self.key) if part]
        return ": ".join([*parts, self.message])


class InvalidConfigError(ConfigError):
    """A configuration with one or more problems; ``problems`` lists each of them.

    With a single problem the error reads like any :class:`ConfigError`
    (``file:line: key: message``); with several, the first line counts them and each
    following line is one problem.
    """

    def __init__(self, problems: Sequence[ConfigProblem], *, file: str | None = None) -> None:
        if not problems:
            raise ValueError("InvalidConfigError needs at least one problem")
        self.problems = list(problems)
        if len(self.problems) == 1:
            only = self.problems[0]
            super().__init__(
                only.message, file=only.file or file, line=only.line, key=only.key or None
            )
            return
        first = self.problems[0]
        listing = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"{len(self.problems)} problems in the configuration:\n{listing}",
            file=file,
            line=None,
            key=None,
        )
        # The first problem's place is what a tool that shows one location should jump to.
        self.line = first.line
        self.key = first.key
