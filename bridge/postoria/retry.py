"""What may be sent again after a failure, and how long to wait first.

The rules follow from what a resend could do (see :class:`~.endpoints.Kind`):

* a 429 was not processed, so any request may be resent once the server's wait is over;
* a request that never left (connection refused, connect or pool timeout) may be resent;
* reads (GET, DELETE) and replayable storage PUTs are resent after transport errors,
  500/502/503/504 and garbled answers from a proxy;
* a post creation is never resent once it may have arrived, and no other POST is resent after
  a 5xx or a lost answer: the caller (the engine) reconciles or decides.
"""

from __future__ import annotations

import random

from ..errors import (
    OutcomeUnknownError,
    PostoriaError,
    PostoriaProtocolError,
    PostoriaTransportError,
    ServerError,
)
from ._mapping import was_never_sent
from .endpoints import Kind
from .settings import RetryPolicy


def backoff_delay(policy: RetryPolicy, retry_number: int, rng: random.Random) -> float:
    """Full-jitter exponential backoff: uniform in ``[0, min(cap, base * 2**(n-1))]``."""
    ceiling = min(policy.backoff_cap, policy.backoff_base * 2 ** max(0, retry_number - 1))
    return rng.uniform(0.0, ceiling)


def may_resend(
    kind: Kind,
    error: PostoriaError,
    policy: RetryPolicy,
    *,
    garbled: bool = False,
    replayable: bool = True,
) -> bool:
    """Whether a request of ``kind`` that failed with ``error`` is safe and useful to resend.

    ``garbled`` says the answer was not JSON at all (a proxy page, a cut-off body), the kind of
    protocol error a retry can fix. Rate limiting is decided elsewhere, with its own budget.
    """
    if not replayable or isinstance(error, OutcomeUnknownError):
        return False
    if isinstance(error, PostoriaTransportError) and was_never_sent(error):
        return True
    if kind not in (Kind.READ, Kind.UPLOAD):
        return False
    if isinstance(error, PostoriaTransportError):
        return True
    if isinstance(error, ServerError):
        return error.status in policy.retry_statuses
    return isinstance(error, PostoriaProtocolError) and garbled
