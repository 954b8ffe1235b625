"""Translating what comes back from httpx into the bridge's errors, at one boundary.

:func:`map_httpx_exceptions` is the one place where httpx exceptions become
:class:`~bridge.errors.PostoriaError`\\s, like httpx's own ``map_httpcore_exceptions``. The
other helpers decode bodies and error envelopes, so a proxy's HTML page, a truncated body or a
foreign JSON shape becomes a :class:`~bridge.errors.PostoriaProtocolError` instead of a
``KeyError`` or ``JSONDecodeError`` escaping.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ..errors import (
    OutcomeUnknownError,
    PostoriaAPIError,
    PostoriaError,
    PostoriaProtocolError,
    PostoriaTransportError,
    RateLimitedError,
    api_error_class,
)
from ._parse import protocol_error
from .endpoints import Call, Kind
from .redact import SECRETS

NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)
"""httpx failures that happen before a byte of the request leaves: always safe to resend."""

_EXCERPT_CHARS = 80


def was_never_sent(error: BaseException) -> bool:
    """Whether a mapped transport error (or its httpx cause) happened before sending."""
    cause = error if isinstance(error, httpx.HTTPError) else error.__cause__
    return isinstance(cause, NEVER_SENT)


@contextmanager
def map_httpx_exceptions(call: Call) -> Iterator[None]:
    """Re-raise httpx errors from the block as :class:`PostoriaTransportError`.

    A create that may have reached Postoria becomes :class:`OutcomeUnknownError`: only a
    failure to connect proves it was never sent.
    """
    try:
        yield
    except httpx.HTTPError as exc:
        raise transport_error(call, exc) from exc


def transport_error(call: Call, exc: httpx.HTTPError) -> PostoriaTransportError:
    """The bridge error for one httpx failure on ``call``."""
    detail = f"{type(exc).__name__}: {SECRETS.scrub(str(exc)) or 'no detail'}"[:200]
    where = {"method": call.endpoint.method, "path": call.safe_path}
    if isinstance(exc, NEVER_SENT):
        return PostoriaTransportError(
            f"{call.request_line}: could not reach Postoria, nothing was sent ({detail})", **where
        )
    if call.endpoint.kind is Kind.CREATE:
        return OutcomeUnknownError(
            f"{call.request_line}: the request was sent but its answer was lost ({detail}); "
            "the post may exist, reconcile before sending it again",
            **where,
        )
    return PostoriaTransportError(
        f"{call.request_line}: no answer from Postoria ({detail})", **where
    )


def excerpt(response: httpx.Response) -> str:
    """The start of a body, whitespace collapsed and secrets scrubbed, for error messages."""
    text = response.content[: _EXCERPT_CHARS * 4].decode("utf-8", "replace")
    text = SECRETS.scrub(re.sub(r"\s+", " ", text).strip())
    return text[:_EXCERPT_CHARS] + ("…" if len(text) > _EXCERPT_CHARS else "")


def decode_json(call: Call, response: httpx.Response) -> Any:
    """The JSON body of ``response``, or a protocol error naming what came instead."""
    if not response.content:
        raise protocol_error(call, response.status_code, "empty body where JSON was expected")
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        looks = "HTML" if response.content.lstrip()[:1] == b"<" else "invalid JSON"
        raise protocol_error(
            call, response.status_code, f"{looks} ({kind}): {excerpt(response)!r}"
        ) from None


def api_error(call: Call, response: httpx.Response) -> PostoriaError:
    """The error for a non-2xx answer: its envelope's class, or a protocol error without one."""
    status = response.status_code
    try:
        data = decode_json(call, response)
    except PostoriaProtocolError as exc:
        return exc
    envelope = data.get("error") if isinstance(data, dict) else None
    if not isinstance(envelope, dict):
        return protocol_error(call, status, f"no error envelope: {excerpt(response)!r}")
    message = envelope.get("message")
    code = envelope.get("code")
    fields: dict[str, Any] = {
        "status": status,
        "code": code if isinstance(code, str) else None,
        "param": envelope.get("param") if isinstance(envelope.get("param"), str) else None,
        "details": envelope.get("details"),
        "request_id": _request_id(envelope, response),
        "method": call.endpoint.method,
        "path": call.safe_path,
    }
    text = SECRETS.scrub(message) if isinstance(message, str) else response.reason_phrase
    cls = api_error_class(status)
    if cls is RateLimitedError:
        return RateLimitedError(text, retry_after=retry_after(response), **fields)
    return cls(text, **fields)


def storage_error(call: Call, response: httpx.Response) -> PostoriaAPIError:
    """The error for a refused PUT to storage, from its S3-style XML ``<Error>`` when present."""
    text = response.content[:2000].decode("utf-8", "replace")
    code = re.search(r"<Code>([^<]{1,64})</Code>", text)
    message = re.search(r"<Message>([^<]{1,300})</Message>", text)
    cls = api_error_class(response.status_code)
    fields: dict[str, Any] = {
        "status": response.status_code,
        "code": code.group(1) if code else None,
        "request_id": request_id_of(response),
        "method": call.endpoint.method,
        "path": call.safe_path,
    }
    reason = SECRETS.scrub(message.group(1)) if message else "storage refused the upload"
    if cls is RateLimitedError:
        return RateLimitedError(reason, retry_after=retry_after(response), **fields)
    return cls(reason, **fields)


def is_json(response: httpx.Response) -> bool:
    """Whether the body parses as JSON at all (a proxy page or a cut-off body does not)."""
    try:
        json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def request_id_of(response: httpx.Response) -> str | None:
    """The request ID Postoria gave an answer, from the envelope or the headers."""
    value = response.headers.get("x-request-id")
    return value or None


def _request_id(envelope: dict[str, Any], response: httpx.Response) -> str | None:
    value = envelope.get("request_id")
    return value if isinstance(value, str) and value else request_id_of(response)


def retry_after(response: httpx.Response, *, now: datetime | None = None) -> float | None:
    """Seconds from ``Retry-After`` (delta-seconds or an HTTP date), when present and sane."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds) if seconds == seconds else None  # NaN is not a wait


def rate_limit_headers(response: httpx.Response) -> tuple[int | None, int | None, float | None]:
    """``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (seconds from now), when present.

    The headers are undocumented: any value that does not parse is ignored. A reset larger
    than a day is read as an epoch timestamp.
    """
    limit = _int_header(response, "x-ratelimit-limit")
    remaining = _int_header(response, "x-ratelimit-remaining")
    reset: float | None = None
    raw = response.headers.get("x-ratelimit-reset")
    if raw:
        try:
            reset = float(raw)
        except ValueError:
            reset = None
        if reset is not None and reset > 86_400:
            reset = reset - datetime.now(UTC).timestamp()
        if reset is not None and (reset != reset or reset < 0):
            reset = None
    return limit, remaining, reset


def _int_header(response: httpx.Response, name: str) -> int | None:
    raw = response.headers.get(name)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def unknown_outcome(call: Call, error: PostoriaProtocolError) -> OutcomeUnknownError:
    """A garbled answer to a create, as what it means: the post may or may not exist."""
    unknown = OutcomeUnknownError(
        f"{error.message}; the post may exist, reconcile before sending it again",
        method=call.endpoint.method,
        path=call.safe_path,
    )
    unknown.__cause__ = error
    return unknown
