"""Coverage-guided fuzzing of the load-and-validate stage with atheris (not part of the test suite).

Each input is one content file as bytes: its first byte picks a record type
(or site.yaml), the rest is decoded as UTF-8 the way the build reads files,
split into front matter and body, validated against the schema, and its body
parsed and rendered as Markdown (fuzz/target.py). An exception is a crash:
atheris writes the input to fuzz/out/crash-*. Copy it into fuzz/crashes/ (the
test suite replays every file there) and add a readable test before fixing.

    .venv/bin/pip install atheris
    .venv/bin/python fuzz/fuzz_load.py -max_total_time=300 -artifact_prefix=fuzz/out/ fuzz/out/corpus fuzz/seeds

See SECURITY.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["builder", "fuzz", "yaml", "markdown_it", "mdit_py_plugins"]):
    from fuzz.target import load_and_validate


def one_input(data: bytes) -> None:
    load_and_validate(data)


if __name__ == "__main__":
    Path("fuzz/out/corpus").mkdir(parents=True, exist_ok=True)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
