"""The command line: argument parsing, exit codes, and the only module that prints."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from builder import __version__, cache, formats, progress, spill
from builder.diagnostics import Diagnostic, summary
from builder.formats import FORMATS
from builder.pipeline import BuildOptions, BuildRefused, build
from builder.records import TYPES

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
CACHE = Path(".dossier-cache")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dossier", description="Build a static site from a dossier of sourced records.")
    parser.add_argument("--version", action="version", version=f"dossier {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build_p = commands.add_parser("build", help="build the site")
    _content_arg(build_p)
    build_p.add_argument("--output", type=Path, default=Path("site"), help="output folder (default: site)")
    build_p.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    _speed_args(build_p, cache=True)
    build_p.add_argument("--no-search", dest="search", action="store_false", help="skip the search index (Pagefind)")
    build_p.set_defaults(run=_build)

    check_p = commands.add_parser("check", help="validate the content; write nothing")
    _content_arg(check_p)
    check_p.add_argument("--format", choices=FORMATS, default="text", help="text (default), github (workflow annotations) or json")
    check_p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    _speed_args(check_p)
    check_p.set_defaults(run=_check)

    serve_p = commands.add_parser("serve", help="build, serve with live reload, rebuild on change")
    _content_arg(serve_p)
    serve_p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve_p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve_p.add_argument("--drafts", action="store_true", help="include and mark drafts")
    serve_p.set_defaults(run=_serve)

    new_p = commands.add_parser("new", help="write a new record file with its required keys")
    new_p.add_argument("type", choices=TYPES, metavar="TYPE", help=f"one of {', '.join(TYPES)}")
    new_p.add_argument("slug", metavar="SLUG", help="file name without .md, e.g. wang-yi")
    _content_arg(new_p)
    new_p.add_argument("--name", "--title", dest="title", default="", help="fill in the name (or title) of the record")
    new_p.add_argument("--schemas", type=Path, default=Path("schemas"), help="JSON Schema folder named in the file (default: schemas)")
    new_p.set_defaults(run=_new)

    schemas_p = commands.add_parser("schemas", help="write JSON Schemas of the front matter for editors")
    _content_arg(schemas_p)
    schemas_p.add_argument("--output", type=Path, default=Path("schemas"), help="folder to write (default: schemas)")
    schemas_p.set_defaults(run=_schemas)

    diff_p = commands.add_parser("diff", help="what a change does to the dossier, as Markdown")
    diff_p.add_argument("base", nargs="?", default="HEAD", metavar="BASE", help="git revision to compare from (default: HEAD)")
    diff_p.add_argument("head", nargs="?", default=None, metavar="HEAD", help="git revision to compare to (default: the working tree)")
    _content_arg(diff_p)
    diff_p.set_defaults(run=_diff)

    clean_p = commands.add_parser("clean", help="remove the build cache")
    clean_p.add_argument("--cache", type=Path, default=CACHE, help=f"cache folder (default: {CACHE})")
    clean_p.set_defaults(run=_clean)
    return parser


def _speed_args(parser: argparse.ArgumentParser, cache: bool = False) -> None:
    parser.add_argument("--jobs", "-j", type=_positive, default=None, metavar="N",
                        help="processes for parsing and rendering (default: one per core)")
    parser.add_argument("--timings", action="store_true", help="print the time each stage took")
    if cache:
        parser.add_argument("--cache", type=Path, default=CACHE, help=f"build cache folder (default: {CACHE})")
        parser.add_argument("--no-cache", action="store_true", help="neither read nor write the build cache")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes (1 or more), got {text!r}")
    return int(text)


def _speed(options: BuildOptions, args: argparse.Namespace) -> BuildOptions:
    """The options with the processes and cache the command line asked for."""
    cache = None if getattr(args, "no_cache", True) else args.cache
    return replace(options, jobs=args.jobs or _cores(), cache=cache)


def _cores() -> int:
    """The number of cores this process may use (``parallel.default_jobs``, whose module brings the
    renderer: a build that reuses or splices the last one's output needs none of it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _content_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")


def _build(args: argparse.Namespace) -> int:
    return _run(_speed(BuildOptions(args.content, args.output, args.drafts, search=args.search), args), f"built {args.output}", timings=args.timings)


def _check(args: argparse.Namespace) -> int:
    return _run(_speed(BuildOptions(args.content, None), args), "content is valid", args.format, args.strict, args.timings)


def _run(options: BuildOptions, success: str, format_: str = "text", strict: bool = False, timings: bool = False) -> int:
    meter = progress.Meter(sys.stderr) if progress.wanted(sys.stderr) else None
    try:
        with spill.session():  # what the build holds is not read once it returns
            result = build(replace(options, progress=meter))
    except BuildRefused as exc:
        print(f"dossier: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if meter:
            meter.close()
    if timings:
        print("\n".join(progress.table(result.timings)), file=sys.stderr)
    diagnostics = formats.strict(result.diagnostics) if strict else result.diagnostics
    if format_ == "text":
        print_diagnostics(diagnostics)
    else:
        sys.stdout.write(formats.FORMATTERS[format_](diagnostics, None))
        if diagnostics:
            print(f"dossier: {summary(diagnostics)}", file=sys.stderr)
    if any(d.severity == "error" for d in diagnostics):
        return EXIT_CONTENT
    if result.graph:
        pages = sum(name.endswith(".html") for name in result.files)
        detail = f" ({len(result.graph.records)} records, {pages} pages)"
    else:
        detail = " (nothing changed)" if result.reused else ""
    print(f"dossier: {success}{detail}", file=sys.stderr)
    return EXIT_OK


def print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic.text(), file=sys.stderr)
    if diagnostics:
        print(f"dossier: {summary(diagnostics)}", file=sys.stderr)


def _clean(args: argparse.Namespace) -> int:
    try:
        removed = cache.clean(args.cache)
    except cache.CleanError as exc:
        print(f"dossier: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"dossier: {'removed' if removed else 'no cache at'} {args.cache}", file=sys.stderr)
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from builder.serve import serve

    return serve(args.content, args.host, args.port, args.drafts)


def _new(args: argparse.Namespace) -> int:
    from builder.scaffold import ScaffoldError, new_record

    try:
        path = new_record(args.content, args.type, args.slug, args.title, schemas=args.schemas)
    except ScaffoldError as exc:
        print(f"dossier: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(path)
    if not (args.schemas / f"{args.type}.schema.json").is_file():
        print(f"dossier: note: no {args.schemas}/{args.type}.schema.json yet; run 'dossier schemas' for editor validation", file=sys.stderr)
    return EXIT_OK


def _schemas(args: argparse.Namespace) -> int:
    from builder.jsonschemas import all_schemas, content_slugs, write_schemas

    if not args.content.is_dir():
        print(f"dossier: error: content folder {args.content} does not exist", file=sys.stderr)
        return EXIT_USAGE
    schemas = all_schemas(content_slugs(args.content))
    changed = write_schemas(args.output, schemas)
    print(f"dossier: wrote {len(schemas)} schemas to {args.output} ({len(changed)} changed)", file=sys.stderr)
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from builder.diff import DiffError, digest_of

    try:
        sys.stdout.write(digest_of(args.content, args.base, args.head))
    except DiffError as exc:
        print(f"dossier: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
