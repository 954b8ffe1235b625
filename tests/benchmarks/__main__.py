"""Run every benchmark in this package, one process each: ``python -m tests.benchmarks``.

A benchmark is a module of this package that runs as a script (it has an
``if __name__ == "__main__":`` block). Pass names to run only some:
``python -m tests.benchmarks client_throughput``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
MAIN_GUARD = 'if __name__ == "__main__":'


def runnable_benchmarks() -> list[str]:
    """Module names of the benchmarks, sorted."""
    return sorted(
        path.stem
        for path in PACKAGE_DIR.glob("*.py")
        if not path.stem.startswith("_") and MAIN_GUARD in path.read_text(encoding="utf-8")
    )


def main(argv: list[str] | None = None) -> int:
    """Run the chosen (default: all) benchmarks in turn; the exit status is the worst one."""
    chosen = argv if argv else runnable_benchmarks()
    unknown = sorted(set(chosen) - set(runnable_benchmarks()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    worst = 0
    for name in chosen:
        print(f"== {name}", flush=True)
        done = subprocess.run([sys.executable, "-m", f"tests.benchmarks.{name}"], check=False)
        worst = max(worst, done.returncode)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
