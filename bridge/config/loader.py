"""Loading the configuration file: TOML → secrets → environment overrides → validation.

Every stage collects its problems and the loader raises one :class:`InvalidConfigError`
listing them all as ``file:line: key: message``, so a file is fixed in one pass. Values are
never quoted in messages about keys that may hold secrets.
"""

from __future__ import annotations

import difflib
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ConfigError
from .locate import KeyLines
from .models import BridgeConfig
from .overrides import apply_env_overrides
from .problems import ConfigProblem, InvalidConfigError, Loc
from .rules import RuleViolations
from .secrets import redact, resolve_secrets

DEFAULT_CONFIG_NAME = "bridge.toml"


def load_config(
    path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> BridgeConfig:
    """Read, resolve and validate the config file at ``path``.

    ``environ`` defaults to ``os.environ``; it feeds both ``${VAR}`` references and
    ``BRIDGE_…__…`` overrides. Raises :class:`~bridge.errors.ConfigError` for an unreadable
    file and :class:`InvalidConfigError` (a ``ConfigError``) for invalid content.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("no such file", file=str(file)) from None
    except IsADirectoryError:
        raise ConfigError("is a folder, not a config file", file=str(file)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=str(file)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=str(file)) from None
    return parse_config(text, path=str(file), environ=environ)


def parse_config(
    text: str, *, path: str = "<string>", environ: Mapping[str, str] | None = None
) -> BridgeConfig:
    """Parse config ``text`` as if read from ``path`` (relative paths resolve against its folder).

    For tests and the demo; :func:`load_config` reads a file and calls this.
    """
    environ = os.environ if environ is None else environ
    data = _parse_toml(text, path)
    base_dir = Path(path).parent if path != "<string>" else Path.cwd()
    lines = KeyLines.scan(text)

    problems: list[ConfigProblem] = []
    if "path" in data:
        problems.append(ConfigProblem(("path",), "unknown key"))
    resolution = resolve_secrets(data, environ, base_dir)
    data = resolution.data
    problems += resolution.problems
    overridden, override_problems = apply_env_overrides(data, environ)
    problems += override_problems
    substituted = dict(resolution.substituted)
    for variable, loc in overridden.items():
        substituted.setdefault(loc, []).append(environ[variable])

    data["path"] = Path(path)
    try:
        config = BridgeConfig.model_validate(data, context={"base_dir": base_dir.resolve()})
    except ValidationError as exc:
        reported = {problem.loc for problem in problems}
        for problem in translate_validation_error(exc):
            if problem.loc not in reported:
                problems.append(_scrub(problem, substituted))
        config = None
    if problems:
        raise InvalidConfigError(_place(problems, path, lines, overridden), file=path)
    assert config is not None
    config.remember_origin(lines, overridden)
    return config


def _scrub(problem: ConfigProblem, substituted: dict[Loc, list[str]]) -> ConfigProblem:
    """Remove values that came from the environment or files from a problem's message."""
    secrets = [
        value
        for loc, values in substituted.items()
        if loc[: len(problem.loc)] == problem.loc or problem.loc[: len(loc)] == loc
        for value in values
    ]
    if not secrets:
        return problem
    return ConfigProblem(problem.loc, redact(problem.message, secrets), problem.file, problem.line)


def _parse_toml(text: str, path: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib ends its message with "(at line L, column C)"; keep the line for ConfigError.
        message = str(exc)
        line = getattr(exc, "lineno", None)
        if line is None and "(at line " in message:
            position = message.rsplit("(at line ", 1)[1].rstrip(")")
            line = int(position.split(",")[0]) if position.split(",")[0].isdigit() else None
        reason = message.split(" (at line ")[0]
        if "column" in message:
            reason += f" (column {message.rsplit('column ', 1)[1].rstrip(')')})"
        raise ConfigError(f"invalid TOML: {reason}", file=path, line=line) from None


def _place(
    problems: list[ConfigProblem], path: str, lines: KeyLines, overridden: dict[str, Loc]
) -> list[ConfigProblem]:
    """Give each problem its file and line, or the environment variable that set the key."""
    placed = []
    for problem in problems:
        variable = _variable_for(problem.loc, overridden)
        if problem.file:
            placed.append(problem)
        elif variable:
            placed.append(ConfigProblem(problem.loc, problem.message, file=f"${variable}"))
        else:
            line = lines.line_of(problem.loc)
            placed.append(ConfigProblem(problem.loc, problem.message, file=path, line=line))
    return sorted(placed, key=lambda p: (p.file != path, p.line or 0))


def _variable_for(loc: Loc, overridden: dict[str, Loc]) -> str | None:
    for variable, key in overridden.items():
        if loc[: len(key)] == key:
            return variable
    return None


def translate_validation_error(error: ValidationError) -> list[ConfigProblem]:
    """Turn pydantic's errors into problems with clean keys and messages for people.

    Input values are never included: they may be secrets.
    """
    problems = []
    for detail in error.errors(include_input=False, include_url=False):
        loc = _clean_loc(detail["loc"])
        cause = (detail.get("ctx") or {}).get("error")
        if isinstance(cause, RuleViolations):
            problems += [ConfigProblem((*loc, *sub), message) for sub, message in cause.problems]
            continue
        problems.append(ConfigProblem(loc, _message(detail, loc)))
    return problems


def _clean_loc(loc: tuple[Any, ...]) -> Loc:
    # Pydantic adds tags like "function-after[...]" or "list[str]" for some union members.
    return tuple(part for part in loc if isinstance(part, int) or not _is_tag(part))


def _is_tag(part: str) -> bool:
    return any(mark in part for mark in "[]()") or part in {"str", "int", "date", "datetime"}


def _message(detail: Mapping[str, Any], loc: Loc) -> str:
    kind = detail["type"]
    if kind == "extra_forbidden":
        return _unknown_key_message(loc)
    if kind == "missing":
        return "required key is missing"
    message = str(detail["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message


def _unknown_key_message(loc: Loc) -> str:
    allowed = _fields_at(loc[:-1])
    key = loc[-1] if loc else ""
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)"
    return f"unknown key (allowed: {', '.join(allowed)})" if allowed else "unknown key"


def _fields_at(loc: Loc) -> list[str]:
    """The field names of the model found at ``loc`` inside :class:`BridgeConfig`."""
    model: type[BaseModel] | None = BridgeConfig
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field else None
    if model is None:
        return []
    return [name for name in model.model_fields if name not in ("path", "options")]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated):
        for argument in typing.get_args(annotation):
            found = _model_in(argument)
            if found is not None:
                return found
    return None
