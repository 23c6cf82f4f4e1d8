"""A build cache is trusted only on the machine that wrote it.

A pull request can commit ``.dossier-cache/`` (``git add -f``). Its entries
would skip validation: a cached record could carry a ``javascript:`` source URL
straight into a page. Cache checksums are keyed with a secret kept in the
user's cache folder, so a cache from anywhere else is ignored.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from builder import cache


def _secret_in(folder: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    cache._secret.cache_clear()


def test_an_entry_sealed_with_another_secret_is_ignored(tmp_path: Path, monkeypatch) -> None:
    _secret_in(tmp_path / "attacker", monkeypatch)
    forged = cache._seal({"poisoned": True}, "fingerprint")
    assert cache._unseal(forged, "fingerprint") == {"poisoned": True}
    _secret_in(tmp_path / "victim", monkeypatch)
    assert cache._unseal(forged, "fingerprint") is None
    assert cache._unseal(cache._seal({"own": 1}, "fingerprint"), "fingerprint") == {"own": 1}
    key = tmp_path / "victim" / "dossier" / "cache-key"
    assert len(key.read_bytes()) == 32 and key.stat().st_mode & 0o077 == 0, "the secret is the user's alone"
    cache._secret.cache_clear()


def test_a_committed_cache_does_not_feed_the_build(tmp_path: Path) -> None:
    """A cache built elsewhere, whose record was then edited to carry script, is not used here."""
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "site.yaml").write_text("title: t\nbase_url: https://example.org/\n", encoding="utf-8")
    (content / "articles" / "a.md").write_text(
        "---\ntitle: t\ndate: 2024\nsources: [{title: s, url: 'https://example.org/safe'}]\n---\n", encoding="utf-8")

    def build(home: str) -> str:
        env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / home))
        subprocess.run([sys.executable, "-m", "builder", "build", "--content", "content", "--output", "site", "--jobs", "1"],
                       cwd=tmp_path, env=env, check=True, capture_output=True)
        return (tmp_path / "site" / "articles" / "a" / "index.html").read_text(encoding="utf-8")

    assert "https://example.org/safe" in build("attacker")
    _poison(tmp_path / ".dossier-cache", tmp_path / "attacker")
    shutil.rmtree(tmp_path / "site")
    assert "javascript:" in build("attacker"), "the forged cache works where its secret is"
    shutil.rmtree(tmp_path / "site")
    page = build("victim")
    assert "javascript:" not in page and "https://example.org/safe" in page


def _poison(folder: Path, home: Path) -> None:
    """Rewrite every cached record's safe URL as script, sealed with the attacker's own secret; drop the manifest."""
    (folder / cache.MANIFEST).unlink(missing_ok=True)
    code = (
        "import pickle, sys\n"
        "from pathlib import Path\n"
        "from builder import cache\n"
        "evil = lambda v: pickle.loads(pickle.dumps(v).replace(b'https://example.org/safe', b'javascript:alert(1)/////'))\n"
        "for path in (Path(sys.argv[1]) / cache.RECORDS).glob('*/*'):\n"
        "    key, sealed = (path.parent.name + path.name).encode(), path.read_bytes()[20:]\n"
        "    fingerprint = sealed[len(cache.MAGIC):].split(b'\\n', 1)[0].decode()\n"
        "    forged = cache._seal(evil(cache._unseal(sealed, fingerprint)), fingerprint)\n"
        "    path.write_bytes(cache._check(key + forged) + forged)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(folder)], env=dict(os.environ, XDG_CACHE_HOME=str(home)), check=True)
