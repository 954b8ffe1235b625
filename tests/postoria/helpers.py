"""Constants and helpers shared by the client tests (fixtures live in ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.postoria import PostoriaClient, RetryPolicy
from bridge.sandbox import SandboxServer

ACME = 1
"""The seeded "Acme Corp" workspace."""
ACME_X = 101
ACME_LINKEDIN = 102
MAIN_QUEUE = 11
REVOKED_KEY = "pst_test_revoked_key"
OTHER_PROFILE_KEY = "pst_test_other_key"

FAST_RETRY = RetryPolicy(attempts=4, backoff_base=0.5, backoff_cap=4.0, rate_limit_attempts=3)
"""Retries as in production; waits cost nothing on the manual clock."""

MakeClient = Callable[..., PostoriaClient]

JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def served(sandbox: SandboxServer, endpoint: str) -> list[dict[str, Any]]:
    """The sandbox's log entries for one endpoint name (``create_post``, …)."""
    return [entry for entry in sandbox.state.requests() if entry["endpoint"] == endpoint]
