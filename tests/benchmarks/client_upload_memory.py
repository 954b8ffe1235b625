"""Peak memory of the client process while ``upload_file`` sends a 200 MB file.

The file is generated in a temporary directory (real bytes, not a sparse file) and uploaded to
a sandbox in another process, so only the client's own memory is measured. A sampling thread
reads the process's resident set size (``VmRSS`` in ``/proc/self/status``) every 2 ms during
the upload; the figure is the peak above the RSS measured just before it started. A second
upload under ``tracemalloc`` reports the peak of Python allocations as well.

Run: ``.venv/bin/python -m tests.benchmarks.client_upload_memory [--size-mb N]``
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from bridge.postoria import PostoriaClient

from .client_support import machine, sandbox_process

MIB = 1024 * 1024
TARGET_MIB = 60
ACME = 1


def rss_bytes() -> int:
    """The current resident set size of this process."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class PeakSampler(threading.Thread):
    """Samples RSS until stopped and keeps the highest value seen."""

    def __init__(self, interval: float = 0.002) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = rss_bytes()
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, rss_bytes())
            self.samples += 1
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        """Stop sampling and return the peak."""
        self._stop_event.set()
        self.join()
        self.peak = max(self.peak, rss_bytes())
        return self.peak


def write_file(path: Path, size: int) -> None:
    """``size`` bytes of a PDF: header, pseudo-random body, trailer."""
    block = os.urandom(MIB)
    with path.open("wb") as file:
        file.write(b"%PDF-1.4\n")
        remaining = size - 9 - 6
        while remaining > 0:
            written = file.write(block[: min(MIB, remaining)])
            remaining -= written
        file.write(b"%%EOF\n")


def main(argv: list[str] | None = None) -> int:
    """Upload once sampling RSS, once under tracemalloc; print the peaks; 1 if over target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200, help="file size in MiB")
    args = parser.parse_args(argv)
    size = args.size_mb * MIB

    with tempfile.TemporaryDirectory() as tmp, sandbox_process() as sandbox:
        path = Path(tmp) / "brochure.pdf"
        write_file(path, size)
        with PostoriaClient(sandbox.api_key, sandbox.url) as client:
            client.list_workspaces()  # connections, imports and caches warmed up
            gc.collect()
            baseline = rss_bytes()
            sampler = PeakSampler()
            sampler.start()
            started = time.perf_counter()
            client.upload_file(ACME, path)
            elapsed = time.perf_counter() - started
            peak = sampler.stop()

            tracemalloc.start()
            client.upload_file(ACME, path)
            _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()

    above = (peak - baseline) / MIB
    print(f"machine: {machine()}")
    print(f"upload_file of a {args.size_mb} MiB file to a sandbox in another process")
    print(f"  baseline RSS before the upload  {baseline / MIB:8.1f} MiB")
    print(f"  peak RSS during the upload      {peak / MIB:8.1f} MiB  ({sampler.samples} samples)")
    print(f"  peak above baseline             {above:8.1f} MiB  (target: under {TARGET_MIB} MiB)")
    print(f"  peak of Python allocations      {traced_peak / MIB:8.1f} MiB  (tracemalloc)")
    speed = args.size_mb / elapsed
    print(f"  upload time                     {elapsed:8.2f} s  ({speed:.0f} MiB/s)")
    return 0 if above < TARGET_MIB else 1


if __name__ == "__main__":
    raise SystemExit(main())
