"""Caption templates: a sandboxed Jinja2 environment, filters, and per-network length rules.

``render_for_accounts(route, item, accounts, source_name)`` renders a route's captions for
an item, grouped into one :class:`CaptionGroup` per distinct caption.
"""

from __future__ import annotations

from .checks import check_caption_templates
from .context import CaptionContext
from .environment import create_environment
from .errors import CaptionTemplateError, CaptionTooLongError
from .networks import LIMITS, caption_length, limit_for
from .render import (
    AccountRef,
    CaptionGroup,
    CaptionRenderer,
    compile_route_templates,
    render_for_accounts,
)

__all__ = [
    "LIMITS",
    "AccountRef",
    "CaptionContext",
    "CaptionGroup",
    "CaptionRenderer",
    "CaptionTemplateError",
    "CaptionTooLongError",
    "caption_length",
    "check_caption_templates",
    "compile_route_templates",
    "create_environment",
    "limit_for",
    "render_for_accounts",
]
