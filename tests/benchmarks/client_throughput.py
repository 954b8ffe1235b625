"""Requests per second through ``PostoriaClient`` versus a bare ``httpx.Client``.

Both make the same sequential ``GET /workspaces`` calls to a sandbox in another process, with
a rate limit too high to matter and the client's budget raised to match, so the figure is the
client's own overhead: limiter, model parsing, ledger, listeners' bookkeeping. Rounds
alternate between the two so drift on the machine affects both alike; the best round counts.

Run: ``.venv/bin/python -m tests.benchmarks.client_throughput [--requests N] [--rounds N]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import httpx

from bridge.postoria import Budget, PostoriaClient

from .client_support import machine, sandbox_process

TARGET_RATIO = 1.5
UNLIMITED = 1_000_000_000


def _measure(call: Callable[[], object], requests: int) -> tuple[float, float]:
    """Requests per second, and CPU seconds this process spent per request."""
    cpu_start = time.process_time()
    start = time.perf_counter()
    for _ in range(requests):
        call()
    elapsed = time.perf_counter() - start
    return requests / elapsed, (time.process_time() - cpu_start) / requests


def main(argv: list[str] | None = None) -> int:
    """Measure and print both rates and their ratio; exit 1 when over the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds for each contender")
    args = parser.parse_args(argv)

    with sandbox_process(rate_limit=UNLIMITED) as sandbox:
        budget = Budget(requests=UNLIMITED, per=300.0, margin=0)
        client = PostoriaClient(sandbox.api_key, sandbox.url, budget=budget)
        bare = httpx.Client(headers={"Authorization": f"Bearer {sandbox.api_key}"})
        url = f"{sandbox.url}/workspaces"

        def bare_call() -> object:
            response = bare.get(url)
            response.raise_for_status()
            return response.json()["data"]

        contenders = {"PostoriaClient": client.list_workspaces, "bare httpx.Client": bare_call}
        for call in contenders.values():
            _measure(call, 100)  # warm up connections, imports and caches
        best = dict.fromkeys(contenders, 0.0)
        cpu = dict.fromkeys(contenders, float("inf"))
        for _ in range(args.rounds):
            for name, call in contenders.items():
                rate, cpu_each = _measure(call, args.requests)
                best[name] = max(best[name], rate)
                cpu[name] = min(cpu[name], cpu_each)
        client.close()
        bare.close()

    ratio = best["bare httpx.Client"] / best["PostoriaClient"]
    cpu_ratio = cpu["PostoriaClient"] / cpu["bare httpx.Client"]
    print(f"machine: {machine()}")
    print(f"sequential GET /workspaces, {args.requests} per round, best of {args.rounds} rounds")
    for name, rate in best.items():
        print(
            f"  {name:<18} {rate:8.0f} requests/s  ({1000 / rate:.2f} ms each, "
            f"{cpu[name] * 1000:.2f} ms of client CPU)"
        )
    print(f"  throughput ratio   {ratio:8.2f}x  (bare / client; target: within {TARGET_RATIO}x)")
    print(f"  client CPU ratio   {cpu_ratio:8.2f}x  (client / bare, per request)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
