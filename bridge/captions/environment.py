"""The sandboxed Jinja2 environment captions render in, and its compiled-template cache.

Templates come from config files that agencies edit, so they run in Jinja's sandbox: no
access to ``__class__`` and friends, no calling unsafe methods. Captions are plain text, so
autoescaping is off. Undefined names raise (:class:`jinja2.StrictUndefined`) rather than
rendering empty, so a misspelt ``{{ titel }}`` is reported, not posted as a blank; fields an
item may lack (``author``, ``summary``) are always defined, empty when missing.
"""

from __future__ import annotations

import threading
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .. import registry
from .filters import register_filters


def _finalize(value: Any) -> Any:
    # ``{{ published }}`` of an item without a date renders empty, not "None".
    return "" if value is None else value


def create_environment(*, plugins: bool = True) -> SandboxedEnvironment:
    """A new caption environment with the caption filters and, with ``plugins``, theirs.

    Plugins see the environment through the ``prepare_caption_environment`` hook before any
    template is compiled.
    """
    env = SandboxedEnvironment(
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    register_filters(env)
    if plugins:
        registry.prepare_caption_environment(env)
    return env


class TemplateCache:
    """Compiles each distinct template source once per environment; safe across threads."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self._templates: dict[str, jinja2.Template] = {}
        self._lock = threading.Lock()

    def get(self, source: str) -> jinja2.Template:
        """The compiled template for ``source``; ``TemplateSyntaxError`` if it is invalid."""
        template = self._templates.get(source)
        if template is None:
            template = self.env.from_string(source)
            with self._lock:
                self._templates.setdefault(source, template)
        return template
