"""``bridge run``: keep polling sources and publishing until stopped.

SIGINT and SIGTERM stop it cleanly: no new job starts, running jobs end their step at the next
publication boundary (a create in flight is recorded with its answer; the rest of a backlog is
left for the next start), and the process exits 0. A SIGKILL
can land anywhere; the store's recorded intent makes the next start reconcile instead of
posting again.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from ..config.durations import format_duration
from ..errors import AuthenticationError, BridgeError, ConfigError
from .options import config_option

if TYPE_CHECKING:
    from ..config import BridgeConfig
    from ..engine.engine import Engine

log = logging.getLogger("bridge.run")

PREPARE_RETRY_CAP = 300.0
"""Longest wait between attempts to reach Postoria at startup, in seconds."""


@click.command("run")
@config_option
def run_command(config_path: Path) -> None:
    """Poll sources and publish new items on their schedules until stopped (Ctrl-C)."""
    from ..config import load_config
    from ..engine.engine import Engine
    from ..engine.jobs import EngineJobs

    _show_info_logs()
    config = load_config(config_path)
    stop = threading.Event()
    _install_stop_handlers(stop)
    with Engine.from_config(config) as engine:
        log.info("%s", startup_line(config))
        if not prepare_until_ready(engine, stop):
            return
        jobs = EngineJobs(engine)
        jobs.start()
        try:
            stop.wait()
        finally:
            log.info("stopping: letting running jobs finish the publication they are on")
            jobs.shutdown(wait=True)
    log.info("stopped")


def startup_line(config: BridgeConfig) -> str:
    """Sources, routes and budget in one line (the key and passwords never appear)."""
    sources = ", ".join(
        f"{s.name} ({s.type}, every {_duration(s.interval)}"
        + ("" if s.enabled else ", disabled")
        + ")"
        for s in config.sources
    )
    routes = ", ".join(f"{r.name} → {r.workspace} ({r.mode})" for r in config.routes)
    budget = config.postoria.budget
    return (
        f"bridge run: sources: {sources or 'none'}; routes: {routes or 'none'}; "
        f"budget {budget.requests} requests per {_duration(budget.per)} "
        f"(keeping {budget.margin} spare) at {config.postoria.base_url}; "
        f"database {config.database.redacted_url}"
    )


def _duration(value: timedelta) -> str:
    """``10m``, ``1h30m``; sub-second intervals (tests, demos) as ``0.5s`` rather than ``0s``."""
    if value < timedelta(seconds=1):
        return f"{value.total_seconds():g}s"
    return format_duration(value)


def prepare_until_ready(engine: Engine, stop: threading.Event) -> bool:
    """Resolve routes against Postoria, retrying while Postoria is unreachable.

    A configuration problem (unknown workspace or account) or a rejected API key cannot fix
    itself, so it ends the command with its message; anything else is retried with a growing
    wait. Returns ``False`` when asked to stop before it succeeded.
    """
    wait = 1.0
    while not stop.is_set():
        try:
            engine.prepare()
            return True
        except (ConfigError, AuthenticationError):
            raise
        except BridgeError as exc:
            log.warning("cannot prepare yet (%s); retrying in %.0f s", exc, wait)
        stop.wait(wait)
        wait = min(wait * 2, PREPARE_RETRY_CAP)
    return False


def _install_stop_handlers(stop: threading.Event) -> None:
    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)


def _show_info_logs() -> None:
    """``bridge run`` is a service: show its INFO lines unless logging was set up louder."""
    bridge_logger = logging.getLogger("bridge")
    if bridge_logger.getEffectiveLevel() > logging.INFO:
        bridge_logger.setLevel(logging.INFO)


COMMANDS = [run_command]
