"""``bridge run`` and ``bridge demo`` as real processes: start, post, stop cleanly."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from bridge.feedserver import FeedServer
from bridge.sandbox import FaultRule, SandboxServer
from bridge.store import Database, Publication
from bridge.store import PublicationState as S

from .helpers import (
    FeedItem,
    bridge_command,
    bridge_env,
    make_items,
    posts_by_caption,
    render_rss,
    write_config,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PATIENCE = 60.0
"""Upper bound on waiting for a process to get somewhere; never a measured duration."""
BACKLOG = 120
CREATE_LATENCY = 1.0
"""Real seconds each create takes in the sandbox: the backlog's creates alone outlast PATIENCE."""


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"bridge exited early ({process.returncode}):\n{_read(log)}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"bridge did not get there in time:\n{_read(log)}")
        time.sleep(0.1)


def _read(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")


def _results_logged(log: Path, items: list[FeedItem]) -> Callable[[], bool]:
    """Every item's result line is in the log: the bridge read the results, not just sent."""

    def check() -> bool:
        text = _read(log)
        return all(_result_line(item) in text for item in items)

    return check


def _result_line(item: FeedItem) -> str:
    return f"posted {item.title!r} (acme-news, 1 requests): Acme on X https://x.com/"


def test_run_posts_new_items_and_stops_cleanly_on_sigterm(
    sandbox: SandboxServer, feeds: FeedServer, tmp_path: Path
) -> None:
    first = make_items(2, START, prefix="first")
    feeds.set("/feed.xml", render_rss(first))
    config = write_config(
        tmp_path / "bridge.toml", postoria_url=sandbox.url, feed_url=feeds.url_for("/feed.xml")
    )
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            bridge_command("run", "-c", str(config)),
            env=bridge_env(sandbox),
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    later = make_items(1, START.replace(day=3), prefix="later")
    try:
        _wait_for(_results_logged(log, first), process, log)
        feeds.set("/feed.xml", render_rss(first + later))
        _wait_for(_results_logged(log, first + later), process, log)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=PATIENCE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = _read(log)

    assert process.returncode == 0, output
    assert "bridge run: sources: acme-blog (rss, every 1s)" in output
    assert "routes: acme-news → Acme Corp (publish_now)" in output
    assert "budget 300 requests per 5m" in output
    assert "received SIGTERM" in output
    assert "stopped" in output
    assert sandbox.api_key not in output
    assert set(posts_by_caption(sandbox).values()) == {1}


def test_sigterm_during_a_backlog_stops_at_the_next_publication(
    sandbox: SandboxServer, feeds: FeedServer, tmp_path: Path
) -> None:
    items = make_items(BACKLOG, START, prefix="backlog")
    feeds.set("/feed.xml", render_rss(items))
    sandbox.faults.add(FaultRule(endpoint="create_post", kind="latency", latency=CREATE_LATENCY))
    config = write_config(
        tmp_path / "bridge.toml", postoria_url=sandbox.url, feed_url=feeds.url_for("/feed.xml")
    )
    log = tmp_path / "run.log"
    process = _start_run(config, sandbox, tmp_path, log)
    try:
        _wait_for(lambda: len(_creates(sandbox)) >= 3, process, log)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=PATIENCE)  # the whole backlog would take BACKLOG seconds
    finally:
        _kill(process)
    output = _read(log)

    assert process.returncode == 0, output
    assert "stopped" in output
    sent = len(_creates(sandbox))
    assert sent < BACKLOG // 2, f"{sent} creates: the step went on after SIGTERM"
    states = _states(tmp_path / "bridge.db")
    assert states[S.SUBMITTED] + states[S.POSTED] == sent, states
    assert set(states) <= {S.READY, S.SUBMITTED, S.POSTED}, states  # none mid-create

    sandbox.faults.clear()
    process = _start_run(config, sandbox, tmp_path, log)
    try:
        _wait_for(lambda: len(posts_by_caption(sandbox)) == BACKLOG, process, log)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=PATIENCE)
    finally:
        _kill(process)

    assert process.returncode == 0, _read(log)
    assert set(posts_by_caption(sandbox).values()) == {1}
    assert len(_creates(sandbox)) == BACKLOG


def _start_run(
    config: Path, sandbox: SandboxServer, cwd: Path, log: Path
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            bridge_command("run", "-c", str(config)),
            env=bridge_env(sandbox),
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def _creates(sandbox: SandboxServer) -> list[dict[str, object]]:
    return [e for e in sandbox.state.requests() if e["endpoint"] == "create_post"]


def _states(path: Path) -> Counter[str]:
    database = Database(f"sqlite:///{path}", auto_migrate=False)
    try:
        with database.session() as session:
            return Counter(p.state for p in session.exec(select(Publication)))
    finally:
        database.dispose()


def test_run_refuses_a_route_naming_an_unknown_account(
    sandbox: SandboxServer, feeds: FeedServer, tmp_path: Path
) -> None:
    feeds.set("/feed.xml", render_rss(make_items(1, START)))
    config = write_config(
        tmp_path / "bridge.toml",
        postoria_url=sandbox.url,
        feed_url=feeds.url_for("/feed.xml"),
        accounts=("Acme on Myspace",),
    )

    result = subprocess.run(
        bridge_command("run", "-c", str(config)),
        env=bridge_env(sandbox),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )

    assert result.returncode == 1
    assert "Acme on Myspace" in result.stderr
    assert sandbox.state.posts() == []


def test_demo_runs_to_the_end_and_prints_links(tmp_path: Path) -> None:
    result = subprocess.run(
        bridge_command("demo", "--dir", str(tmp_path / "demo")),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout
    assert "What was posted where:" in output
    assert "https://www.linkedin.com/" in output
    assert "https://x.com/" in output
    assert "Meet the Spring Collection" in output
    assert "scheduled for" in output
    assert "left in the current budget window" in output
    assert (tmp_path / "demo" / "bridge.toml").exists()


def test_demo_keeps_running_until_ctrl_c(tmp_path: Path) -> None:
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            bridge_command("demo", "--keep-running", "--dir", str(tmp_path / "demo")),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(lambda: "Ctrl-C to stop" in _read(log), process, log)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=PATIENCE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 0, _read(log)
    assert "What was posted where:" in _read(log)
    assert "The demo's config and database stay in" in _read(log)
