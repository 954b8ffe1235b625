"""Fixtures for the Postoria client: a real sandbox on loopback sharing a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bridge.clock import ManualClock
from bridge.postoria import Budget, PostoriaClient, RateLimiter
from bridge.sandbox import SandboxConfig, SandboxServer

from .helpers import FAST_RETRY, JPEG_BYTES, MakeClient


@pytest.fixture
def clock() -> ManualClock:
    """A clock shared by the sandbox and the client: waits are simulated, never slept."""
    return ManualClock()


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[SandboxServer]:
    """A fresh sandbox on a free loopback port, following ``clock``."""
    with SandboxServer(SandboxConfig(clock=clock, media_delay=2.0, publish_delay=1.0)) as server:
        yield server


@pytest.fixture
def make_client(sandbox: SandboxServer, clock: ManualClock) -> Iterator[MakeClient]:
    """Build clients against the sandbox (own limiter each, manual clock); closed afterwards."""
    made: list[PostoriaClient] = []

    def make(api_key: str | None = None, **options: Any) -> PostoriaClient:
        budget = options.pop("budget", Budget())
        assert isinstance(budget, Budget)
        options.setdefault("limiter", RateLimiter(budget, clock))
        options.setdefault("retry", FAST_RETRY)
        client = PostoriaClient(
            api_key or sandbox.api_key, sandbox.url, clock=clock, budget=budget, **options
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> PostoriaClient:
    """A client with the main sandbox key."""
    return make_client()


@pytest.fixture
def jpeg_file(tmp_path: Path) -> Path:
    """A tiny intact JPEG, named as if it were a PNG (the name must not matter)."""
    path = tmp_path / "photo.png"
    path.write_bytes(JPEG_BYTES)
    return path
