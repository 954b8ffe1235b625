"""A process pool for the CPU-bound part of polling sources: parsing documents.

Polling is mostly waiting on remote servers, which threads overlap well; parsing a feed is
pure Python work that one interpreter does one document at a time. With many sources, a small
pool of worker processes parses on every core while the polling threads keep fetching. Work
sent here must be a picklable, module-level function of plain data (bytes in, items out).

Workers are started with ``spawn``: the engine runs scheduler threads, and forking a process
that holds threads and SQLite connections is unsafe.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor

log = logging.getLogger(__name__)

AUTO_MIN_SOURCES = 8
"""With ``parse_workers = "auto"``, fewer enabled sources than this parse in-thread: a pool's
start-up (about a second per worker) would cost more than it saves."""


def worker_count(setting: int | str, sources: int, cpus: int | None = None) -> int:
    """How many parse workers to start: ``0`` means parse in the polling thread.

    ``setting`` is a number, or ``"auto"``: one worker per CPU when there are at least
    :data:`AUTO_MIN_SOURCES` sources and more than one CPU, else none.
    """
    if setting != "auto":
        return max(0, int(setting))
    cpus = cpus if cpus is not None else (os.cpu_count() or 1)
    return cpus if cpus > 1 and sources >= AUTO_MIN_SOURCES else 0


def parse_pool(workers: int) -> Executor | None:
    """A process pool of ``workers`` spawned processes, or ``None`` for none."""
    if workers <= 0:
        return None
    log.info("parsing sources in %d worker processes", workers)
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
