"""The last successful build, as the cache remembers it: reuse its output when no input changed.

A build's inputs are the content files (named by discover), the templates and
the code (both in the cache's fingerprint) and the options. When all of them
stand as they did, the site is what it was: if the output folder is intact it
is left alone, and if it was removed it is put back from the stored files.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

from builder import search
from builder.cache import Cache, stamp
from builder.diagnostics import Diagnostic
from builder.discover import ContentFiles
from builder.write import MARKER, Content, Staging

WRITING = "writing"
"""Cache file that says the output is being changed in place (see ``unverify``)."""


def inputs(content: ContentFiles) -> dict[str, tuple] | None:
    """The stamp of every content file, by path (as discover took them, when it did); None when one cannot be read."""
    if content.stamps is not None:
        return content.stamps
    paths = [content.site] if content.site else []
    paths += [f.path for f in content.records] + [content.root / a for a in content.assets]
    try:
        return {str(p): stamp(os.stat(p)) for p in paths}
    except OSError:
        return None


def key(options, content: ContentFiles) -> tuple:
    """What else a build depends on: its folders and options."""
    output = str(options.output.absolute()) if options.output is not None else ""
    return (str(content.root), output, options.drafts, str(options.templates.resolve()), options.search)


def reuse(cache: Cache, options, content: ContentFiles, check: Check, read: dict[str, tuple] | None = None
          ) -> tuple[list[Diagnostic], dict[str, Content]] | None:
    """The last build's diagnostics and files when nothing changed since, with its output in place; else None.

    ``read`` is ``inputs(content)`` when the caller has it."""
    manifest = cache.manifest()
    if options.output is None or not manifest or manifest.get("key") != key(options, content):
        return None
    if manifest.get("inputs") != (read if read is not None else inputs(content)):
        return None
    output = options.output.absolute()
    if check.intact(manifest):
        return manifest["diagnostics"], Located(manifest["outputs"], lambda name, _: output / name)
    try:
        files = _put_back(cache, output, manifest["outputs"], options.search)
    except search.SearchError:
        return None  # a full build reports it
    if files is None:
        return None
    outputs = with_bundle(cache, output, manifest["outputs"]) if options.search else manifest["outputs"]
    remember(cache, options, content, manifest["inputs"], manifest["diagnostics"], outputs, manifest.get("state", ""))
    return manifest["diagnostics"], files


class Located(Mapping):
    """Output files by name, each path made when asked for (``locate(name, stored name)``): a build
    that changed nothing or spliced a page names eleven thousand files and reads one or none."""

    def __init__(self, names: Mapping[str, str], locate: Callable[[str, str], Path]) -> None:
        self.names, self.locate = names, locate

    def __getitem__(self, name: str) -> Path:
        return self.locate(name, self.names[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def stored(cache: Cache, outputs: Mapping[str, str]) -> Located:
    """Every output file where its bytes are kept: the cache's store, the content or the templates."""
    return Located(outputs, lambda _, source: cache.file_path(source[1:]) if source.startswith("=") else Path(source))


def remember(cache: Cache, options, content: ContentFiles, read: dict | None, diagnostics: list[Diagnostic],
             outputs: Mapping[str, str], state: str = "") -> None:
    """Store what this build read and wrote; ``outputs`` maps each file to its stored name or source path,
    ``state`` names the state an incremental build may start from (see ``rebuild``)."""
    if read is None or options.output is None:
        return
    written = stamps(options.output.absolute(), [*outputs, MARKER])
    if written is not None:
        cache.save_manifest(_manifest(options, content, read, diagnostics, outputs, state), written)
        _verified(cache)


def update(cache: Cache, options, content: ContentFiles, read: dict, changed: Iterable[str], diagnostics: list[Diagnostic],
           outputs: Mapping[str, str], written: Mapping[str, tuple | None] | None, state: str = "") -> None:
    """Store the manifest after output files were changed in place, for content files ``changed`` since the
    last: ``written`` holds the stamp of each output file written and None for each removed, the only
    outputs whose stored names changed (None as a whole: not known, the output is not to be trusted)."""
    manifest = _manifest(options, content, read, diagnostics, outputs, state)
    if written is None:
        cache.save_manifest(manifest, None)
    else:
        cache.journal_manifest(manifest, changed, dict(written))
    _verified(cache)


def _manifest(options, content: ContentFiles, read: dict, diagnostics: list[Diagnostic],
              outputs: Mapping[str, str], state: str) -> dict:
    return {"key": key(options, content), "inputs": read, "diagnostics": diagnostics, "outputs": dict(outputs), "state": state}


def _verified(cache: Cache) -> None:
    """The output is as the manifest just stored describes it: take ``unverify``'s mark away."""
    (cache.folder / WRITING).unlink(missing_ok=True)


def unverify(cache: Cache) -> None:
    """Mark the output as not known before changing it in place, until the next ``save``: a build
    stopped midway leaves the mark, and the next one writes the whole site."""
    (cache.folder / WRITING).touch()


def stored_names(cache: Cache, files: Mapping[str, Content]) -> dict[str, str]:
    """Each output file's stored name (a hash) when it is in the cache, else its source path."""
    names = {}
    for name, content in files.items():
        if isinstance(content, Path) and cache.files in content.parents:
            names[name] = "=" + content.parent.name + content.name
        else:
            names[name] = str(content) if isinstance(content, Path) else ""
    return names


def with_bundle(cache: Cache, output: Path, outputs: Mapping[str, str]) -> dict[str, str]:
    """``outputs`` (without any older search bundle) and the bundle the build wrote into ``output``,
    each of its files put in the cache's store, so a build that restores the site restores its index too
    (``search.index_site`` keeps it when the pages it records are the pages restored)."""
    prefix = search.BUNDLE + "/"
    names = {n: v for n, v in outputs.items() if not n.startswith(prefix)}
    folder = output / search.BUNDLE
    for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
        if path.is_file() and not path.is_symlink():
            stored = cache.put_file(path.read_bytes(), path)
            names[path.relative_to(output).as_posix()] = "=" + stored.parent.name + stored.name
    return names


def _put_back(cache: Cache, output: Path, outputs: Mapping[str, str], indexed: bool) -> Mapping[str, Content] | None:
    """Write the last build's output again from the stored files (as ``write_site`` would), each stored
    file checked against its hash by two threads while this one links the files into place; None, with
    the output as it was, when one is missing or damaged.

    The search bundle comes back with the pages when the manifest holds it: both were stored by one
    build, and every file is checked, so Pagefind need not read the pages again to know they match."""
    from concurrent.futures import ThreadPoolExecutor

    kept, others = [], {}
    for name, source in outputs.items():
        if source.startswith("="):
            kept.append((name, source[1:]))
        elif source and os.path.isfile(source):
            others[name] = Path(source)
        else:
            return None
    hashes = [h for _, h in kept]
    parts = [hashes[i::_CHECKERS * 4] for i in range(_CHECKERS * 4)]  # small parts: the two threads end together
    finish = search.index_site if indexed and f"{search.BUNDLE}/{search.DIGEST}" not in outputs else None
    with Staging(output, cache.files) as staging, ThreadPoolExecutor(_CHECKERS) as pool:
        checks = [pool.submit(_all_sound, cache, part) for part in parts]
        linked = staging.link_stored((name, f"{cache.files}{os.sep}{h[:2]}{os.sep}{h[2:]}") for name, h in kept)
        for name, path in others.items() if linked else ():
            staging.put(name, path)
        if not all([check.result() for check in checks]) or not linked:  # every check ends before the folder goes
            return None
        staging.commit(outputs, finish)
    return stored(cache, outputs)


_CHECKERS = 2
"""Threads that check stored files while the output is linked (one per core of a laptop or CI runner)."""


def _all_sound(cache: Cache, hashes: list[str]) -> bool:
    return all(map(cache.sound, hashes))


def stamps(output: Path, names: Iterable[str]) -> dict[str, tuple] | None:
    """The stamp of each named output file; None when one cannot be read."""
    folder = str(output) + os.sep  # strings, not paths: this runs over every output file
    try:
        return {name: _output_stamp(folder + name) for name in names}
    except OSError:
        return None


def _output_stamp(path: str) -> tuple:
    s = os.stat(path)
    return (s.st_size, s.st_mtime_ns, s.st_ino)


def intact(output: Path, written: Mapping[str, tuple] | None, cache: Cache) -> bool:
    """Whether every output file is as the last build left it."""
    if written is None or (cache.folder / WRITING).exists():
        return False
    folder = str(output) + os.sep
    try:
        return all(_output_stamp(folder + name) == tuple(value) for name, value in written.items())
    except OSError:
        return False


class Check:
    """Whether the output folder is as the last build left it (``intact``), found by a forked process
    while this one lists the content and reads the manifest: the stamps of eleven thousand output
    files are tens of milliseconds of system calls, which a thread would take turns with Python code
    for. Where a process cannot be forked (no ``fork``, or other threads running), it is found when asked.
    ``close`` ends the process (a build that goes on in full does not need its answer).
    """

    def __init__(self, cache: Cache, output: Path | None) -> None:
        self.cache, self.output = cache, output
        self.pid, self.pipe, self.answer = 0, -1, b""
        if output is None or not hasattr(os, "fork") or threading.active_count() > 1:
            return
        reader, writer = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process to spare: the answer is found when asked
            os.close(reader)
            os.close(writer)
            return
        if pid == 0:  # the child: answer, then leave at once, with no clean-up of the parent's state
            try:
                os.close(reader)
                os.write(writer, self._found())
            finally:
                os._exit(0)
        os.close(writer)
        self.pid, self.pipe = pid, reader

    def intact(self, manifest: dict) -> bool:
        """Whether the output is as ``manifest`` (``cache.manifest()``) describes it."""
        if not self.answer:
            self.answer = self._collect() if self.pid else self._found()
        return self.answer == f"{manifest['id']} {manifest['serial']} 1".encode()

    def close(self) -> None:
        """End the process, if it is still running, and wait for it."""
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)  # its own child, not yet waited for: the id is not reused
            self._collect()

    def _found(self) -> bytes:
        base, serial, written = self.cache.written()
        return f"{base} {serial} {int(intact(self.output, written, self.cache))}".encode()

    def _collect(self) -> bytes:
        chunks = []
        while chunk := os.read(self.pipe, 256):
            chunks.append(chunk)
        os.close(self.pipe)
        os.waitpid(self.pid, 0)
        self.pid = 0
        return b"".join(chunks) or b"-"
