"""The exactly-once proof: ``bridge run`` killed with SIGKILL at random points never posts twice.

A real ``bridge run`` process works against a sandbox served from this test process, with
very short intervals and delays, on real time. It is killed with SIGKILL again and again at
random moments (seeded, so a failure can be replayed), and restarted, while the feed gains
items between restarts; the second half runs with the sandbox misbehaving (creates whose
answers are lost, 503s, scattered 429s and bursts of them). Then a last run, without faults,
finishes the work.
The sandbox's own records must then show every item posted exactly once on every intended
account: none missing, none twice, none deleted to hide a duplicate.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from bridge.feedserver import FeedServer
from bridge.sandbox import FaultRule, SandboxConfig, SandboxServer
from bridge.store import PublicationState

from .helpers import (
    ACME_LINKEDIN,
    ACME_X,
    FeedItem,
    bridge_env,
    make_items,
    render_rss,
    write_config,
)

SEED = 20261130
KILLS = 20
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHILD = Path(__file__).with_name("killable_bridge.py")
PATIENCE = 150.0
"""Upper bound for the last run to finish the work; never a measured duration."""

FAULTS = (
    FaultRule(endpoint="create_post", kind="drop_after_create", rate=0.3),
    FaultRule(endpoint="*", kind="error", status=503, rate=0.08),
    FaultRule(endpoint="*", kind="rate_limit", rate=0.05, retry_after=1),
)


def _caption(item: FeedItem) -> str:
    return f"{item.title} {item.link}"


def _served_caption(post: dict[str, object]) -> str:
    for value in post.values():
        if isinstance(value, dict) and "caption" in value:
            return str(value["caption"])
    return ""


def _start(config: Path, sandbox: SandboxServer, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, str(CHILD), "run", "-c", str(config)],
            env=bridge_env(sandbox),
            cwd=config.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_for_line(log: Path, text: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while text not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            return
        time.sleep(0.05)


def _everything_posted(sandbox: SandboxServer, expected: set[str], database: Path) -> bool:
    """Every item posted in the sandbox, and every publication final in the bridge's store.

    Both are needed: a post can exist while the bridge still holds its create as ``unknown``,
    and it is exactly then that a careless bridge would post it again.
    """
    done = {
        _served_caption(post)
        for post in sandbox.state.posts()
        if post["status"] == "posted" and all(r["link_to_post"] for r in post["results"])  # type: ignore[attr-defined]
    }
    final = _publication_states(database) == {PublicationState.POSTED: len(expected)}
    return expected <= done and final


def _publication_states(database: Path) -> Counter[str]:
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT state FROM publications"))
            return Counter(row[0] for row in rows)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_sigkill_at_random_points_never_posts_twice(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    config_sandbox = SandboxConfig(
        media_delay=0.3, publish_delay=0.3, rate_limit=100_000, fault_seed=SEED
    )
    with SandboxServer(config_sandbox) as sandbox, FeedServer() as feeds:
        items = make_items(4, START, prefix="wave-0", images=True)
        feeds.set("/feed.xml", render_rss(items))
        config = write_config(
            tmp_path / "bridge.toml",
            postoria_url=sandbox.url,
            feed_url=feeds.url_for("/feed.xml"),
            interval="0.5s",
            publish_interval="0.2s",
            status_interval="0.3s",
        )
        kills_at: list[str] = []
        for round_number in range(KILLS):
            faulty = round_number >= KILLS // 2
            if round_number == KILLS // 2:
                # The next two creates surely lose their answers, whenever they come; then
                # the rates take over. A wave of items makes sure creates come.
                sandbox.faults.add(FaultRule("create_post", kind="drop_after_create", count=2))
                for rule in FAULTS:
                    sandbox.faults.add(FaultRule(**{**rule.to_dict(), "id": 0}))
            if faulty and rng.random() < 0.4:
                # A burst of 429s on one endpoint, as when someone else spends the key.
                endpoint = rng.choice(("create_post", "list_posts", "import_media"))
                burst = FaultRule(endpoint, kind="rate_limit", count=rng.randint(2, 5))
                sandbox.faults.add(burst)
            if rng.random() < 0.6 or round_number == KILLS // 2:
                wave = make_items(
                    rng.randint(1, 3), START, prefix=f"wave-{round_number + 1}", images=True
                )
                items += wave
                feeds.set("/feed.xml", render_rss(items))
            log = tmp_path / f"run-{round_number:02d}.log"
            process = _start(config, sandbox, log)
            if rng.random() < 0.7:  # most kills land while it works; the rest while it starts
                _wait_for_line(log, "bridge run:", process)
            pause = rng.uniform(0.05, 2.0)
            time.sleep(pause)
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills_at.append(f"round {round_number}: {pause:.2f}s")

        sandbox.faults.clear()
        expected = {_caption(item) for item in items}
        log = tmp_path / "run-final.log"
        process = _start(config, sandbox, log)
        deadline = time.monotonic() + PATIENCE
        try:
            while not _everything_posted(sandbox, expected, tmp_path / "bridge.db"):
                assert process.poll() is None, log.read_text(errors="replace")
                assert time.monotonic() < deadline, (
                    f"not everything was posted; last log:\n{log.read_text(errors='replace')}"
                )
                time.sleep(0.2)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0, log.read_text(errors="replace")
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

        # The run really went through lost answers: creates the sandbox made but never answered.
        lost = [r for r in sandbox.state.requests() if r["dropped"]]
        assert lost, "no create answer was lost: the faults did not exercise reconciliation"
        posts = sandbox.state.posts(include_deleted=True)
        captions = Counter(_served_caption(post) for post in posts)
        twice = {caption: count for caption, count in captions.items() if count > 1}
        assert not twice, f"posted more than once: {twice} (kills: {kills_at})"
        assert set(captions) == expected
        for post in posts:
            assert not post["deleted"]
            assert post["status"] == "posted"
            assert sorted(r["account_id"] for r in post["results"]) == [ACME_X, ACME_LINKEDIN]
            assert all(r["link_to_post"] and not r["error"] for r in post["results"])

        assert _publication_states(tmp_path / "bridge.db") == {
            PublicationState.POSTED: len(expected)
        }
        database = sa.create_engine(f"sqlite:///{tmp_path / 'bridge.db'}")
        with database.connect() as connection:
            rows = connection.execute(sa.text("SELECT post_id FROM publications"))
            post_ids = [row[0] for row in rows]
        database.dispose()
        assert sorted(post_ids) == sorted(post["id"] for post in posts)
