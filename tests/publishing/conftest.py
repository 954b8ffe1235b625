"""Fixtures for the publishing tests: a real sandbox, SQLite, a client and a publisher."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.clock import ManualClock
from bridge.config import EngineSettings
from bridge.engine.publisher import Publisher
from bridge.postoria import Budget, PostoriaClient, RateLimiter, RetryPolicy
from bridge.sandbox import SandboxConfig, SandboxServer
from bridge.store import Database

from .helpers import World

FAST_RETRY = RetryPolicy(attempts=4, backoff_base=0.5, backoff_cap=4.0, rate_limit_attempts=3)
"""Retries as in production; the waits cost nothing on the manual clock."""


@pytest.fixture
def clock() -> ManualClock:
    """The clock shared by the sandbox, the client and the publisher."""
    return ManualClock()


@pytest.fixture
def sandbox_config(clock: ManualClock) -> SandboxConfig:
    """Sandbox settings (override in a module to change them)."""
    return SandboxConfig(clock=clock, media_delay=2.0, publish_delay=1.0)


@pytest.fixture
def sandbox(sandbox_config: SandboxConfig) -> Iterator[SandboxServer]:
    """A fresh sandbox on a free loopback port."""
    with SandboxServer(sandbox_config) as server:
        yield server


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database with every migration applied, made once per session."""
    path = tmp_path_factory.mktemp("template") / "bridge.db"
    Database(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def db(tmp_path: Path, migrated_template: Path) -> Iterator[Database]:
    """A migrated SQLite database in the test's folder (a copy of the template)."""
    path = tmp_path / "bridge.db"
    shutil.copyfile(migrated_template, path)
    database = Database(f"sqlite:///{path}", auto_migrate=False)
    yield database
    database.dispose()


def make_client(server: SandboxServer, clock: ManualClock) -> PostoriaClient:
    """A client for the sandbox with its own limiter on the manual clock."""
    budget = Budget()
    return PostoriaClient(
        server.api_key,
        server.url,
        clock=clock,
        budget=budget,
        limiter=RateLimiter(budget, clock),
        retry=FAST_RETRY,
    )


@pytest.fixture
def client(sandbox: SandboxServer, clock: ManualClock) -> Iterator[PostoriaClient]:
    """A client for the sandbox with its own limiter on the manual clock."""
    with make_client(sandbox, clock) as made:
        yield made


@pytest.fixture
def settings(tmp_path: Path) -> EngineSettings:
    """Engine settings with downloads in the test's folder."""
    return EngineSettings(data_dir=tmp_path / "data", download_max_bytes=1_000_000)


@pytest.fixture
def world(
    sandbox: SandboxServer,
    clock: ManualClock,
    db: Database,
    client: PostoriaClient,
    settings: EngineSettings,
) -> Iterator[World]:
    """Everything wired together; the publisher may fetch media from loopback."""
    publisher = Publisher(db, client, clock, settings, allow_private_media_hosts=True)
    made = World(sandbox, clock, db, client, settings, publisher)
    yield made
    made.publisher.close()


@pytest.fixture
def replicas(
    postgres_url: str, sandbox: SandboxServer, clock: ManualClock, settings: EngineSettings
) -> Iterator[tuple[World, Publisher]]:
    """A world on PostgreSQL plus a second publisher (another replica) with its own client."""
    db = Database(postgres_url)
    first, second = make_client(sandbox, clock), make_client(sandbox, clock)
    world = World(sandbox, clock, db, first, settings, Publisher(db, first, clock, settings))
    other = Publisher(db, second, clock, settings)
    yield world, other
    world.publisher.close()
    other.close()
    first.close()
    second.close()
    db.dispose()
