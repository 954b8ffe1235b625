"""Fixtures for the sandbox tests: a real SandboxServer on loopback and plain httpx clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bridge.clock import ManualClock
from bridge.sandbox import SandboxConfig, SandboxServer

from .samples import SAMPLES

PLAIN = httpx.Client(timeout=10, verify=False)
"""A keyless client for absolute URLs (loopback HTTP only, so no TLS context to build)."""
START = datetime(2026, 8, 3, 12, 0, tzinfo=UTC)  # a Monday, 08:00 in New York
ACME = 1


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock shared with the sandbox."""
    return ManualClock(START)


@pytest.fixture
def config(clock: ManualClock) -> SandboxConfig:
    """Sandbox settings for one test (override the fixture to change them)."""
    return SandboxConfig(clock=clock)


@pytest.fixture
def server(config: SandboxConfig) -> Iterator[SandboxServer]:
    """A running sandbox."""
    with SandboxServer(config) as running:
        yield running


@pytest.fixture
def make_server(clock: ManualClock) -> Iterator[Callable[..., SandboxServer]]:
    """Start extra sandboxes with some settings changed (stopped after the test)."""
    started: list[SandboxServer] = []

    def _make(**overrides: Any) -> SandboxServer:
        overrides.setdefault("clock", clock)
        running = SandboxServer(SandboxConfig(**overrides)).start()
        started.append(running)
        return running

    yield _make
    for running in started:
        running.stop()


def client_for(server: SandboxServer, key: str | None = None) -> httpx.Client:
    """An httpx client for ``server`` with ``key`` (the main key by default)."""
    headers = {"Authorization": f"Bearer {key or server.api_key}"}
    return httpx.Client(base_url=server.url, headers=headers, timeout=10, verify=False)


@pytest.fixture
def api(server: SandboxServer) -> Iterator[httpx.Client]:
    """An httpx client with the main key, based at ``/v1``."""
    with client_for(server) as client:
        yield client


@pytest.fixture
def upload(api: httpx.Client, server: SandboxServer) -> Callable[..., dict[str, Any]]:
    """Upload bytes, complete, advance past processing; returns the media as served."""

    def _upload(
        content_type: str = "image/png",
        body: bytes | None = None,
        workspace: int = ACME,
        wait: bool = True,
    ) -> dict[str, Any]:
        name, make = SAMPLES[content_type]
        slot = api.post(
            f"/workspaces/{workspace}/media/uploads",
            json={"name": name, "content_type": content_type},
        ).json()
        put = PLAIN.put(
            slot["upload"]["url"],
            content=make() if body is None else body,
            headers={"Content-Type": content_type},
        )
        assert put.status_code == 200, put.text
        media = api.post(f"/workspaces/{workspace}/media/{slot['id']}/complete").json()
        if wait:
            server.clock.advance(server.config.media_delay)
            media = api.get(f"/workspaces/{workspace}/media/{slot['id']}").json()
        return media

    return _upload


def create_post(api: httpx.Client, workspace: int = ACME, **fields: Any) -> httpx.Response:
    """POST a post with sensible defaults (publish now on Acme on X)."""
    body = {"publish_mode": "publish_now", "social_account_ids": [101], "caption": "Hello"}
    body.update(fields)
    return api.post(f"/workspaces/{workspace}/posts", json=body)


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The error object of an envelope answer (asserting its shape)."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "param", "details", "request_id"}
    assert body["error"]["request_id"].startswith("req_")
    return body["error"]
