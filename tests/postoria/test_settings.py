"""Settings are validated when built, so a bad value fails at startup."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bridge.postoria import (
    DEFAULT_BUDGET,
    Budget,
    PostoriaClient,
    RateLimiter,
    RetryPolicy,
    Timeouts,
)


@pytest.mark.parametrize(
    ("factory", "options"),
    [
        (Budget, {"per": 0}),
        (Budget, {"margin": -1}),
        (Budget, {"requests": 10, "margin": 10}),
        (Timeouts, {"read": 0}),
        (RetryPolicy, {"attempts": 0}),
        (RetryPolicy, {"rate_limit_attempts": -1}),
        (RetryPolicy, {"backoff_base": -0.1}),
    ],
)
def test_impossible_settings_are_refused(factory: Any, options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        factory(**options)


def test_defaults_follow_the_contract() -> None:
    assert (DEFAULT_BUDGET.requests, DEFAULT_BUDGET.per, DEFAULT_BUDGET.capacity) == (300, 300, 290)
    upload = Timeouts(read=5, upload=900).for_upload()
    assert isinstance(upload, httpx.Timeout)
    assert (upload.read, upload.write, upload.connect) == (900, 900, 5.0)
    assert Timeouts(read=5).for_api().read == 5


@pytest.mark.parametrize("url", ["api.postoria.io/v1", "ftp://api.postoria.io/v1", "https://"])
def test_a_base_url_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="base URL"):
        PostoriaClient("pst_test_key", url)


def test_plain_http_beyond_this_machine_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with PostoriaClient("pst_test_key", "http://proxy.internal/v1/", limiter=RateLimiter()) as c:
        assert c.base_url == "http://proxy.internal/v1"
    assert "unencrypted to proxy.internal" in caplog.text


def test_a_key_read_with_its_newline_is_trimmed() -> None:
    with PostoriaClient("pst_test_key\n", "https://api.postoria.io/v1") as client:
        assert client._api_key == "pst_test_key"
    with pytest.raises(ValueError, match="API key is required"):
        PostoriaClient("  \n", "https://api.postoria.io/v1")
