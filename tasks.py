#!/usr/bin/env python3
"""Set-up and everyday tasks, with nothing but Python 3 needed to start.

    python3 tasks.py build   # create .venv, install dossier, build content/ into site/
    python3 tasks.py test    # create .venv, install what the tests need, run every test
    python3 tasks.py serve   # create .venv, install, preview with live reload
    python3 tasks.py screenshots   # regenerate docs/screenshots/ of each kind of page
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

DEBIAN_PACKAGES = ["chromium", "default-jre-headless"]
"""System packages the browser and HTML-validation tests use (installed when running as root)."""
SCREENSHOT_PACKAGES = ["chromium", "fonts-noto-core", "fonts-noto-cjk"]
"""The browser, and fonts with Persian and Chinese glyphs, for ``tasks.py screenshots``."""
NPM_PACKAGES = ["axe-core@4", "vnu-jar@24"]
"""Browser-side tools the tests inject or run; installed into tests/node_modules."""


def run(*cmd: str | Path, **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def setup(extras: str = "") -> None:
    """A virtual environment with dossier installed (editable), plus the given extras."""
    if not PYTHON.exists():
        venv.create(VENV, with_pip=True)
    spec = f".[{extras}]" if extras else "."
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", spec, cwd=ROOT)


def system_packages(packages: list[str] = DEBIAN_PACKAGES) -> None:
    """Debian packages for the browser tests, when this user may install them."""
    missing = [p for p in packages if not _debian_installed(p)]
    if not missing:
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        print(f"note: not installing {', '.join(missing)} (needs root and apt-get); browser tests will be skipped")
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)


def npm_packages() -> None:
    folder = ROOT / "tests" / "node_modules"
    wanted = [p.rsplit("@", 1)[0] for p in NPM_PACKAGES]
    if all((folder / name).exists() for name in wanted):
        return
    if shutil.which("npm") is None:
        print("note: npm not found; accessibility and HTML-validator tests will be skipped")
        return
    run("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", ROOT / "tests", *NPM_PACKAGES)


def _debian_installed(package: str) -> bool:
    if shutil.which("dpkg-query") is None:
        return False
    result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return "install ok installed" in result.stdout


def build(args: list[str]) -> int:
    setup()
    return subprocess.call([str(BIN / "dossier"), "build", *args], cwd=ROOT)


def test(args: list[str]) -> int:
    setup("test")
    system_packages()
    npm_packages()
    return subprocess.call([str(PYTHON), "-m", "pytest", *args], cwd=ROOT)


def serve(args: list[str]) -> int:
    setup()
    return subprocess.call([str(BIN / "dossier"), "serve", *args], cwd=ROOT)


def screenshots(args: list[str]) -> int:
    """Screenshots of each kind of page into docs/screenshots/ (see tests/screenshots.py)."""
    setup("test,screenshots")
    system_packages(SCREENSHOT_PACKAGES)
    return subprocess.call([str(PYTHON), str(ROOT / "tests" / "screenshots.py"), *args], cwd=ROOT)


TASKS = {"build": build, "test": test, "serve": serve, "screenshots": screenshots}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        print(__doc__)
        sys.exit(2)
    sys.exit(TASKS[sys.argv[1]](sys.argv[2:]))
