"""How long each stage of a build takes, and progress on a terminal while it runs."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import Callable, Iterator, TextIO

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): ``total`` 0 when a stage has no count."""


class Clock:
    """Times the stages of one build, telling ``progress`` (if any) when each starts."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.progress = progress
        self.timings: list[tuple[str, float]] = []

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name, 0, 0)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings.append((name, time.perf_counter() - start))


def wanted(stream: TextIO) -> bool:
    """Progress is shown on a terminal, never in CI or when output is redirected."""
    return stream.isatty() and not os.environ.get("CI")


class Meter:
    """One line on a terminal, rewritten as stages advance, at most ten times a second."""

    def __init__(self, stream: TextIO, delay: float = 0.5) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.delay = delay
        """Quick builds show nothing: the line appears once a build has run this long."""
        self.last = 0.0
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.start < self.delay or (now - self.last < 0.1 and done != total):
            return
        self.last = now
        count = f" {done:,}/{total:,}" if total else ""
        self.stream.write(f"\r\033[K{stage}{count}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def table(timings: list[tuple[str, float]]) -> list[str]:
    """Lines such as ``load     1.234 s``, then the total."""
    lines = [f"{name:<10} {seconds:8.3f} s" for name, seconds in timings]
    return lines + [f"{'total':<10} {sum(s for _, s in timings):8.3f} s"]
