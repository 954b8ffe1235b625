"""Environment overrides: ``BRIDGE_POSTORIA__BASE_URL=…`` sets ``[postoria] base_url``.

Like Flask's ``Config.from_prefixed_env``: the ``BRIDGE_`` prefix is dropped, ``__`` separates
nested keys, and names are lowercased. Unlike Flask, values stay strings and validation
converts them (``"200"`` becomes an int where an int is expected), because JSON-decoding
would turn a numeric password into a number. Only variables with a ``__`` are overrides, so
``BRIDGE_LOAD_PLUGINS`` and variables referenced as ``${BRIDGE_DASHBOARD_PASSWORD}`` are left
alone. Lists (``[[sources]]``, ``[[routes]]``) cannot be overridden: change the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .problems import ConfigProblem, Loc

PREFIX = "BRIDGE_"


def apply_env_overrides(
    data: dict[str, Any], environ: Mapping[str, str]
) -> tuple[dict[str, Loc], list[ConfigProblem]]:
    """Set overridden keys in ``data`` in place.

    Returns which location each variable set (so errors can name the variable instead of a
    line) and the problems of variables that cannot apply.
    """
    applied: dict[str, Loc] = {}
    problems: list[ConfigProblem] = []
    for variable in sorted(environ):
        if not variable.startswith(PREFIX) or "__" not in variable:
            continue
        parts = [part.lower() for part in variable.removeprefix(PREFIX).split("__")]
        loc: Loc = tuple(parts)
        if not all(parts):
            problems.append(
                ConfigProblem(loc, "empty key in the variable name", file=f"${variable}")
            )
            continue
        target = data
        for depth, part in enumerate(parts[:-1]):
            current = target.setdefault(part, {})
            if not isinstance(current, dict):
                message = f"{'.'.join(parts[: depth + 1])} is not a table, so it has no keys"
                problems.append(ConfigProblem(loc, message, file=f"${variable}"))
                break
            target = current
        else:
            target[parts[-1]] = environ[variable]
            applied[variable] = loc
    return applied, problems
