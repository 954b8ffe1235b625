"""Reading headers and envelopes, and the retry table, on answers built in memory."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import httpx
import pytest

from bridge.errors import (
    AuthenticationError,
    OutcomeUnknownError,
    PostoriaError,
    PostoriaProtocolError,
    PostoriaTransportError,
    RateLimitedError,
    ServerError,
)
from bridge.postoria import DEFAULT_RETRY, RetryPolicy
from bridge.postoria._mapping import api_error, rate_limit_headers, retry_after, transport_error
from bridge.postoria.endpoints import CREATE_POST, CREATE_UPLOAD, GET_POST, Kind
from bridge.postoria.retry import backoff_delay, may_resend

NOW = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
GET = GET_POST.call(ws=1, id=2)


def _response(
    status: int, headers: dict[str, str] | None = None, **kwargs: object
) -> httpx.Response:
    return httpx.Response(status, headers=headers, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("12", 12.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("Sat, 01 Aug 2026 09:01:30 GMT", 90.0),
        ("soon", None),
        ("nan", None),
    ],
)
def test_retry_after_reads_seconds_and_dates(value: str, seconds: float | None) -> None:
    assert retry_after(_response(429, {"Retry-After": value}), now=NOW) == seconds


def test_rate_limit_headers_are_optional_and_forgiving() -> None:
    assert rate_limit_headers(_response(200)) == (None, None, None)
    headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "7", "X-RateLimit-Reset": "42"}
    assert rate_limit_headers(_response(200, headers)) == (300, 7, 42.0)
    garbage = {"X-RateLimit-Limit": "many", "X-RateLimit-Remaining": "", "X-RateLimit-Reset": "?"}
    assert rate_limit_headers(_response(200, garbage)) == (None, None, None)


def test_an_envelope_becomes_its_status_class() -> None:
    envelope = {
        "error": {
            "code": "invalid_api_key",
            "message": "Invalid API key.",
            "param": None,
            "details": {"hint": "rotate"},
            "request_id": "req_1",
        }
    }
    error = api_error(GET, _response(401, json=envelope))
    assert isinstance(error, AuthenticationError)
    assert (error.code, error.request_id, error.details) == (
        "invalid_api_key",
        "req_1",
        {"hint": "rotate"},
    )
    limited = api_error(GET, _response(429, {"Retry-After": "9"}, json={"error": {"message": "x"}}))
    assert isinstance(limited, RateLimitedError) and limited.retry_after == 9


@pytest.mark.parametrize(
    "body", [b"", b"<html>Bad Gateway</html>", b'{"detail": "oops"}', b"[1, 2]", b'{"error": "x"}']
)
def test_error_statuses_without_an_envelope_are_protocol_errors(body: bytes) -> None:
    error = api_error(GET, _response(500, content=body))
    assert isinstance(error, PostoriaProtocolError)
    assert "answered HTTP 500" in str(error)


def _request() -> httpx.Request:
    return httpx.Request("POST", "http://127.0.0.1/v1/workspaces/1/posts")


@pytest.mark.parametrize(
    ("exc", "unknown"),
    [
        (httpx.ConnectError("refused"), False),
        (httpx.ConnectTimeout("slow"), False),
        (httpx.PoolTimeout("busy"), False),
        (httpx.ReadTimeout("slow"), True),
        (httpx.ReadError("reset"), True),
        (httpx.WriteError("broken pipe"), True),
        (httpx.RemoteProtocolError("closed"), True),
    ],
)
def test_only_a_failure_to_connect_proves_a_create_was_not_sent(
    exc: httpx.HTTPError, unknown: bool
) -> None:
    error = transport_error(CREATE_POST.call(ws=1), exc)
    assert isinstance(error, OutcomeUnknownError) is unknown
    assert isinstance(error, PostoriaTransportError)
    assert not isinstance(transport_error(GET, exc), OutcomeUnknownError)


def _sent_error(kind: Kind) -> PostoriaError:
    call = {Kind.CREATE: CREATE_POST.call(ws=1), Kind.WRITE: CREATE_UPLOAD.call(ws=1)}.get(
        kind, GET
    )
    error = transport_error(call, httpx.ReadError("reset"))
    error.__cause__ = httpx.ReadError("reset")
    return error


def _never_sent() -> PostoriaError:
    error = transport_error(CREATE_POST.call(ws=1), httpx.ConnectError("refused"))
    error.__cause__ = httpx.ConnectError("refused")
    return error


def _server_error(status: int) -> PostoriaError:
    return ServerError("boom", status=status)


@pytest.mark.parametrize(
    ("kind", "error", "garbled", "expected"),
    [
        (Kind.READ, _server_error(503), False, True),
        (Kind.READ, _server_error(501), False, False),
        (Kind.READ, _sent_error(Kind.READ), False, True),
        (Kind.READ, PostoriaProtocolError("html"), True, True),
        (Kind.READ, PostoriaProtocolError("missing id"), False, False),
        (Kind.CREATE, _server_error(503), False, False),
        (Kind.CREATE, _sent_error(Kind.CREATE), False, False),
        (Kind.CREATE, _never_sent(), False, True),
        (Kind.WRITE, _server_error(503), False, False),
        (Kind.WRITE, _sent_error(Kind.WRITE), False, False),
        (Kind.WRITE, _never_sent(), False, True),
        (Kind.UPLOAD, _server_error(503), False, True),
    ],
)
def test_what_may_be_resent(
    kind: Kind, error: PostoriaError, garbled: bool, expected: bool
) -> None:
    assert may_resend(kind, error, DEFAULT_RETRY, garbled=garbled) is expected


def test_nothing_is_resent_when_the_body_cannot_be_replayed() -> None:
    assert not may_resend(Kind.UPLOAD, _server_error(503), DEFAULT_RETRY, replayable=False)


def test_backoff_is_full_jitter_under_a_cap() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=4.0)
    rng = random.Random(7)
    for retry in range(1, 10):
        ceiling = min(4.0, 0.5 * 2 ** (retry - 1))
        delays = [backoff_delay(policy, retry, rng) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2  # spread over the range, not stuck at the bottom
