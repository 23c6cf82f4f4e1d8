"""Write a built site into a temporary sibling folder and swap it into place.

A build that fails, or is killed, never touches the previous output: the new
site is complete before the swap, and the swap is a single rename exchange
where the system offers one. Files whose bytes did not change are hard-linked
from the previous output, so their modification times stay and a sync by
rsync or to a CDN uploads only what changed.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Collection, Iterable, Mapping

MARKER = ".dossier-site"
"""File that marks a folder as one dossier wrote, so it may replace it."""

Content = bytes | Path
"""A file's bytes, or a source file to copy."""
Chunks = Iterable[bytes]
"""A file's bytes in pieces, for a file too large to hold whole (dossier.json of a large site)."""


class OutputError(Exception):
    """The output folder cannot be used; the message says why."""


def check_output(output: Path, content: Path) -> None:
    """Refuse folders a build must never replace: content, a repository, home, / or a stranger's folder."""
    output, content = output.resolve(), content.resolve()
    home = Path.home().resolve()
    if output == Path(output.anchor) or output == home:
        raise OutputError(f"refusing to write the site into {output}: choose a folder of its own, e.g. ./site")
    if output == content or output in content.parents or content in output.parents:
        raise OutputError(f"refusing to write the site into the content folder or around it ({output})")
    if (output / ".git").exists():
        raise OutputError(f"refusing to write the site into a repository's root ({output})")
    if output.exists() and not output.is_dir():
        raise OutputError(f"{output} exists and is not a folder")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise OutputError(f"{output} is not empty and was not written by dossier; remove it or choose another --output")


def write_site(output: Path, files: Mapping[str, Content], linkable: Path | None = None,
               finish: Callable[[Path, Path], str | None] | None = None) -> None:
    """Write ``files`` (site-relative path -> content) as the new ``output`` folder.

    Source files under ``linkable`` (the build cache's store, whose files are
    never changed in place) are hard-linked instead of copied. ``finish(temp, output)``,
    when given, runs on the complete temporary folder before the swap (the search
    indexer); an exception from it leaves ``output`` as it was. It may return the
    site-relative folder it wrote into, so only that one is searched for what it added.
    """
    with Staging(output, linkable) as staging:
        for name in sorted(files):
            staging.put(name, files[name])
        staging.commit(files, finish)


class Staging:
    """The next output folder, filled file by file in a temporary sibling, then swapped in whole.

    Files may be put from forked workers (each writes its own files). Leaving
    the ``with`` block without ``commit`` (a failed or interrupted build) removes
    the temporary folder and leaves ``output`` as it was.
    """

    def __init__(self, output: Path, linkable: Path | None = None) -> None:
        self.output = output.resolve()  # a link to the folder is kept; the folder it names is replaced
        self.linkable = linkable
        self.output.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(self.output)
        self.temp = Path(tempfile.mkdtemp(prefix=f".{self.output.name}.tmp-{os.getpid()}-", dir=self.output.parent))
        self.temp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a site is for a web server to read
        self.previous = self.output if self.output.is_dir() else None
        """The output being replaced, whose unchanged files are linked; None for a first build."""
        self._made: set[str] = set()
        """Folders made in ``temp`` so far."""

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc) -> None:
        if self.temp.exists():
            shutil.rmtree(self.temp, ignore_errors=True)

    def put(self, name: str, content: Content | Chunks) -> None:
        """Write one file: linked from the cache's store or from the previous output when the bytes are the same."""
        target = self.temp / name
        if (parent := str(target.parent)) not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(parent)
        if isinstance(content, (bytes, Path)):
            _put(target, self.previous / name if self.previous else None, content, self.linkable)
            return
        with target.open("wb") as out:
            for chunk in content:
                out.write(chunk)
        if self.previous is None:
            return
        spare = target.with_name(target.name + ".new")
        os.rename(target, spare)
        if _reuse(self.previous / name, target, spare):
            spare.unlink()
        else:
            os.rename(spare, target)

    def link_stored(self, files: Iterable[tuple[str, str]]) -> bool:
        """Hard-link files of the cache's store into the folder (copy where links are refused):
        ``put`` for many files at once, by plain strings, as putting a whole site back needs.
        False, at the first, when a file is not in the store (any more)."""
        temp = str(self.temp) + os.sep
        made = self._made
        for name, source in files:
            target = temp + name
            parent = os.path.dirname(target)
            if parent not in made:
                try:
                    os.mkdir(parent)
                except OSError:
                    os.makedirs(parent, exist_ok=True)
                made.add(parent)
            try:
                os.link(source, target)
            except FileNotFoundError:
                return False
            except OSError:
                try:
                    shutil.copyfile(source, target)
                except FileNotFoundError:
                    return False
        return True

    def commit(self, names: Collection[str], finish: Callable[[Path, Path], str | None] | None = None) -> None:
        """Mark the folder as dossier's, run ``finish(temp, output)`` (the search indexer), swap it into place.

        ``names`` are the files put; the ones ``finish`` adds are linked from the previous output when unchanged.
        """
        (self.temp / MARKER).write_text("This folder is written by dossier build and replaced whole by the next build.\n")
        if finish is not None:
            added = finish(self.temp, self.output)
            if self.previous is not None:  # a first build has nothing to link to
                _relink_added(self.temp, self.previous, names, added)
        _swap(self.temp, self.output)


def _put(target: Path, old: Path | None, content: Content, linkable: Path | None) -> None:
    if linkable is not None and isinstance(content, Path) and linkable in content.parents and hard_link(content, target):
        return
    if old is None or not _reuse(old, target, content):
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            target.write_bytes(content)


def _relink_added(temp: Path, previous: Path, files: Collection[str], added: str | None = None) -> None:
    """Hard-link files ``finish`` added (under ``added``, or anywhere) from the previous output where their bytes are the same."""
    for path in sorted((temp / added if added else temp).rglob("*")):
        name = path.relative_to(temp).as_posix()
        if name in files or name == MARKER or path.is_symlink() or not path.is_file():
            continue
        spare = path.with_name(path.name + ".new")
        os.rename(path, spare)
        if _reuse(previous / name, path, spare):
            spare.unlink()
        else:
            os.rename(spare, path)


def _reuse(old: Path, new: Path, content: Content) -> bool:
    """Hard-link the previous file when its bytes are the same."""
    try:
        if old.is_symlink() or not old.is_file():
            return False
        size = content.stat().st_size if isinstance(content, Path) else len(content)
        if old.stat().st_size != size:
            return False
        same = same_file(old, content) if isinstance(content, Path) else old.read_bytes() == content
        if not same:
            return False
        os.link(old, new)
        return True
    except OSError:
        return False


def same_file(a: Path, b: Path, block: int = 1 << 16) -> bool:
    """Whether two files hold the same bytes, read a block at a time (filecmp would remember every pair)."""
    with a.open("rb") as first, b.open("rb") as second:
        while True:
            one, two = first.read(block), second.read(block)
            if one != two:
                return False
            if not one:
                return True


def hard_link(source: Path, target: Path) -> bool:
    """Link ``target`` to ``source``'s bytes; False where the file system refuses."""
    try:
        os.link(source, target)
        return True
    except OSError:
        return False


def _swap(temp: Path, output: Path) -> None:
    if not output.exists():
        os.rename(temp, output)
        return
    if _exchange(temp, output):
        shutil.rmtree(temp)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-{os.getpid()}-", dir=output.parent))
    old.rmdir()
    os.rename(output, old)
    os.rename(temp, output)
    shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux's renameat2; False where it is not offered."""
    import ctypes  # here: a build that reuses or splices the last one swaps no folder, and ctypes brings subprocess
    import ctypes.util

    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_stale(output: Path) -> None:
    """Remove temporary folders left by builds that were killed (their process is gone)."""
    for prefix in (f".{output.name}.tmp-", f".{output.name}.old-"):
        for leftover in output.parent.glob(prefix + "*"):
            pid = leftover.name[len(prefix):].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)) and leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
