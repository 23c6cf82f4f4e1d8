"""Peak memory of a build: generate a synthetic dossier, build it in a fresh process, report its peak RSS.

    python bench/memory.py --articles 10000 [--jobs 2] [--no-search]

The build runs without the build cache (``--no-cache``), in one process unless
``--jobs`` says otherwise, as the only child of a small wrapper process, so the
wrapper's ``RUSAGE_CHILDREN`` maximum resident set size is the largest of the
build's processes (the build, a render worker, or Pagefind). The same figure
comes from ``/usr/bin/time -v dossier build ...`` ("Maximum resident set
size"). On Linux the peak of the summed proportional set size (PSS) of all the
build's processes is reported too, as ``bench/run.py`` measures it: memory
that forked workers share with the build is counted once. Linux and macOS
only (``resource``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # as bench/run.py: run by path or as a module

from bench.generate import generate  # noqa: E402
from bench.run import _sample  # noqa: E402

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
    """Bytes: the largest of the build's processes."""
    exit_status: int
    peak_pss: float = 0.0
    """MB: all the build's processes together (Linux; 0 elsewhere)."""


def measure(articles: int, folder: Path, jobs: int = 1, search: bool = True) -> Measure:
    """Generate ``articles`` articles under ``folder`` and build them in a fresh process."""
    records = generate(folder / "content", articles)
    command = [sys.executable, "-m", "builder", "build", "--content", str(folder / "content"), "--output", str(folder / "site"),
               "--jobs", str(jobs), "--no-cache", *([] if search else ["--no-search"])]
    process = subprocess.Popen([sys.executable, "-c", _WRAPPER, *command], stdout=subprocess.PIPE, text=True)
    peak_pss, done = [0.0], threading.Event()
    if sys.platform.startswith("linux"):
        threading.Thread(target=_sample, args=(process.pid, peak_pss, done), daemon=True).start()
    out = process.communicate()[0]
    done.set()
    peak, status = (int(word) for word in out.split())
    return Measure(articles, records, peak, status, peak_pss[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Peak resident memory of building a synthetic dossier.")
    parser.add_argument("--articles", type=int, default=10_000, help="number of articles (default: 10000)")
    parser.add_argument("--jobs", type=int, default=1, help="build processes (default: 1)")
    parser.add_argument("--no-search", action="store_true", help="build without the Pagefind index")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dossier-memory-") as folder:
        result = measure(args.articles, Path(folder), args.jobs, not args.no_search)
    pss = f", peak summed PSS {result.peak_pss:.0f} MB" if result.peak_pss else ""
    print(f"{result.articles} articles ({result.records} records), --jobs {args.jobs}: exit {result.exit_status}, "
          f"peak RSS {result.peak_rss / 2**20:.0f} MiB{pss}")
    return result.exit_status


if __name__ == "__main__":
    sys.exit(main())
