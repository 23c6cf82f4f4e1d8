"""Peak memory of a build: generate a synthetic dossier, build it in a fresh process, report its peak RSS.

    python bench/memory.py --articles 10000

The build runs in one process (``--jobs 1``) without the build cache
(``--no-cache``), as the only child of a small wrapper process, so the wrapper's
``RUSAGE_CHILDREN`` maximum resident set size is the build's alone. The same
figure comes from ``/usr/bin/time -v dossier build ...`` ("Maximum resident set
size"). Linux and macOS only (``resource``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.generate import generate

_WRAPPER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB on Linux
print(usage.ru_maxrss * scale, code)
"""


@dataclass(frozen=True)
class Measure:
    """One measured build."""

    articles: int
    records: int
    peak_rss: int
    """Bytes."""
    exit_status: int


def measure(articles: int, folder: Path) -> Measure:
    """Generate ``articles`` articles under ``folder`` and build them in a fresh process."""
    records = generate(folder / "content", articles)
    command = [sys.executable, "-m", "builder", "build", "--content", str(folder / "content"), "--output", str(folder / "site"),
               "--jobs", "1", "--no-cache"]
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *command], capture_output=True, text=True, check=True).stdout
    peak, status = (int(word) for word in out.split())
    return Measure(articles, records, peak, status)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Peak resident memory of building a synthetic dossier.")
    parser.add_argument("--articles", type=int, default=10_000, help="number of articles (default: 10000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dossier-memory-") as folder:
        result = measure(args.articles, Path(folder))
    print(f"{result.articles} articles ({result.records} records): exit {result.exit_status}, "
          f"peak RSS {result.peak_rss / 2**20:.0f} MiB")
    return result.exit_status


if __name__ == "__main__":
    sys.exit(main())
