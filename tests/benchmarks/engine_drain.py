"""Benchmark: draining 2,000 new items across 4 workspaces of one key, within the budget.

Run it with ``.venv/bin/python -m tests.benchmarks.engine_drain`` (not collected by pytest).
Four feeds of 500 new items each, one per workspace of the agency key, all posted right away:
the engine must create 2,000 posts and read each one's result while spending at most the
budget (300 requests per 5 minutes, 10 kept spare), on a simulated clock shared with the
sandbox, and the sandbox must never answer 429.

The baseline is the ideal the budget allows: the fewest requests that can do the job (one
create per post, plus reading every post's result through the list endpoint, 100 posts per
request per workspace) divided by the requests the budget grants per window, times the
window. Target: all final within 1.1 × the ideal, zero 429s.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from datetime import timedelta

from .engine_harness import (
    SETUP_ENDPOINTS,
    RouteSpec,
    bench_items,
    endpoint_counts,
    per_post_requests,
    simulated_bridge,
)

WORKSPACES = (
    RouteSpec("acme", "Acme Corp", ("Acme on LinkedIn",)),
    RouteSpec("globex", "Globex", ("Globex on LinkedIn",)),
    RouteSpec("initech", "Initech", ("Initech on X",)),
    RouteSpec("umbrella", "Umbrella", ("Umbrella on LinkedIn",)),
)
WINDOW = timedelta(minutes=5)
CAPACITY = 300 - 10
"""Requests the bridge may send per window: Postoria's 300 less the default margin of 10."""
LIST_PAGE = 100
TARGET = 1.1


@dataclass(frozen=True)
class DrainFigures:
    """What draining took, against the ideal."""

    posts: int
    elapsed: timedelta
    ideal: timedelta
    minimum_requests: int
    requests: int
    rate_limited: int
    breakdown: dict[str, int]

    @property
    def ratio(self) -> float:
        """Simulated time taken ÷ the ideal."""
        return self.elapsed / self.ideal

    @property
    def met(self) -> bool:
        """Within the target, with no 429 from the sandbox."""
        return self.ratio <= TARGET and self.rate_limited == 0


def ideal(per_workspace: int, workspaces: int) -> tuple[int, timedelta]:
    """The fewest requests that can drain the items, and the time the budget needs for them."""
    minimum = workspaces * (per_workspace + math.ceil(per_workspace / LIST_PAGE))
    return minimum, WINDOW * (minimum / CAPACITY)


def drain(per_workspace: int) -> DrainFigures:
    """Drain ``per_workspace`` items in each of the four workspaces."""
    feeds = {spec.name: bench_items(spec.name, per_workspace) for spec in WORKSPACES}
    with simulated_bridge(feeds, list(WORKSPACES)) as bridge:
        elapsed = bridge.drain()
        posts = bridge.sandbox.state.posts()
        total = per_workspace * len(WORKSPACES)
        if len(posts) != total or any(p["status"] != "posted" for p in posts):
            raise RuntimeError("the engine did not post every item exactly once")
        log = bridge.requests()
    minimum, best = ideal(per_workspace, len(WORKSPACES))
    return DrainFigures(
        posts=total,
        elapsed=elapsed,
        ideal=best,
        minimum_requests=minimum,
        requests=per_post_requests(log),
        rate_limited=sum(1 for entry in log if entry["status"] == 429),
        breakdown={k: v for k, v in endpoint_counts(log).items() if k not in SETUP_ENDPOINTS},
    )


def report(f: DrainFigures) -> str:
    """The figures as a Markdown table."""
    detail = ", ".join(f"{name} {count}" for name, count in sorted(f.breakdown.items()))
    return "\n".join(
        [
            "| posts | simulated time to drain | ideal | ratio | target | requests "
            "(minimum) | 429s | met |",
            "|---:|---:|---:|---:|---:|---:|---:|---|",
            f"| {f.posts} | {_minutes(f.elapsed)} | {_minutes(f.ideal)} | {f.ratio:.3f} "
            f"| ≤ {TARGET} | {f.requests} ({f.minimum_requests}) | {f.rate_limited} "
            f"| {'yes' if f.met else 'NO'} |",
            "",
            f"- requests by endpoint: {detail}",
        ]
    )


def _minutes(value: timedelta) -> str:
    return f"{value.total_seconds() / 60:.1f} min"


def main(argv: list[str] | None = None) -> int:
    """Drain and print the figures; exit 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-workspace", type=int, default=500, help="items per workspace")
    args = parser.parse_args(argv)
    figures = drain(args.per_workspace)
    print(report(figures))
    return 0 if figures.met else 1


if __name__ == "__main__":
    sys.exit(main())
