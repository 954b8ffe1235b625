"""The demo's run: local Postoria and blog, the real engine and scheduler, a summary at the end."""

from __future__ import annotations

import logging
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sqlmodel import select

from ..clock import SYSTEM_CLOCK
from ..config import load_config
from ..engine.engine import Engine
from ..engine.jobs import EngineJobs
from ..engine.summary import collect_summary, render_summary
from ..feedserver import FeedServer
from ..sandbox import SandboxConfig, SandboxServer
from ..store import Publication
from .assets import ASSETS, render_config, render_feed
from .progress import ProgressWatcher

Echo = Callable[[str], None]

SANDBOX_SETTINGS = {"media_delay": 1.0, "publish_delay": 1.0, "allow_http_imports": True}
"""Short processing times so the demo finishes quickly; real Postoria takes longer."""

POLL_SECONDS = 0.2


def run_demo(
    echo: Echo,
    *,
    keep_running: bool = False,
    timeout: float = 50.0,
    directory: Path | None = None,
) -> int:
    """Run the demo and return the exit status (0 when every post got its result).

    ``directory`` holds the written config and the SQLite database (a new temporary folder by
    default, left in place so people can look at it). ``keep_running`` keeps the bridge and
    both servers up after the summary until Ctrl-C.
    """
    stop = threading.Event()
    _stop_on_signals(stop)
    # The sandbox's access log would drown the story the demo tells.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    workdir = directory or Path(tempfile.mkdtemp(prefix="bridge-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        sandbox = stack.enter_context(SandboxServer(SandboxConfig(**SANDBOX_SETTINGS)))
        feeds = stack.enter_context(FeedServer(static_dir=ASSETS))
        feed_url = feeds.url_for("/feed.xml")
        feeds.set("/feed.xml", render_feed(feeds.url, SYSTEM_CLOCK.now()))
        config_path = workdir / "bridge.toml"
        config_path.write_text(render_config(sandbox.url, feed_url), encoding="utf-8")
        config = load_config(config_path, environ={"POSTORIA_API_KEY": sandbox.api_key})
        echo("postoria-bridge demo")
        echo(f"  Postoria sandbox  {sandbox.url}  (a local stand-in for api.postoria.io)")
        echo(f"  sample blog feed  {feed_url}  (6 posts, 5 with a picture)")
        echo(f"  configuration     {config_path}")
        echo(f"  database          {config.database.redacted_url}")
        for route in config.routes:
            echo(f"  route             {route.name}: {route.mode} to {', '.join(route.accounts)}")
        echo("")
        engine = stack.enter_context(Engine.from_config(config, allow_private_media_hosts=True))
        engine.prepare()
        fetched = threading.Event()
        jobs = EngineJobs(engine, on_step=_fetch_reporter(echo, fetched), jitter=False)
        watcher = ProgressWatcher(engine.db, engine.clock, echo)
        jobs.start()
        stack.callback(jobs.shutdown)
        finished = _watch_until_settled(engine, watcher, fetched, stop, timeout)
        if not keep_running:
            jobs.shutdown()
        watcher.poll()
        summary = collect_summary(
            engine.db,
            _all_publication_ids(engine),
            requests_used=engine.client.ledger.total(budget_only=True),
            budget_left=engine.client.limiter.remaining(),
            budget_capacity=engine.client.budget.capacity,
            timed_out=not finished,
        )
        echo("")
        echo("What was posted where:")
        echo("")
        echo(render_summary(summary))
        if keep_running and not stop.is_set():
            echo("")
            echo("Still running: the bridge polls the feed every 5 s. Ctrl-C to stop.")
            while not stop.wait(POLL_SECONDS * 2):
                watcher.poll()
        echo("")
        echo(f"The demo's config and database stay in {workdir}")
        return 0 if summary.ok else 1


def _watch_until_settled(
    engine: Engine,
    watcher: ProgressWatcher,
    fetched: threading.Event,
    stop: threading.Event,
    timeout: float,
) -> bool:
    """Print progress until the feed was read and nothing needs the bridge right now."""
    deadline = time.monotonic() + timeout
    while not stop.is_set() and time.monotonic() < deadline:
        watcher.poll()
        if fetched.is_set() and not engine.outstanding(horizon=engine.clock.now()):
            return True
        stop.wait(POLL_SECONDS)
    return False


def _fetch_reporter(echo: Echo, fetched: threading.Event) -> Callable[[str, Any], None]:
    def report(job_id: str, result: Any) -> None:
        if not job_id.startswith("source:"):
            return
        summary, new_ids = result
        if summary.outcome == "error":
            echo(f"  feed {summary.source}: could not be read: {summary.error}")
        elif summary.items_new:
            echo(
                f"  feed {summary.source}: {summary.items_new} new posts, "
                f"{len(new_ids)} publications planned across the routes"
            )
        fetched.set()

    return report


def _all_publication_ids(engine: Engine) -> list[int]:
    with engine.db.session() as session:
        return [pid for pid in session.exec(select(Publication.id)).all() if pid is not None]


def _stop_on_signals(stop: threading.Event) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def handle(_signum: int, _frame: object) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)
