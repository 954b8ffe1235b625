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
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from .. import registry
from .filters import register_filters

MAX_SEQUENCE_LENGTH = 100_000
"""Longest string or list ``*`` may build in a template; captions are far shorter."""
MAX_EXPONENT = 100


class CaptionSandbox(SandboxedEnvironment):
    """Jinja's sandbox, also refusing ``*`` and ``**`` that would exhaust memory or time.

    The sandbox stops attribute tricks but lets ``'x' * 10**9`` allocate a gigabyte; a
    template typo must not take the bridge down with it.
    """

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """Check the operands of ``*`` and ``**`` before computing them."""
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is too large")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                repeats = isinstance(sequence, str | list | tuple) and isinstance(count, int)
                if repeats and len(sequence) * count > MAX_SEQUENCE_LENGTH:
                    raise SecurityError("the result would be too long")
        return super().call_binop(context, operator, left, right)


def _finalize(value: Any) -> Any:
    # ``{{ published }}`` of an item without a date renders empty, not "None".
    return "" if value is None else value


def create_environment(*, plugins: bool = True) -> CaptionSandbox:
    """A new caption environment with the caption filters and, with ``plugins``, theirs.

    Plugins see the environment through the ``prepare_caption_environment`` hook before any
    template is compiled.
    """
    env = CaptionSandbox(
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
