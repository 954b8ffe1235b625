"""Fixtures for the running tests: a real sandbox and a real feed server on loopback."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bridge.feedserver import FeedServer
from bridge.sandbox import SandboxConfig, SandboxServer

from .helpers import API_KEY_VARIABLE


@pytest.fixture(autouse=True)
def _quiet_access_logs() -> None:
    """Keep werkzeug's access lines out of test output."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A Postoria sandbox on real time with short media and publish delays."""
    with SandboxServer(SandboxConfig(media_delay=0.2, publish_delay=0.2)) as server:
        yield server


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    """A feed server on a free loopback port."""
    with FeedServer() as server:
        yield server


@pytest.fixture
def api_key_env(monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer) -> str:
    """The sandbox's key in ``POSTORIA_API_KEY``, as a deployment would set it."""
    monkeypatch.setenv(API_KEY_VARIABLE, sandbox.api_key)
    return sandbox.api_key
