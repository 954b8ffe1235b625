"""Shared by the client benchmarks: a sandbox in its own process, and machine facts.

The sandbox runs in a separate process so its request handling does not share the GIL (or
the memory figures) with the client being measured.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any


@dataclass(frozen=True)
class RemoteSandbox:
    """Where the sandbox process listens, and the key to use."""

    url: str
    api_key: str
    pid: int


def _serve(conn: Connection, options: dict[str, Any]) -> None:
    from bridge.sandbox import SandboxConfig, SandboxServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = SandboxServer(SandboxConfig(**options)).bind()
    conn.send((server.url, server.api_key))
    conn.close()
    server.serve_forever()


@contextmanager
def sandbox_process(**options: Any) -> Iterator[RemoteSandbox]:
    """Start a sandbox (``SandboxConfig(**options)``) in a fresh process; stop it afterwards."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_serve, args=(child, options), daemon=True)
    process.start()
    try:
        if not parent.poll(60):
            raise RuntimeError("the sandbox process did not start within 60 s")
        url, api_key = parent.recv()
        yield RemoteSandbox(url=url, api_key=api_key, pid=process.pid or 0)
    finally:
        process.terminate()
        process.join(10)


def machine() -> str:
    """``2 cores, <CPU model>, Python 3.11.7, Linux …`` for the report."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores, {model}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
