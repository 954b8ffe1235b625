"""Feed ingest benchmark: the bridge against rss2email and against feedparser alone.

Run with ``.venv/bin/python -m tests.benchmarks.feeds_ingest`` (``--feeds``/``--items``/
``--workers`` to change the load, ``--latency 0.05`` to make the server answer like a remote
blog rather than instantly). 500 distinct feeds of 50 items each are generated
(:mod:`tests.benchmarks.feeds_corpus`) and served from a :class:`bridge.feedserver.FeedServer`
on loopback, then measured in the same run:

a. the bridge: every feed ingested by the engine's ``Ingestor`` (fetched and normalized
   through the rss connector, deduplicated against the seen-set and stored in a new SQLite
   database), sources polled by a thread pool (as the engine polls sources concurrently)
   sharing one ``httpx.Client``, in a child process so its peak memory is its own and the
   server does not compete for its GIL;
b. ``r2e run --no-send`` (rss2email) over the same feeds, with a generated configuration;
c. feedparser alone parsing the same bytes, already in memory, in one thread (also in a child
   process, started the same way as the bridge's).

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
from sqlalchemy import func
from sqlmodel import select

from bridge.clock import SystemClock
from bridge.config import BridgeConfig, parse_config
from bridge.engine.ingest import Ingestor
from bridge.feedserver import FeedServer
from bridge.registry import source_types
from bridge.store import Database, ItemRecord

from .feeds_corpus import generate_feed

REPO_ROOT = Path(__file__).resolve().parents[2]
R2E = Path(sys.executable).with_name("r2e")


@dataclass(frozen=True)
class BridgeRun:
    """The bridge's figures for one pass over every feed."""

    seconds: float
    feeds: int
    items: int
    problems: int
    peak_rss_mb: float
    worker_peak_rss_mb: float
    parse_workers: int
    cpu_seconds: float
    workers: int


def bridge_config(urls: list[str], database_url: str) -> BridgeConfig:
    """A configuration with one rss source per URL, every item new on the first fetch."""
    sources = "".join(
        f'[[sources]]\nname = "feed-{n}"\ntype = "rss"\nurl = "{url}"\nbacklog = "all"\n\n'
        for n, url in enumerate(urls)
    )
    text = (
        f'[postoria]\napi_key = "pst_benchmark"\n\n[database]\nurl = "{database_url}"\n\n{sources}'
    )
    return parse_config(text, path="<benchmark>")


def run_bridge(urls: list[str], workers: int, database_url: str) -> BridgeRun:
    """Ingest every URL through the engine's :class:`Ingestor` (fetch, normalize, deduplicate,
    store) with a pool of ``workers`` threads; return wall time and totals.

    The configuration is the default one, so documents are parsed in the engine's worker
    processes (``parse_workers = "auto"``); CPU time includes theirs.
    """
    config = bridge_config(urls, database_url)
    database = Database(database_url)
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    with httpx.Client(limits=limits, headers={"User-Agent": "bridge-benchmark"}) as client:
        ingestor = Ingestor(database, config, source_types(), SystemClock(), http=client)
        ingestor.sync_sources()  # starts the parse workers ("auto": one per CPU)
        parse_workers = ingestor._parse_workers()
        parse_count = getattr(parse_workers, "_max_workers", 0)
        names = [source.name for source in config.sources]
        start, cpu_start = time.perf_counter(), time.process_time() + children_cpu_seconds()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            summaries = list(pool.map(ingestor.fetch, names))
        seconds = time.perf_counter() - start
        ingestor.close()  # reaps the workers, so their CPU time is counted below
        cpu = time.process_time() + children_cpu_seconds() - cpu_start
    failed = [s for s in summaries if s.outcome != "ok"]
    if failed:
        raise RuntimeError(f"{len(failed)} feeds failed, first: {failed[0]}")
    with database.session() as session:
        stored = session.exec(select(func.count()).select_from(ItemRecord)).one()
    database.dispose()
    return BridgeRun(
        seconds=seconds,
        feeds=len(summaries),
        items=stored,
        problems=sum(len(s.problems) for s in summaries),
        peak_rss_mb=peak_rss_mb(),
        worker_peak_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        parse_workers=parse_count,
        cpu_seconds=cpu,
        workers=workers,
    )


def in_child(*args: str) -> Any:
    """Run this module with ``args`` in a fresh interpreter and decode its last line (JSON).

    Each contender gets its own process: its memory figure is its own, and it shares the GIL
    with neither the feed server nor the other contender's leftovers.
    """
    command = [sys.executable, "-m", "tests.benchmarks.feeds_ingest", *args]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_bridge_in_child(urls: list[str], workers: int, workdir: Path) -> BridgeRun:
    """:func:`run_bridge` in a fresh interpreter, storing into a new SQLite file."""
    url_file = workdir / "urls.json"
    url_file.write_text(json.dumps(urls), encoding="utf-8")
    database = f"sqlite:///{workdir / 'bridge.db'}"
    args = ("--bridge-child", str(url_file), "--workers", str(workers), "--database", database)
    return BridgeRun(**in_child(*args))


def run_feedparser_in_child(bodies: list[bytes], workdir: Path) -> tuple[float, float, int]:
    """:func:`run_feedparser` in a fresh interpreter, the documents read before timing."""
    folder = workdir / "documents"
    folder.mkdir()
    for n, body in enumerate(bodies):
        (folder / f"{n:04d}.xml").write_bytes(body)
    seconds, cpu, entries = in_child("--feedparser-child", str(folder))
    return seconds, cpu, entries


def run_rss2email(urls: list[str], workdir: Path, entries: int) -> tuple[float, float]:
    """Wall and CPU seconds for ``r2e run --no-send`` over ``urls`` (fresh configuration and
    data file; the CPU time includes the interpreter's start, about 0.3 s).

    rss2email records every entry it processed as seen, even without sending; the count is
    checked against ``entries`` so a run that silently failed cannot look fast.
    """
    config = workdir / "rss2email.cfg"
    data = workdir / "rss2email.json"
    sections = ["[DEFAULT]", "to = bench@example.invalid", "same-server-fetch-interval = 0"]
    for n, url in enumerate(urls):
        sections += [f"[feed.feed-{n:04d}]", f"url = {url}"]
    config.write_text("\n".join(sections) + "\n", encoding="utf-8")
    command = [str(R2E), "-c", str(config), "-d", str(data), "run", "--no-send"]
    start, cpu_start = time.perf_counter(), children_cpu_seconds()
    subprocess.run(command, check=True, capture_output=True)
    seconds, cpu = time.perf_counter() - start, children_cpu_seconds() - cpu_start
    seen = sum(len(feed.get("seen", {})) for feed in json.loads(data.read_text())["feeds"])
    if seen != entries:
        raise RuntimeError(f"rss2email processed {seen} entries, expected {entries}")
    return seconds, cpu


def run_feedparser(bodies: list[bytes]) -> tuple[float, float, int]:
    """Wall and CPU seconds for feedparser alone to parse ``bodies`` in one thread, and the
    entry count."""
    start, cpu_start = time.perf_counter(), time.process_time()
    entries = sum(len(feedparser.parse(body).entries) for body in bodies)
    return time.perf_counter() - start, time.process_time() - cpu_start, entries


def children_cpu_seconds() -> float:
    """CPU time (user + system) used by this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    """Generate, serve, measure, print; the exit status is 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds the server waits before each answer, like a remote blog (default 0)",
    )
    parser.add_argument("--skip-rss2email", action="store_true")
    parser.add_argument("--bridge-child", metavar="URL_FILE", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--feedparser-child", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bridge_child:
        urls = json.loads(Path(args.bridge_child).read_text(encoding="utf-8"))
        print(json.dumps(asdict(run_bridge(urls, args.workers, args.database))))
        return 0
    if args.feedparser_child:
        documents = [path.read_bytes() for path in sorted(Path(args.feedparser_child).iterdir())]
        print(json.dumps(run_feedparser(documents)))
        return 0

    bodies = [generate_feed(n, args.items) for n in range(args.feeds)]
    megabytes = sum(map(len, bodies)) / 1e6
    print(
        f"{args.feeds} feeds x {args.items} items, {megabytes:.1f} MB of RSS 2.0, "
        f"server latency {args.latency * 1000:.0f} ms"
    )
    with FeedServer(delay=args.latency) as server, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for n, body in enumerate(bodies):
            server.set(f"/feeds/{n}.xml", body)
        urls = [server.url_for(f"/feeds/{n}.xml") for n in range(args.feeds)]
        bridge = run_bridge_in_child(urls, args.workers, workdir)
        expected = args.feeds * args.items
        r2e = None if args.skip_rss2email else run_rss2email(urls, workdir, expected)
        parsed = run_feedparser_in_child(bodies, workdir)
    if bridge.items != expected or parsed[2] != expected:
        raise RuntimeError(
            f"expected {expected} items: bridge {bridge.items}, feedparser {parsed[2]}"
        )
    return report(bridge, r2e, parsed)


TARGETS = {"rss2email / bridge": 3.0, "bridge / feedparser": 1.5, "peak RSS MB": 150.0}


def report(
    bridge: BridgeRun, r2e: tuple[float, float] | None, parsed: tuple[float, float, int]
) -> int:
    """Print the figures and how they compare with the targets; 1 if one is missed.

    Targets are judged on wall time; CPU time is printed beside it because on a busy machine
    a contender's wall time also measures how much CPU the others left it.
    """
    parse_seconds, parse_cpu, entries = parsed
    print(f"{'':40} {'wall':>8} {'CPU':>8}")
    print(
        f"{f'bridge, {bridge.workers} threads (ingest + store)':40} "
        f"{bridge.seconds:7.2f}s {bridge.cpu_seconds:7.2f}s  {bridge.items} items"
    )
    if r2e is not None:
        print(f"{'rss2email run --no-send':40} {r2e[0]:7.2f}s {r2e[1]:7.2f}s")
    label = "feedparser alone (bytes in memory)"
    print(f"{label:40} {parse_seconds:7.2f}s {parse_cpu:7.2f}s  {entries} entries")
    missed = []
    if r2e is not None:
        ratio, cpu_ratio = r2e[0] / bridge.seconds, r2e[1] / bridge.cpu_seconds
        print(f"rss2email / bridge:  {ratio:5.2f}x wall, {cpu_ratio:5.2f}x CPU  (target >= 3x)")
        if ratio < TARGETS["rss2email / bridge"]:
            missed.append("rss2email / bridge")
    ratio, cpu_ratio = bridge.seconds / parse_seconds, bridge.cpu_seconds / parse_cpu
    print(f"bridge / feedparser: {ratio:5.2f}x wall, {cpu_ratio:5.2f}x CPU  (target <= 1.5x)")
    if ratio > TARGETS["bridge / feedparser"]:
        missed.append("bridge / feedparser")
    print(
        f"bridge peak RSS:     {bridge.peak_rss_mb:5.0f} MB  (target < 150 MB; its "
        f"{bridge.parse_workers} parse workers: {bridge.worker_peak_rss_mb:.0f} MB at most each)"
    )
    if bridge.peak_rss_mb >= TARGETS["peak RSS MB"]:
        missed.append("peak RSS MB")
    where = shutil.which(str(R2E))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, r2e at {where}")
    if missed:
        print(f"missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
