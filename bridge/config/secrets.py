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
from pathlib import Path
from typing import Any

from .problems import ConfigProblem, Loc

_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def resolve_secrets(
    data: Any, environ: Mapping[str, str], base_dir: Path, loc: Loc = ()
) -> tuple[Any, list[ConfigProblem]]:
    """Return ``data`` with every reference replaced, and the problems found on the way.

    A reference that cannot be resolved is left as written so validation still runs on the
    rest; the caller reports the problems together with any validation errors.
    """
    problems: list[ConfigProblem] = []
    resolved = _resolve(data, environ, base_dir, loc, problems)
    return resolved, problems


def _resolve(
    value: Any, environ: Mapping[str, str], base_dir: Path, loc: Loc, problems: list[ConfigProblem]
) -> Any:
    if isinstance(value, str):
        return _interpolate(value, environ, loc, problems)
    if isinstance(value, list):
        return [
            _resolve(item, environ, base_dir, (*loc, index), problems)
            for index, item in enumerate(value)
        ]
    if isinstance(value, dict):
        if len(value) == 1 and "$env" in value:
            return _from_env(value["$env"], environ, loc, problems)
        if len(value) == 1 and "$file" in value:
            return _from_file(value["$file"], base_dir, loc, problems)
        if "$env" in value or "$file" in value:
            problems.append(ConfigProblem(loc, 'a "$env" or "$file" reference takes no other keys'))
            return value
        return {
            key: _resolve(item, environ, base_dir, (*loc, key), problems)
            for key, item in value.items()
        }
    return value


def _interpolate(
    text: str, environ: Mapping[str, str], loc: Loc, problems: list[ConfigProblem]
) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:  # "$${" escapes a literal "${"
            return "${"
        if not _VARIABLE_NAME.fullmatch(name):
            problems.append(ConfigProblem(loc, f"${{{name}}} is not a valid variable reference"))
            return match.group(0)
        if name not in environ:
            problems.append(ConfigProblem(loc, f"environment variable {name} is not set"))
            return match.group(0)
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
