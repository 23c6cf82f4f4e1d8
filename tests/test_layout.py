"""The site graph's spring layout, made in a process of its own: the same positions, networkx never loaded by the build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from builder import layout, parallel
from builder.pipeline import BuildOptions, build
from conftest import snapshot

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "content"
NODES = [("officials", f"o-{i}") for i in range(12)] + [("countries", "iran"), ("countries", "china")]
PAIRS = [(i, 12 + i % 2) for i in range(12)] + [(0, 1), (0, 1), (3, 3), (12, 13)]


def test_the_process_apart_gives_the_same_positions_as_this_one() -> None:
    here = layout.spring(NODES, PAIRS)
    assert len(here) == len(NODES) and len(set(here)) == len(NODES)
    assert layout.Apart()(NODES, PAIRS) == here  # exactly: floats cross as JSON, which keeps every bit


def test_weights_and_loops_count_as_networkx_would_count_them() -> None:
    import networkx as nx

    simple = nx.Graph()
    simple.add_nodes_from(NODES[:3])
    simple.add_edge(NODES[0], NODES[1], weight=2)
    expected = nx.spring_layout(simple, seed=layout.SEED, k=1.6 / 3 ** 0.5, iterations=layout.ITERATIONS, weight="weight")
    found = layout.spring(NODES[:3], [(0, 1), (1, 0), (2, 2)])
    assert found == [tuple(map(float, expected[n])) for n in NODES[:3]]
    assert layout.spring([], []) == []


@pytest.mark.parametrize("how", ["cannot start", "fails", "answers nonsense", "never answers"])
def test_a_process_that_cannot_help_leaves_the_layout_to_this_one(monkeypatch, how: str) -> None:
    if how == "cannot start":
        monkeypatch.setattr(layout.subprocess, "Popen", lambda *a, **k: (_ for _ in ()).throw(OSError("no")))
    else:
        monkeypatch.setattr(layout, "WAIT", 1)
        code = {"fails": "import sys; sys.exit(3)", "answers nonsense": "print('[[1, 2]]')",
                "never answers": "import time; time.sleep(60)"}[how]
        real = layout.subprocess.Popen
        monkeypatch.setattr(layout.subprocess, "Popen", lambda argv, **k: real([sys.executable, "-c", code], **k))
    assert layout.Apart()(NODES, PAIRS) == layout.spring(NODES, PAIRS)


def test_a_process_never_asked_is_stopped() -> None:
    apart = layout.Apart()
    process = apart._process
    apart.close()
    assert process is not None and process.returncode is not None and process.stdin.closed
    assert apart(NODES[:2], []) == layout.spring(NODES[:2], [])  # and then laid out here


def test_a_large_build_never_loads_networkx_and_draws_the_same_graph(tmp_path: Path) -> None:
    """networkx and numpy (tens of megabytes) stay out of the build's processes, which are forked to render;
    the pages are the same bytes as when the layout is made in the build's process."""
    script = ("import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; from builder import parallel; "
              "from builder.pipeline import BuildOptions, build; parallel.MIN_PARALLEL = 0; "
              "assert build(BuildOptions(Path(sys.argv[2]), Path(sys.argv[3]), jobs=2, search=False)).ok; "
              "print(sorted({'networkx', 'numpy'} & set(sys.modules)))")
    run = subprocess.run([sys.executable, "-c", script, str(ROOT), str(GOLDEN), str(tmp_path / "apart")],
                         capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
    assert build(BuildOptions(GOLDEN, tmp_path / "here", jobs=2, search=False)).ok  # a small site: laid out here
    apart, here = snapshot(tmp_path / "apart"), snapshot(tmp_path / "here")
    assert b"<svg" in apart["graph/index.html"] and apart == here
