"""The persistent build cache, ``.dossier-cache/``: what a build may reuse from the last one.

It holds three things:

- ``records/``: each content file's loaded record, diagnostics and the links
  its body makes, one file per entry, named by a hash of the content file's
  bytes, its path and type, and the fingerprint of the code that read it
  (written as each is made and read as each is needed, so a build never holds
  them all); ``stamps.pickle`` tells which entry an unchanged file has;
- ``files/``: every rendered output file, named by the hash of its bytes, so an
  output folder can be rebuilt by hard links and unchanged files keep their
  modification times;
- ``manifest.pickle``: what the last successful build read (file stamps), wrote
  (output names and hashes) and reported; ``written.pickle`` the stamps of the
  output files it wrote, read only by the check that the output is intact; and
  ``journal.pickle`` the few entries of both that changed since, so that a build
  which rewrote one page stores kilobytes instead of the megabytes of the whole.
  A part that names another manifest than the one read is not used.

Nothing is trusted: each pickle starts with a magic line and the fingerprint of
the code and templates (a foreign or stale one is ignored), carries a checksum
(a corrupt one is ignored), and is read by an unpickler that builds only the
record classes; a rendered file is used only when its bytes still hash to its
name. The checksum is keyed with a secret kept outside the project, in the
user's cache folder, so a cache committed to the repository (``git add -f``)
by a pull request is ignored on every other machine instead of feeding the
build records that never went through validation.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
import functools
import pickle
import secrets
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable

from builder import __version__
from builder.write import hard_link, same_file

MAGIC = b"dossier-cache 1\n"
TAG = "CACHEDIR.TAG"
TAG_TEXT = "Signature: 8a477f597d28d172789f06886806bc55\n# The build cache of dossier; `dossier clean` removes it.\n"
RECORDS = "records"
STAMPS = "stamps.pickle"
MANIFEST = "manifest.pickle"
WRITTEN = "written.pickle"
JOURNAL = "journal.pickle"
JOURNAL_LIMIT = 2000
"""Changed entries the journal holds before the manifest is written whole again."""
_ALLOWED = {
    ("builder.records", "Record"), ("builder.records", "Source"), ("builder.records", "Position"), ("builder.frontmatter", "Marks"),
    ("builder.dates", "PartialDate"), ("builder.diagnostics", "Diagnostic"), ("builder.diagnostics", "Location"),
    ("builder.markdown", "Parsed"), ("builder.prerender", "Prerendered"), ("builder.markdown", "WikiLink"), ("builder.markdown", "LocalLink"),
    ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"), ("pathlib", "PurePosixPath"),
    ("builtins", "frozenset"), ("builtins", "set"),
}
"""The only classes a cache file may build."""


def digest(*parts: bytes | str) -> str:
    """A hex hash of the parts, each length-prefixed so no two lists of parts collide."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def fingerprint(templates: Path) -> str:
    """The version of everything that shapes a build's output: this code, its dependencies' versions, the templates."""
    parts: list[bytes | str] = [__version__, sys.version]
    for module in ("markdown_it", "mdit_py_plugins", "jinja2", "yaml"):
        # The package's __init__ (which holds its version), found without importing it: a build
        # that reuses the last one's output never imports them.
        spec = importlib.util.find_spec(module)
        origin = Path(spec.origin) if spec is not None and spec.origin else None
        parts += [module, origin.read_bytes() if origin is not None and origin.is_file() else b"?"]
    for folder in (Path(__file__).resolve().parent, templates.resolve()):
        for top, folders, files in os.walk(folder):  # not pathlib: this runs before every build
            folders[:] = sorted(f for f in folders if f != "__pycache__")
            relative = Path(top).relative_to(folder).as_posix()
            for name in sorted(files):
                with open(os.path.join(top, name), "rb") as f:
                    parts += [name if relative == "." else f"{relative}/{name}", f.read()]
    return digest(*parts)


def stamp(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What tells a file changed without reading it: size, modification and change times, inode."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


class _Unpickler(pickle.Unpickler):
    allowed: frozenset | set = _ALLOWED

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


def loads(data: bytes, allowed: frozenset | set = _ALLOWED) -> Any:
    """Unpickle cache data, building nothing but plain values and the ``allowed`` classes (the record classes)."""
    unpickler = _Unpickler(io.BytesIO(data))
    unpickler.allowed = allowed
    return unpickler.load()


def loads_or_none(data: Any, allowed: frozenset | set = _ALLOWED) -> Any:
    """``loads``, or None when ``data`` is not bytes or cannot be read: such an entry is discarded, whatever the reason."""
    if not isinstance(data, bytes):
        return None
    try:
        return loads(data, allowed)
    except Exception:
        return None


class Cache:
    """One cache folder, for builds made by code and templates of one fingerprint."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder.absolute()
        self.fingerprint = fingerprint
        self.files = self.folder / "files"
        self.records = self.folder / RECORDS
        self.stamps: dict[str, tuple[tuple, str]] = {}
        """Content file path -> (stamp, key) of the last build, to skip reading unchanged files."""
        self._used: set[str] = set()
        self._new_stamps: dict[str, tuple[tuple, str]] = {}
        self._dirty = False
        self._manifest: dict | None = None
        mask = os.umask(0o022)
        os.umask(mask)
        self.mode = 0o666 & ~mask
        """Stored files become pages of the site: readable as any file the user makes."""

    def open(self) -> Cache:
        """Read the stamps of the last build's content files; missing, foreign or corrupt ones are ignored."""
        stamps = self._read(STAMPS)
        self.stamps = stamps if isinstance(stamps, dict) else {}
        return self

    # -- loaded records -------------------------------------------------
    def record_key(self, kind: str, path: Path, stat: os.stat_result) -> str:
        """The key of a content file's entry, read from its stamp when unchanged, else by hashing its bytes."""
        name = str(path)
        known = self.stamps.get(name)
        here = stamp(stat)
        key = known[1] if known and tuple(known[0]) == here else digest(self.fingerprint, kind, name, path.read_bytes())
        self._new_stamps[name] = (here, key)
        return key

    def get_record(self, key: str) -> Any:
        """The entry stored under ``key``, or None when absent or not sound."""
        path = self._entry_path(key)
        try:
            data = path.read_bytes()
        except (OSError, ValueError):
            return None
        check, sealed = data[:20], data[20:]
        value = _unseal(sealed, self.fingerprint) if secrets.compare_digest(_check(key.encode() + sealed), check) else None
        if value is None:
            path.unlink(missing_ok=True)
            return None
        self._used.add(key)
        return value

    def put_record(self, key: str, sealed: bytes) -> None:
        """Store an entry made by ``seal``, bound to its key (so entries cannot be swapped), at once."""
        path = self._entry_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(_check(key.encode() + sealed) + sealed)
        os.replace(temp, path)
        self._used.add(key)
        self._dirty = True

    def _entry_path(self, key: str) -> Path:
        if len(key) < 3 or not key.isalnum():
            raise ValueError(f"not a cache key: {key!r}")
        return self.records / key[:2] / key[2:]

    def seal(self, value: Any) -> bytes:
        """``value`` pickled, with this cache's fingerprint and a checksum."""
        return _seal(value, self.fingerprint)

    def unseal(self, data: bytes) -> Any:
        """What ``seal`` made, or None when ``data`` is not sound."""
        return _unseal(data, self.fingerprint)

    def save_records(self) -> None:
        """Write the stamps and remove the entries this build did not use, when anything changed."""
        if not self._dirty and self._new_stamps == self.stamps:
            return
        self._write(STAMPS, self._new_stamps)
        for folder in self.records.glob("??"):
            for path in folder.iterdir():
                if folder.name + path.name not in self._used:
                    path.unlink(missing_ok=True)

    def release(self) -> None:
        """Forget which entries were used and the stamps (after ``save_records``)."""
        self._used, self.stamps, self._new_stamps = set(), {}, {}

    # -- rendered files ---------------------------------------------------
    def file_path(self, name: str) -> Path:
        return self.files / name[:2] / name[2:]

    def put_file(self, data: bytes, previous: Path | None = None) -> Path:
        """Store ``data`` under its hash; reuse ``previous`` (hard link) when it holds the same bytes."""
        path = self.file_path(hashlib.blake2b(data, digest_size=20).hexdigest())
        if _same_bytes(path, data):
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        if previous is not None and _same_bytes(previous, data) and hard_link(previous, path):
            return path
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), self.mode)
            f.write(data)
        os.replace(temp, path)
        return path

    def put_chunks(self, chunks: Iterable[bytes], previous: Path | None = None) -> Path:
        """``put_file`` for bytes given in pieces, hashed as they are written and never held whole."""
        self.files.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.files, prefix=".tmp-")
        h = hashlib.blake2b(digest_size=20)
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), self.mode)
            for chunk in chunks:
                h.update(chunk)
                f.write(chunk)
        path = self.file_path(h.hexdigest())
        path.parent.mkdir(parents=True, exist_ok=True)
        for same in (path, previous):
            if same is not None and _same_file(same, Path(temp)) and (same == path or hard_link(same, path)):
                os.unlink(temp)
                return path
        os.replace(temp, path)
        return path

    def sound_file(self, name: str) -> Path | None:
        """The stored file of hash ``name`` when its bytes still match it."""
        path = self.file_path(name)
        return path if self.sound(name) else None

    def sound(self, name: str) -> bool:
        """Whether the stored file of hash ``name`` still holds the bytes of that hash; one that does
        not is removed. Read a block at a time and hashed without holding the interpreter's lock, so
        threads can check files side by side."""
        path = f"{self.files}{os.sep}{name[:2]}{os.sep}{name[2:]}"
        try:
            with open(path, "rb", buffering=0) as f:
                digest = hashlib.file_digest(f, _file_hash).hexdigest()
        except OSError:
            return False
        if digest != name:
            with contextlib.suppress(OSError):
                os.unlink(path)
            return False
        return True

    # -- manifest ---------------------------------------------------------
    def manifest(self) -> dict | None:
        """The last successful build's manifest (see ``previous``) with the changes journalled since
        applied, but for ``written``: only the output check (``written``) reads the stamps it holds."""
        if self._manifest is None:  # read once: the reuse and rebuild checks both ask for it
            base, journal = self._read(MANIFEST), self._journal()
            self._manifest = _applied(base, journal) if isinstance(base, dict) and "id" in base else {}
        return self._manifest or None

    def written(self) -> tuple[str, str, dict[str, tuple] | None]:
        """The stamp of every output file the last build left, with the ids of the manifest and of the
        journal it goes with (to be compared with ``manifest()``'s); None when not known."""
        base, journal = self._read(WRITTEN), self._journal()
        if not isinstance(base, dict) or not isinstance(base.get("written"), dict):
            return "", "", None
        if journal.get("base") != base.get("id"):
            return base.get("id", ""), "", base["written"]
        return base.get("id", ""), journal["serial"], _apply(dict(base["written"]), journal["written"])

    def save_manifest(self, manifest: dict, written: dict[str, tuple] | None) -> None:
        """Store a manifest whole (``written`` apart), replacing the journal."""
        manifest = {**manifest, "id": secrets.token_hex(8)}
        self._write(WRITTEN, {"id": manifest["id"], "written": written})  # first: one of another id is not used
        self._write(MANIFEST, manifest)
        (self.folder / JOURNAL).unlink(missing_ok=True)
        self._manifest = {**manifest, "serial": "", "journal": _journal(manifest["id"])}

    def journal_manifest(self, manifest: dict, changed: Iterable[str], written: dict[str, tuple | None]) -> None:
        """Store a manifest that differs from ``manifest()``'s in the content files ``changed`` and the
        output files ``written`` (their stamps; None: removed) as those changes alone; whole when they grow."""
        old = self.manifest()
        journal = _journal(old["id"])
        journal["inputs"] = {**old["journal"]["inputs"], **{p: manifest["inputs"].get(p) for p in changed}}
        journal["outputs"] = {**old["journal"]["outputs"], **{n: manifest["outputs"].get(n) for n in written}}
        journal["written"] = {**old["journal"]["written"], **written}
        if sum(len(journal[n]) for n in ("inputs", "outputs", "written")) > JOURNAL_LIMIT:
            base, serial, stamps = self.written()
            known = stamps is not None and (base, serial) == (old["id"], old["serial"])
            self.save_manifest(manifest, _apply(stamps, written) if known else None)
            return
        journal.update(key=manifest["key"], diagnostics=manifest["diagnostics"], state=manifest["state"])
        self._write(JOURNAL, journal)
        self._manifest = {**manifest, "id": old["id"], "serial": journal["serial"], "journal": journal}

    def _journal(self) -> dict:
        journal = self._read(JOURNAL)
        keys = {"base", "serial", "key", "diagnostics", "state", "inputs", "outputs", "written"}
        return journal if isinstance(journal, dict) and keys <= journal.keys() else {}

    def read(self, name: str) -> Any:
        """The value ``write`` stored as ``name``, or None when it is missing, foreign or corrupt."""
        return self._read(name)

    def write(self, name: str, value: Any) -> None:
        """Store a value (plain values and the record classes) as the cache file ``name``."""
        self._write(name, value)

    # -- disk -------------------------------------------------------------
    def _read(self, name: str, allowed: frozenset | set = _ALLOWED) -> Any:
        try:
            data = (self.folder / name).read_bytes()
        except OSError:
            return None
        return _unseal(data, self.fingerprint, allowed)

    def _write(self, name: str, value: Any) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tag = self.folder / TAG
        if not tag.exists():
            tag.write_text(TAG_TEXT)
        fd, temp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.")
        with os.fdopen(fd, "wb") as f:
            f.write(_seal(value, self.fingerprint))
        os.replace(temp, self.folder / name)


@functools.cache
def _secret() -> bytes:
    """This user's key for cache checksums, made on first use; a key for this process alone if it cannot be kept."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "dossier" / "cache-key"
    try:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent)  # private (0600), then linked whole into place
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(32))
            try:
                os.link(temp, path)
            except FileExistsError:  # another build made it first: use theirs
                pass
            finally:
                os.unlink(temp)
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    return secrets.token_bytes(32)


def _check(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=20, key=_secret()).digest()


def _seal(value: Any, fingerprint: str) -> bytes:
    body = pickle.dumps(value, protocol=5)
    return MAGIC + fingerprint.encode() + b"\n" + _check(body) + body


def _unseal(data: bytes, fingerprint: str, allowed: frozenset | set = _ALLOWED) -> Any:
    head = MAGIC + fingerprint.encode() + b"\n"
    if not data.startswith(head):
        return None
    check, body = data[len(head):len(head) + 20], data[len(head) + 20:]
    if not secrets.compare_digest(_check(body), check):
        return None
    return loads_or_none(body, allowed)


def _same_file(path: Path, other: Path) -> bool:
    try:
        return path.stat().st_size == other.stat().st_size and not path.is_symlink() and same_file(path, other)
    except OSError:
        return False


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and not path.is_symlink() and path.read_bytes() == data
    except OSError:
        return False


def _journal(base: str) -> dict:
    """An empty journal of changes to the manifest ``base``, with an id of its own."""
    return {"base": base, "serial": secrets.token_hex(8), "inputs": {}, "outputs": {}, "written": {}}


def _applied(base: dict, journal: dict) -> dict:
    """The manifest ``base`` with ``journal``'s changes, when it records changes to that manifest."""
    if journal.get("base") != base["id"]:
        return {**base, "serial": "", "journal": _journal(base["id"])}
    manifest = {**base, "key": journal["key"], "diagnostics": journal["diagnostics"], "state": journal["state"],
                "serial": journal["serial"], "journal": journal}
    for name in ("inputs", "outputs"):
        manifest[name] = _apply(dict(base[name]), journal[name])
    return manifest


def _apply(values: dict, changes: dict) -> dict:
    """``values`` with ``changes`` made (a value None: removed)."""
    for name, value in changes.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value
    return values


class CleanError(Exception):
    """The folder named as the cache is not one dossier made."""


def clean(folder: Path) -> bool:
    """Remove a cache folder; False when there was none."""
    if not folder.exists():
        return False
    if not (folder / TAG).is_file():
        raise CleanError(f"{folder} has no {TAG} written by dossier; not removing it")
    shutil.rmtree(folder)
    return True


def _file_hash() -> Any:
    """The hash that names a stored file (``Cache.put_file``)."""
    return hashlib.blake2b(digest_size=20)
