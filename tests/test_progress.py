"""Progress on a terminal (quiet in CI and when redirected) and --timings."""

from __future__ import annotations

import io
from pathlib import Path

from builder import progress
from builder.cli import main
from builder.pipeline import BuildOptions, build

GOLDEN = Path(__file__).resolve().parent / "golden" / "content"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_outside_ci(monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert progress.wanted(_Terminal()) and not progress.wanted(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not progress.wanted(_Terminal())


def test_meter_shows_stages_with_counts_once_a_build_runs_long() -> None:
    stream = _Terminal()
    meter = progress.Meter(stream, delay=0)
    meter("load", 0, 0)
    meter.last = 0
    meter("render", 5, 10)
    meter("render", 10, 10)
    meter.close()
    text = stream.getvalue()
    assert "load" in text and "render 5/10" in text and "render 10/10" in text and text.endswith("\r\033[K")
    quiet = _Terminal()
    slow = progress.Meter(quiet, delay=60)
    slow("load", 1, 2)
    slow.close()
    assert quiet.getvalue() == ""


def test_a_build_reports_its_stages_and_counts(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    result = build(BuildOptions(GOLDEN, tmp_path / "site", progress=lambda *a: seen.append(a)))
    stages = [name for name, _ in result.timings]
    assert stages == ["discover", "load", "resolve", "render", "write"]
    assert {s for s, _, _ in seen} == set(stages)
    done = [d for s, d, t in seen if s == "render" and t]
    assert done and done[-1] == [t for s, d, t in seen if s == "render" and t][-1]


def test_timings_are_printed_on_request(tmp_path: Path, capsys) -> None:
    assert main(["build", "--content", str(GOLDEN), "--output", str(tmp_path / "site"), "--no-cache", "--timings"]) == 0
    err = capsys.readouterr().err
    for stage in ("discover", "load", "resolve", "render", "write", "total"):
        assert f"\n{stage} " in "\n" + err
    assert "\r" not in err  # not a terminal: no progress line


def test_jobs_must_be_a_positive_number(tmp_path: Path, capsys) -> None:
    try:
        main(["build", "--content", str(GOLDEN), "--jobs", "0"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "--jobs" in capsys.readouterr().err
