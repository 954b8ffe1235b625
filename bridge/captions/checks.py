"""Checking every caption template of a configuration before anything is posted.

``bridge check`` and the engine's start-up call :func:`check_caption_templates` so that a
template syntax error is a configuration error pointing at the file and key, found before
the first item arrives rather than when it does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config.problems import ConfigProblem, InvalidConfigError
from .errors import CaptionTemplateError
from .render import CaptionRenderer, default_renderer, route_templates

if TYPE_CHECKING:
    from ..config.models import BridgeConfig


def check_caption_templates(
    config: BridgeConfig, *, renderer: CaptionRenderer | None = None
) -> None:
    """Compile every route's templates; raise one :class:`InvalidConfigError` for all errors.

    Each problem reads ``file:line: routes[i].templates.x: template syntax error: …``, the
    line being the template's line in the file when the template is a multi-line string.
    """
    renderer = renderer or default_renderer()
    problems: list[ConfigProblem] = []
    for index, route in enumerate(config.routes):
        for name, source in route_templates(route):
            try:
                renderer.compile(source, route=route.name, name=name)
            except CaptionTemplateError as exc:
                loc = ("routes", index, *name.split("."))
                if exc.line:
                    file, line = config.locate_in_value(loc, exc.line)
                else:
                    file, line = config.locate(loc)
                message = exc.reason
                problems.append(ConfigProblem(loc, message, file=file, line=line))
    if problems:
        problems.sort(key=lambda problem: (problem.file != str(config.path), problem.line or 0))
        raise InvalidConfigError(problems, file=str(config.path))
