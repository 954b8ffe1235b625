"""Secrets enter the configuration by reference, never written in the file itself.

Three spellings, all resolved before validation:

- ``"${NAME}"`` anywhere inside a string: replaced by the environment variable ``NAME``
  (``"$${"`` writes a literal ``"${"``);
- ``{ "$env" = "NAME" }`` as a whole value: the environment variable ``NAME``;
- ``{ "$file" = "path" }`` as a whole value: the file's text without its final newline
  (Docker and Kubernetes secrets), relative paths resolving against the config file's folder.

A variable that is not set is a problem naming the key and the variable; the value of a
variable never appears in a message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .problems import ConfigProblem, Loc

# Only ${NAME} with a plain variable name is a reference, so "${{ price }}" in a caption
# template (a dollar sign before a Jinja expression) is left alone.
_REFERENCE = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class Resolution:
    """The outcome of resolving references: the data, problems, and what was substituted.

    ``substituted`` maps each key that received a value from the environment or a file to
    those values, so messages about that key can be scrubbed of them (see :func:`redact`).
    """

    data: Any
    problems: list[ConfigProblem] = field(default_factory=list)
    substituted: dict[Loc, list[str]] = field(default_factory=dict)


def resolve_secrets(
    data: Any, environ: Mapping[str, str], base_dir: Path, loc: Loc = ()
) -> Resolution:
    """Return ``data`` with every reference replaced, with the problems found on the way.

    A reference that cannot be resolved is left as written so validation still runs on the
    rest; the caller reports the problems together with any validation errors.
    """
    resolution = Resolution(data=None)
    resolution.data = _Resolver(environ, base_dir, resolution).resolve(data, loc)
    return resolution


def redact(message: str, secrets: list[str]) -> str:
    """``message`` with each of ``secrets`` replaced by ``***``."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            message = message.replace(secret, "***")
    return message


class _Resolver:
    def __init__(self, environ: Mapping[str, str], base_dir: Path, out: Resolution) -> None:
        self.environ = environ
        self.base_dir = base_dir
        self.out = out

    def resolve(self, value: Any, loc: Loc) -> Any:
        if isinstance(value, str):
            return self._interpolate(value, loc)
        if isinstance(value, list):
            return [self.resolve(item, (*loc, index)) for index, item in enumerate(value)]
        if isinstance(value, dict):
            return self._resolve_table(value, loc)
        return value

    def _resolve_table(self, value: dict[str, Any], loc: Loc) -> Any:
        problems = self.out.problems
        if len(value) == 1 and "$env" in value:
            return self._found(loc, _from_env(value["$env"], self.environ, loc, problems))
        if len(value) == 1 and "$file" in value:
            return self._found(loc, _from_file(value["$file"], self.base_dir, loc, problems))
        if "$env" in value or "$file" in value:
            problems.append(ConfigProblem(loc, 'a "$env" or "$file" reference takes no other keys'))
            return value
        return {key: self.resolve(item, (*loc, key)) for key, item in value.items()}

    def _interpolate(self, text: str, loc: Loc) -> str:
        if "$" not in text:
            return text
        values: list[str] = []
        result = _interpolate(text, self.environ, loc, self.out.problems, values)
        for found in values:
            self._found(loc, found)
        return result

    def _found(self, loc: Loc, value: Any) -> Any:
        if isinstance(value, str):
            self.out.substituted.setdefault(loc, []).append(value)
        return value


def _interpolate(
    text: str,
    environ: Mapping[str, str],
    loc: Loc,
    problems: list[ConfigProblem],
    values: list[str],
) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:  # "$${" escapes a literal "${"
            return "${"
        if name not in environ:
            problems.append(ConfigProblem(loc, f"environment variable {name} is not set"))
            return match.group(0)
        values.append(environ[name])
        return environ[name]

    return _REFERENCE.sub(replace, text)


def _from_env(
    name: Any, environ: Mapping[str, str], loc: Loc, problems: list[ConfigProblem]
) -> Any:
    if not isinstance(name, str) or not _VARIABLE_NAME.fullmatch(name):
        problems.append(ConfigProblem(loc, '"$env" must name an environment variable'))
        return None
    if name not in environ:
        problems.append(ConfigProblem(loc, f"environment variable {name} is not set"))
        return None
    return environ[name]


def _from_file(path: Any, base_dir: Path, loc: Loc, problems: list[ConfigProblem]) -> Any:
    if not isinstance(path, str) or not path:
        problems.append(ConfigProblem(loc, '"$file" must be a file path'))
        return None
    file = Path(path).expanduser()
    if not file.is_absolute():
        file = base_dir / file
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        problems.append(ConfigProblem(loc, f"cannot read secret file {str(file)!r}: {reason}"))
        return None
    except UnicodeDecodeError:
        problems.append(ConfigProblem(loc, f"secret file {str(file)!r} is not UTF-8 text"))
        return None
    return text.removesuffix("\n").removesuffix("\r")
