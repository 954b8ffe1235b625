"""The request pipeline every endpoint method goes through: one ``_request()``.

``_request`` builds the request, waits for the shared rate limiter, sends it through an
``httpx.Client`` (whose transport can be injected), maps failures to the bridge's errors once,
records the attempt in the ledger and tells the listeners, then decides whether the failure may
be retried (see :mod:`.retry`). Endpoint methods only say which endpoint and how to parse.
"""

from __future__ import annotations

import importlib.metadata
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import urlsplit

import httpx

from ..clock import SYSTEM_CLOCK, Clock
from ..errors import (
    PostoriaAPIError,
    PostoriaError,
    PostoriaProtocolError,
    PostoriaTransportError,
    RateLimitedError,
)
from ._mapping import (
    api_error,
    is_json,
    map_httpx_exceptions,
    rate_limit_headers,
    request_id_of,
    retry_after,
    storage_error,
    unknown_outcome,
)
from .context import Priority, current_priority, current_tags, priority_block, tag_block
from .endpoints import Call, Kind
from .ledger import RequestLedger, RequestRecord, outcome_of
from .limiter import REGISTRY, RateLimiter, WaitCancelled, shared_limiter
from .redact import SECRETS, install_log_filter, mask_key
from .retry import backoff_delay, may_resend
from .settings import DEFAULT_BUDGET, DEFAULT_RETRY, DEFAULT_TIMEOUTS, Budget, RetryPolicy, Timeouts

if TYPE_CHECKING:
    from types import TracebackType

    from ._types import JSONValue, Listener, QueryParams
    from .uploads import PreparedBody

T = TypeVar("T")
Parser = Callable[[Call, httpx.Response], T]

logger = logging.getLogger(__package__)

DEFAULT_BASE_URL = "https://api.postoria.io/v1"
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _user_agent() -> str:
    try:
        version = importlib.metadata.version("postoria-bridge")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        version = "dev"
    return f"postoria-bridge/{version} httpx/{httpx.__version__}"


USER_AGENT = _user_agent()
"""Sent with every request, so Postoria can tell the bridge's traffic apart."""


@dataclass(frozen=True)
class Upload:
    """The storage PUT's particulars: the signed URL (secret), the body and its type."""

    url: str
    body: PreparedBody
    content_type: str

    def __repr__(self) -> str:
        return f"<Upload {self.content_type} {self.body.length} bytes>"


@dataclass
class _Tries:
    """How many times one call has been sent, and why it was resent."""

    replayable: bool
    attempts: int = 0
    failures: int = 0
    rate_limited: int = 0


@dataclass
class _Result:
    """One attempt's outcome: a value, or an error with what the retry rules need to know."""

    value: Any = None
    error: PostoriaError | None = None
    garbled: bool = False
    wait: float | None = None


class BaseClient:
    """Settings, the HTTP client, the limiter, the ledger and the request pipeline."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        budget: Budget = DEFAULT_BUDGET,
        retry: RetryPolicy = DEFAULT_RETRY,
        clock: Clock = SYSTEM_CLOCK,
        transport: httpx.BaseTransport | None = None,
        limiter: RateLimiter | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        api_key = api_key.strip()  # keys read from files often end with a newline
        if not api_key:
            raise ValueError("a Postoria API key is required")
        install_log_filter()
        SECRETS.add_key(api_key)
        self._api_key = api_key
        self.base_url = _checked_base_url(base_url)
        self.timeouts = timeouts
        self.budget = budget
        self.retry = retry
        self.clock = clock
        self._owns_limiter_share = limiter is None
        self.limiter = limiter or shared_limiter(api_key, self.base_url, budget, clock)
        self.ledger = RequestLedger()
        self.stop_waiting = threading.Event()
        """Set when shutting down: a request that would wait for the budget is not sent and
        raises :class:`RateLimitedError` at once, rather than holding the stop for a window."""
        self._listeners: list[Listener] = []
        self._rng = random.Random()
        self._http = httpx.Client(
            transport=transport,
            timeout=timeouts.for_api(),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.base_url} key={mask_key(self._api_key)}>"

    def close(self) -> None:
        """Close the connection pool and let go of the shared limiter."""
        self._http.close()
        if self._owns_limiter_share:
            self._owns_limiter_share = False
            REGISTRY.release(self.limiter)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def priority(self, priority: Priority) -> Iterator[None]:
        """Send the requests made in the block with ``priority`` (budget order)."""
        with priority_block(priority):
            yield

    @contextmanager
    def tag(self, **tags: Any) -> Iterator[None]:
        """Attach ``tags`` to the :class:`RequestRecord` of each request made in the block."""
        with tag_block(tags):
            yield

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(record)`` after every request, successful or not."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        """Stop calling ``listener``."""
        self._listeners.remove(listener)

    def _request(
        self,
        call: Call,
        parse: Parser[T],
        *,
        json: JSONValue = None,
        params: QueryParams | None = None,
        upload: Upload | None = None,
    ) -> T:
        """Send ``call`` until it succeeds or fails for good, and return ``parse``'s result."""
        priority = current_priority(call.endpoint.priority)
        tries = _Tries(replayable=upload is None or upload.body.replayable)
        while True:
            tries.attempts += 1
            if call.endpoint.counts_against_budget:
                self._acquire(call, priority)
            request = self._build(call, json, params, upload)
            result = self._attempt(call, request, parse, tries.attempts, priority)
            if result.error is None:
                return result.value
            delay = self._delay_before_retry(call, result, tries)
            if delay is None:
                raise result.error
            self.clock.sleep(delay)

    def _acquire(self, call: Call, priority: Priority) -> None:
        """Take the request from the budget; a wait cancelled by :attr:`stop_waiting` is
        reported as the rate limit it is (nothing was sent), which every caller handles."""
        try:
            self.limiter.acquire(priority, cancel=self.stop_waiting)
        except WaitCancelled as exc:
            raise RateLimitedError(
                f"not sent: stopping while waiting for the rate limit ({exc})",
                retry_after=exc.wait,
                status=429,
                code="wait_cancelled",
                method=call.endpoint.method,
                path=call.safe_path,
            ) from exc

    def _delay_before_retry(self, call: Call, result: _Result, tries: _Tries) -> float | None:
        """Seconds to wait before resending, or ``None`` when the error is final."""
        error = result.error
        assert error is not None
        if isinstance(error, RateLimitedError):
            wait = result.wait or 0.0
            policy = self.retry
            if not tries.replayable or tries.rate_limited >= policy.rate_limit_attempts:
                return None
            if wait > policy.max_rate_limit_wait:
                return None
            tries.rate_limited += 1
            logger.info("%s: rate limited, retrying in %.1fs", call.request_line, wait)
            # An API 429 paused the shared limiter, which makes the wait; storage has its own.
            return 0.0 if call.endpoint.counts_against_budget else wait
        tries.failures += 1
        if tries.failures >= self.retry.attempts or not may_resend(
            call.endpoint.kind,
            error,
            self.retry,
            garbled=result.garbled,
            replayable=tries.replayable,
        ):
            return None
        delay = backoff_delay(self.retry, tries.failures, self._rng)
        logger.info(
            "%s failed (%s), retry %d in %.2fs",
            call.request_line,
            type(error).__name__,
            tries.failures,
            delay,
        )
        return delay

    def _build(
        self,
        call: Call,
        json: JSONValue,
        params: QueryParams | None,
        upload: Upload | None,
    ) -> httpx.Request:
        if upload is not None:
            headers = {"Content-Type": upload.content_type}
            if upload.body.length is not None:
                headers["Content-Length"] = str(upload.body.length)
            return self._http.build_request(
                "PUT",
                upload.url,
                content=upload.body.produce(),
                headers=headers,
                timeout=self.timeouts.for_upload(),
            )
        return self._http.build_request(
            call.endpoint.method,
            self.base_url + call.path,
            json=json,
            params=params,
            headers={"Authorization": f"Bearer {self._api_key}"},
        )

    def _attempt(
        self,
        call: Call,
        request: httpx.Request,
        parse: Parser[Any],
        attempt: int,
        priority: Priority,
    ) -> _Result:
        started_at = self.clock.now()
        began = time.perf_counter()
        logger.debug("%s (attempt %d)", call.request_line, attempt)
        response: httpx.Response | None = None
        result = _Result()
        try:
            with map_httpx_exceptions(call):
                response = self._http.send(request)
        except PostoriaTransportError as exc:
            result.error = exc
        if response is not None:
            result = self._interpret(call, response, parse)
        duration = time.perf_counter() - began
        self._record(call, response, result.error, attempt, priority, started_at, duration)
        return result

    def _interpret(self, call: Call, response: httpx.Response, parse: Parser[Any]) -> _Result:
        is_api = call.endpoint.counts_against_budget
        if is_api:
            limit, remaining, reset = rate_limit_headers(response)
            self.limiter.observe(limit=limit, remaining=remaining, reset=reset)
        result = _Result()
        if response.is_success:
            try:
                result.value = parse(call, response)
            except PostoriaProtocolError as exc:
                result.error = exc
        else:
            result.error = api_error(call, response) if is_api else storage_error(call, response)
        if isinstance(result.error, PostoriaProtocolError):
            result.garbled = not is_json(response)
            if call.endpoint.kind is Kind.CREATE and (
                response.is_success or response.is_server_error
            ):
                result.error = unknown_outcome(call, result.error)
        if isinstance(result.error, RateLimitedError):
            result.wait = self._rate_limit_wait(response)
            if is_api:
                self.limiter.pause(result.wait)
        return result

    def _rate_limit_wait(self, response: httpx.Response) -> float:
        wait = retry_after(response, now=self.clock.now())
        if wait is None:
            _, _, reset = rate_limit_headers(response)
            wait = reset if reset is not None else self.retry.rate_limit_fallback
        return wait

    def _record(
        self,
        call: Call,
        response: httpx.Response | None,
        error: PostoriaError | None,
        attempt: int,
        priority: Priority,
        started_at: datetime,
        duration: float,
    ) -> None:
        status = response.status_code if response is not None else None
        record = RequestRecord(
            endpoint=call.endpoint.label,
            method=call.endpoint.method,
            path=call.safe_path,
            outcome=outcome_of(error),
            status=status,
            duration=duration,
            started_at=started_at,
            attempt=attempt,
            priority=priority,
            counts_against_budget=call.endpoint.counts_against_budget,
            request_id=_request_id(response, error),
            error=str(error) if error is not None else None,
            tags=dict(current_tags()),
        )
        logger.debug(
            "%s → %s %s in %.1f ms",
            call.request_line,
            status if status is not None else "no answer",
            record.outcome.value,
            duration * 1000,
        )
        self.ledger.record(record)
        for listener in list(self._listeners):
            try:
                listener(record)
            except Exception:
                logger.exception("a request listener failed; the request itself is unaffected")


def _checked_base_url(base_url: str) -> str:
    """``base_url`` without its trailing slash; refused unless http(s), warned about if the
    key would travel in clear beyond this machine."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the Postoria base URL must be an http(s) URL, not {base_url!r}")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        logger.warning("the API key is sent unencrypted to %s (http, not https)", parts.hostname)
    return base_url.strip().rstrip("/")


def _request_id(response: httpx.Response | None, error: PostoriaError | None) -> str | None:
    if isinstance(error, PostoriaAPIError) and error.request_id:
        return error.request_id
    return request_id_of(response) if response is not None else None
