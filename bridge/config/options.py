"""Checking each source's own options against its source type's ``Options`` model.

The config loader cannot do this alone: source types come from plugins, loaded separately.
The engine and ``bridge check`` call :func:`validate_source_options` once plugins are loaded,
and get every unknown type and invalid option of the file in one error.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from pydantic import ValidationError

from .loader import translate_validation_error
from .models import SOURCE_KEYS
from .problems import ConfigProblem, InvalidConfigError

if TYPE_CHECKING:
    from ..sources import Source, SourceOptions
    from .models import BridgeConfig


def validate_source_options(
    config: BridgeConfig, source_types: dict[str, type[Source]]
) -> dict[str, SourceOptions]:
    """Validate every source's options; return them by source name.

    A disabled source whose type is not installed is left out rather than reported, so a
    source can be switched off together with its plugin. Raises
    :class:`~bridge.config.problems.InvalidConfigError` listing unknown types (naming the
    known ones) and invalid options as ``file:line: sources[i].key: message``.
    """
    validated: dict[str, SourceOptions] = {}
    problems: list[ConfigProblem] = []
    context = {"base_dir": config.path.parent.resolve(), "config_path": config.path}
    for index, source in enumerate(config.sources):
        source_type = source_types.get(source.type)
        if source_type is None:
            if source.enabled:
                known = ", ".join(sorted(source_types)) or "none installed"
                message = f"unknown source type {source.type!r} (known: {known})"
                problems.append(ConfigProblem(("sources", index, "type"), message))
            continue
        try:
            validated[source.name] = source_type.Options.model_validate(
                source.options, context={**context, "source_name": source.name}
            )
        except ValidationError as exc:
            for problem in translate_validation_error(exc):
                message = problem.message
                if message.startswith("unknown key"):
                    message = _unknown_option_message(source_type, str(problem.loc[-1]))
                problems.append(ConfigProblem(("sources", index, *problem.loc), message))
    if problems:
        placed = []
        for problem in problems:
            file, line = config.locate(problem.loc)
            placed.append(ConfigProblem(problem.loc, problem.message, file=file, line=line))
        placed.sort(key=lambda problem: (problem.file != str(config.path), problem.line or 0))
        raise InvalidConfigError(placed, file=str(config.path))
    return validated


def _unknown_option_message(source_type: type[Source], key: str) -> str:
    allowed = [*SOURCE_KEYS, *source_type.Options.model_fields]
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)"
    kind = source_type.type_name
    return f"unknown key for a {kind!r} source (allowed: {', '.join(allowed)})"
