"""Feed ingest benchmark: the bridge against rss2email and against feedparser alone.

Run with ``.venv/bin/python -m tests.benchmarks.feeds_ingest`` (``--feeds``/``--items``/
``--workers`` to change the load). 500 distinct feeds of 50 items each are generated
(:mod:`tests.benchmarks.feeds_corpus`) and served from a :class:`bridge.feedserver.FeedServer`
on loopback, then measured in the same run:

a. the bridge: every feed fetched and normalized through ``RssSource``, sources polled by a
   thread pool (as the engine polls sources concurrently) sharing one ``httpx.Client``. It runs
   in a child process so its peak memory is its own and the server does not compete with it
   for the GIL;
b. ``r2e run --no-send`` (rss2email) over the same feeds, with a generated configuration;
c. feedparser alone parsing the same bytes, already in memory, in one thread.

:func:`ingest_feed` is the per-feed step; the engine's store write path belongs there.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import feedparser
import httpx
from bridge_rss import RssOptions, RssSource

from bridge import FetchResult, SourceContext
from bridge.feedserver import FeedServer

from .feeds_corpus import generate_feed

REPO_ROOT = Path(__file__).resolve().parents[2]
R2E = Path(sys.executable).with_name("r2e")


@dataclass(frozen=True)
class FeedOutcome:
    """What ingesting one feed produced."""

    items: int
    problems: int
    media: int


@dataclass(frozen=True)
class BridgeRun:
    """The bridge's figures for one pass over every feed."""

    seconds: float
    feeds: int
    items: int
    problems: int
    media: int
    peak_rss_mb: float
    workers: int


def ingest_feed(source: RssSource, cursor: dict[str, Any]) -> FeedOutcome:
    """Fetch and normalize one feed: the engine's per-source ingest step.

    The store write path (deduplicating and saving each item) is to be added here, so the
    benchmark keeps measuring what a poll really costs.
    """
    result: FetchResult = source.fetch(cursor)
    return FeedOutcome(
        items=len(result.items),
        problems=len(result.problems),
        media=sum(len(item.media) for item in result.items),
    )


def run_bridge(urls: list[str], workers: int) -> BridgeRun:
    """Ingest every URL with a pool of ``workers`` threads; return wall time and totals."""
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    with httpx.Client(limits=limits, headers={"User-Agent": "bridge-benchmark"}) as client:
        sources = [
            RssSource(RssOptions(url=url), SourceContext(name=f"feed-{n}", http=client))
            for n, url in enumerate(urls)
        ]
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(lambda source: ingest_feed(source, {}), sources))
        seconds = time.perf_counter() - start
    return BridgeRun(
        seconds=seconds,
        feeds=len(outcomes),
        items=sum(o.items for o in outcomes),
        problems=sum(o.problems for o in outcomes),
        media=sum(o.media for o in outcomes),
        peak_rss_mb=peak_rss_mb(),
        workers=workers,
    )


def run_bridge_in_child(urls: list[str], workers: int, workdir: Path) -> BridgeRun:
    """:func:`run_bridge` in a fresh interpreter, for a clean memory figure."""
    url_file = workdir / "urls.json"
    url_file.write_text(json.dumps(urls), encoding="utf-8")
    command = [sys.executable, "-m", "tests.benchmarks.feeds_ingest", "--bridge-child"]
    command += [str(url_file), "--workers", str(workers)]
    output = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    return BridgeRun(**json.loads(output.strip().splitlines()[-1]))


def run_rss2email(urls: list[str], workdir: Path) -> float:
    """Seconds for ``r2e run --no-send`` over ``urls`` with a fresh configuration and data file."""
    config = workdir / "rss2email.cfg"
    data = workdir / "rss2email.json"
    sections = ["[DEFAULT]", "to = bench@example.invalid", "same-server-fetch-interval = 0"]
    for n, url in enumerate(urls):
        sections += [f"[feed.feed-{n:04d}]", f"url = {url}"]
    config.write_text("\n".join(sections) + "\n", encoding="utf-8")
    command = [str(R2E), "-c", str(config), "-d", str(data), "run", "--no-send"]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    seen = sum(len(feed.get("seen", {})) for feed in json.loads(data.read_text())["feeds"])
    if seen != 0 and seen < len(urls):
        raise RuntimeError(f"rss2email read only {seen} entries")
    return seconds


def run_feedparser(bodies: list[bytes]) -> tuple[float, int]:
    """Seconds for feedparser alone to parse ``bodies`` in one thread, and the entry count."""
    start = time.perf_counter()
    entries = sum(len(feedparser.parse(body).entries) for body in bodies)
    return time.perf_counter() - start, entries


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    """Generate, serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--skip-rss2email", action="store_true")
    parser.add_argument("--bridge-child", metavar="URL_FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bridge_child:
        urls = json.loads(Path(args.bridge_child).read_text(encoding="utf-8"))
        print(json.dumps(asdict(run_bridge(urls, args.workers))))
        return

    bodies = [generate_feed(n, args.items) for n in range(args.feeds)]
    megabytes = sum(map(len, bodies)) / 1e6
    print(f"{args.feeds} feeds x {args.items} items, {megabytes:.1f} MB of RSS 2.0")
    with FeedServer() as server, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for n, body in enumerate(bodies):
            server.set(f"/feeds/{n}.xml", body)
        urls = [server.url_for(f"/feeds/{n}.xml") for n in range(args.feeds)]
        bridge = run_bridge_in_child(urls, args.workers, workdir)
        r2e = None if args.skip_rss2email else run_rss2email(urls, workdir)
    parsed_seconds, entries = run_feedparser(bodies)
    report(bridge, r2e, parsed_seconds, entries)


def report(bridge: BridgeRun, r2e: float | None, feedparser_seconds: float, entries: int) -> None:
    """Print the figures and how they compare with the targets."""
    print(
        f"bridge (fetch + normalize, {bridge.workers} threads): {bridge.seconds:7.2f} s  "
        f"{bridge.items} items, {bridge.media} media, peak RSS {bridge.peak_rss_mb:.0f} MB"
    )
    if r2e is not None:
        print(f"rss2email run --no-send:                {r2e:7.2f} s")
    print(f"feedparser alone (bytes in memory):     {feedparser_seconds:7.2f} s  {entries} entries")
    if r2e is not None:
        print(f"rss2email / bridge:   {r2e / bridge.seconds:5.2f}x  (target >= 3x)")
    ratio = bridge.seconds / feedparser_seconds
    print(f"bridge / feedparser:  {ratio:5.2f}x  (target <= 1.5x)")
    print(f"bridge peak RSS:      {bridge.peak_rss_mb:5.0f} MB (target < 150 MB)")
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, r2e at {shutil.which(str(R2E))}"
    )


if __name__ == "__main__":
    main()
