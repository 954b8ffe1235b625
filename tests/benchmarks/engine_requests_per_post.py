"""Benchmark: Postoria API requests per published post, engine against a naive integration.

Run it with ``.venv/bin/python -m tests.benchmarks.engine_requests_per_post`` (it is not a
test; pytest does not collect it). For text, link and imported-image posts, the same number of
items goes through the real engine (feed → ingest → routing → publisher, on a simulated clock
shared with the sandbox) and through the naive flow of :mod:`tests.benchmarks.engine_naive`
(create; poll media every 5 s; poll each post every 30 s until final). Both are counted by the
sandbox's request log; the engine's one-off route resolution at start is reported apart.

Targets: at most 1.05 requests per text post and 3.1 per imported-image post.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from bridge.clock import ManualClock
from bridge.sandbox import SandboxConfig, SandboxServer

from .engine_harness import (
    SETUP_ENDPOINTS,
    START,
    BenchItem,
    RouteSpec,
    bench_items,
    endpoint_counts,
    per_post_requests,
    simulated_bridge,
)
from .engine_naive import NaiveIntegration, NaivePost

ACME_LINKEDIN = 102
TARGETS = {"text": 1.05, "link": 1.05, "image": 3.1}


@dataclass(frozen=True)
class Figure:
    """One kind of post: requests per post for the engine and the naive flow."""

    kind: str
    posts: int
    engine: float
    naive: float
    setup: int
    breakdown: dict[str, int]

    @property
    def ratio(self) -> float:
        """Engine requests per post as a fraction of the naive flow's."""
        return self.engine / self.naive

    @property
    def target(self) -> float:
        """The most requests per post the engine may spend."""
        return TARGETS[self.kind]

    @property
    def met(self) -> bool:
        """Whether the engine kept within its target."""
        return self.engine <= self.target


def engine_requests(kind: str, items: list[BenchItem]) -> tuple[float, int, dict[str, int]]:
    """Run ``items`` through the engine; requests per post, setup requests, by endpoint."""
    route = RouteSpec(
        name=f"bench-{kind}",
        workspace="Acme Corp",
        accounts=("Acme on LinkedIn",),
        media="required" if kind == "image" else "none",
        link=kind == "link",
    )
    with simulated_bridge({route.name: items}, [route]) as bridge:
        bridge.drain()
        posts = bridge.sandbox.state.posts()
        if len(posts) != len(items) or any(p["status"] != "posted" for p in posts):
            raise RuntimeError(f"{kind}: the engine did not post every item exactly once")
        log = bridge.requests()
    setup = sum(1 for entry in log if entry["endpoint"] in SETUP_ENDPOINTS)
    breakdown = {k: v for k, v in endpoint_counts(log).items() if k not in SETUP_ENDPOINTS}
    return per_post_requests(log) / len(items), setup, breakdown


def naive_requests(kind: str, items: list[BenchItem]) -> float:
    """Run ``items`` through the naive flow; requests per post."""
    clock = ManualClock(START)
    with SandboxServer(SandboxConfig(clock=clock)) as sandbox:
        naive = NaiveIntegration(sandbox.url, sandbox.api_key, clock)
        try:
            for item in items:
                naive.publish(
                    1,
                    NaivePost(
                        caption=f"{item.title} {item.link}",
                        account_ids=(ACME_LINKEDIN,),
                        link_url=item.link if kind == "link" else None,
                        image_url=item.image,
                    ),
                )
        finally:
            naive.close()
        return len(sandbox.state.requests()) / len(items)


def measure(kind: str, count: int) -> Figure:
    """Both flows for ``count`` posts of one kind."""
    items = bench_items(kind, count, images=kind == "image")
    engine, setup, breakdown = engine_requests(kind, items)
    return Figure(kind, count, engine, naive_requests(kind, items), setup, breakdown)


def report(figures: list[Figure]) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| post kind | posts | engine req/post | naive req/post | engine ÷ naive | target | met |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f.kind} | {f.posts} | {f.engine:.3f} | {f.naive:.3f} | {f.ratio:.2f} "
            f"| ≤ {f.target} | {'yes' if f.met else 'NO'} |"
        )
    lines.append("")
    for f in figures:
        detail = ", ".join(f"{name} {count}" for name, count in sorted(f.breakdown.items()))
        lines.append(f"- {f.kind}: {detail}; plus {f.setup} requests once at start")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure every kind and print the table; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100, help="posts of each kind")
    args = parser.parse_args(argv)
    figures = [measure(kind, args.posts) for kind in ("text", "link", "image")]
    print(report(figures))
    return 0 if all(f.met for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
