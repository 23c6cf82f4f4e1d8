"""The site graph's spring layout, made by networkx in a Python process of its own.

networkx and numpy, which the layout needs, take tens of megabytes. A large build
starts this process as rendering begins (it loads networkx while the build makes
what its pages share) and hands it the records and edges to draw: the build's own
processes, which live on and are forked to render, then never hold them. Only plain data crosses, as JSON: the records' keys and
the edges as pairs of their places in, coordinates out. Where the process
cannot start or fails, the layout is made in the build's process, the same.

    python -m builder.layout < {"nodes": [[type, slug], ...], "edges": [[i, j], ...]}
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from builder.resolve import Key

SEED = 20240101
"""Seed of the spring layout: a fixed number, so every build draws the same picture."""
ITERATIONS = 200
WAIT = 300
"""Seconds the process is given to answer (it takes well under one); then the layout is made here."""


def spring(nodes: Sequence[Key], pairs: Sequence[tuple[int, int]]) -> list[tuple[float, float]]:
    """Where networkx's seeded spring layout puts each node (in order), for edges given as pairs of
    places in ``nodes``; each pair joining two nodes adds one to the weight of the edge between them."""
    if not nodes:
        return []
    import networkx as nx

    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    for a, b in pairs:
        if a != b:
            ends = nodes[a], nodes[b]
            simple.add_edge(*ends, weight=simple.edges[ends]["weight"] + 1 if simple.has_edge(*ends) else 1)
    k = 1.6 / math.sqrt(len(nodes))
    positions = nx.spring_layout(simple, seed=SEED, k=k, iterations=ITERATIONS, weight="weight")
    return [(float(positions[n][0]), float(positions[n][1])) for n in nodes]


class Apart:
    """``spring`` made once, in a process started now; in this process when that one cannot be used."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parent.parent)
        try:
            self._process: subprocess.Popen | None = subprocess.Popen(
                [sys.executable, "-c", f"import sys; sys.path.insert(0, {root!r}); from builder.layout import main; main()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            self._process = None

    def __call__(self, nodes: Sequence[Key], pairs: Sequence[tuple[int, int]]) -> list[tuple[float, float]]:
        process, self._process = self._process, None
        if process is not None:
            request = json.dumps({"nodes": list(nodes), "edges": list(pairs)}).encode()
            try:
                out, _ = process.communicate(request, timeout=WAIT)
                found = [(float(x), float(y)) for x, y in json.loads(out)]
                if process.returncode == 0 and len(found) == len(nodes):
                    return found
            except (OSError, ValueError, TypeError, subprocess.TimeoutExpired):
                pass
            finally:
                self._stop(process)
        return spring(nodes, pairs)

    def close(self) -> None:
        """Stop the process if it was never asked (a build that failed before rendering)."""
        process, self._process = self._process, None
        if process is not None:
            self._stop(process)

    @staticmethod
    def _stop(process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None and not stream.closed:
                stream.close()


def main() -> None:
    import networkx, numpy  # noqa: F401, E401  (loaded while the request is awaited)

    request = json.load(sys.stdin)
    nodes = [tuple(key) for key in request["nodes"]]
    pairs = [(a, b) for a, b in request["edges"]]
    json.dump(spring(nodes, pairs), sys.stdout)


if __name__ == "__main__":
    main()
