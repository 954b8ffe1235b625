"""The plugin manager: loads every connector in the ``bridge`` entry-point group.

Environment:

- ``BRIDGE_LOAD_PLUGINS``: comma-separated distribution or entry-point names to load; only
  those are loaded (``postoria-bridge`` loads just the built-ins). Unset: load all.
- ``BRIDGE_DISABLE_PLUGINS``: comma-separated entry-point names never to load.
- ``BRIDGE_TRACE_PLUGINS=1``: log every hook call.

A plugin that fails to import is recorded in :data:`load_failures` by name and the rest load.
"""

from __future__ import annotations

import logging
import os
from importlib import metadata

import pluggy

from . import hookspecs

GROUP = "bridge"
log = logging.getLogger(__name__)

pm = pluggy.PluginManager(GROUP)
pm.add_hookspecs(hookspecs)
load_failures: dict[str, str] = {}
_loaded_with: tuple[str | None, ...] | None = None


def _names(variable: str) -> set[str] | None:
    value = os.environ.get(variable)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def load(disabled: set[str] | None = None) -> None:
    """Load entry-point plugins not loaded yet, honouring the environment and ``disabled``.

    Cheap to call again: the entry points are scanned only when the environment variables or
    ``disabled`` changed since the last scan, so hooks called per item can make sure of it.
    """
    global _loaded_with
    settings = (
        os.environ.get("BRIDGE_LOAD_PLUGINS"),
        os.environ.get("BRIDGE_DISABLE_PLUGINS"),
        os.environ.get("BRIDGE_TRACE_PLUGINS"),
        ",".join(sorted(disabled or ())),
    )
    if settings == _loaded_with:
        return
    _loaded_with = settings
    allowed = _names("BRIDGE_LOAD_PLUGINS")
    blocked = (_names("BRIDGE_DISABLE_PLUGINS") or set()) | (disabled or set())
    for name in blocked:
        if not pm.is_blocked(name):
            pm.set_blocked(name)
    for ep in metadata.entry_points(group=GROUP):
        dist = ep.dist.name if ep.dist else ""
        if allowed is not None and ep.name not in allowed and dist not in allowed:
            continue
        if pm.is_blocked(ep.name) or pm.get_plugin(ep.name) is not None:
            continue
        try:
            pm.register(ep.load(), name=ep.name)
        except Exception as exc:  # a broken plugin must not stop the others
            load_failures[ep.name] = f"{type(exc).__name__}: {exc}"
            log.error("plugin %r failed to load: %s", ep.name, load_failures[ep.name])
    if os.environ.get("BRIDGE_TRACE_PLUGINS"):
        pm.trace.root.setwriter(lambda message: log.info("hook: %s", message.rstrip()))
        pm.enable_tracing()
    pm.check_pending()
