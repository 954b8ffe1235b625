"""The TOML configuration: models, loading, durations, secrets and settings.

``load_config(path)`` is the entry point; ``parse_config(text)`` does the same for a string.
See ``docs/configuration.md`` for every setting.
"""

from __future__ import annotations

from .durations import format_duration, parse_duration
from .loader import load_config, parse_config
from .matchers import ItemRule
from .models import (
    BridgeConfig,
    BudgetSettings,
    DashboardSettings,
    DatabaseSettings,
    EngineSettings,
    PostoriaSettings,
    RepostConfig,
    RouteConfig,
    SourceConfig,
)
from .options import validate_source_options
from .problems import ConfigProblem, InvalidConfigError
from .types import Backlog

__all__ = [
    "Backlog",
    "BridgeConfig",
    "BudgetSettings",
    "ConfigProblem",
    "DashboardSettings",
    "DatabaseSettings",
    "EngineSettings",
    "InvalidConfigError",
    "ItemRule",
    "PostoriaSettings",
    "RepostConfig",
    "RouteConfig",
    "SourceConfig",
    "format_duration",
    "load_config",
    "parse_config",
    "parse_duration",
    "validate_source_options",
]
