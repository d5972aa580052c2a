"""The ``gradlint`` command line."""

from __future__ import annotations

import os
import signal
import sys
from collections import defaultdict
from pathlib import Path
from typing import Optional, Tuple

import click

from . import __version__, fix_command
from .discovery import discover
from .engine import ENGINE_CODES, INPUT_ERROR, _error
from .config import Config
from .reporting import FORMAT_HELP, FORMATTERS, format_statistics, format_text, use_color
from .rules import ALL_RULES, BY_CODE
from .selection import SelectionError, parse_codes
from .settings import Overrides, Resolver, cli_patterns, cli_per_file_ignores, load_or_default
from .terminal import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, write_stdout, write_stdout_bytes

#: the distribution is torch-gradlint (``gradlint`` on PyPI is an unrelated project)
VERIFY_HINT = "gradlint verify needs torch: pip install 'torch-gradlint[verify]' (or install torch yourself)"


class _Group(click.Group):
    """Usage errors exit 2 (click's default) and any unexpected crash is one line, exit 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("gradlint: interrupted", err=True)
            sys.exit(EXIT_ERROR)
        except Exception as exc:  # last resort: never a traceback
            click.echo(f"gradlint: internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="gradlint")
def main() -> None:
    """Find PyTorch autograd pitfalls before they cost a training run."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", metavar="CODES", help="Comma-separated codes or prefixes to enable (default: errors and warnings).")
@click.option("--extend-select", metavar="CODES", help="Codes or prefixes to enable on top of the selection.")
@click.option("--ignore", metavar="CODES", help="Comma-separated codes or prefixes to disable.")
@click.option("--extend-ignore", metavar="CODES", help="Codes or prefixes to disable on top of the ignored ones.")
@click.option("--exclude", metavar="GLOBS", help="Comma-separated globs to skip, replacing the configured `exclude`.")
@click.option("--extend-exclude", metavar="GLOBS", help="Comma-separated globs to skip on top of the configured ones.")
@click.option(
    "--per-file-ignores",
    metavar="GLOB:CODES",
    multiple=True,
    help="Codes to ignore in matching files, e.g. 'tests/*:GRD301 *.ipynb:GRD505' (replaces the configured table).",
)
@click.option("--format", "output_format", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True, help=FORMAT_HELP)
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True, help="Colour the text output (auto: on a terminal, unless NO_COLOR is set).")
@click.option("--show-settings", is_flag=True, help="Print the settings the first file would be linted with, and exit.")
@click.option("--show-files", is_flag=True, help="Print the files that would be linted, and exit.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True), help="Write the report to a file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Read [tool.gradlint] from this file.")
@click.option("--stdin-filename", metavar="PATH", help="The path to report for source read from stdin (PATH '-').")
@click.option("--force-exclude", is_flag=True, help="Apply exclude settings to files named on the command line too.")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None, help="Skip files git ignores (default: on).")
@click.option("--fix", is_flag=True, help="Apply safe fixes in place.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, also apply fixes that may change behaviour.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache (.gradlint_cache/).")
@click.option("--add-noqa", is_flag=True, help="Append '# noqa: CODE' to every line with a finding, to adopt gradlint.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
@click.option(
    "--file-timeout",
    type=click.FloatRange(min=0, max=1_000_000),  # beyond, timers overflow: 0 is "no limit"
    default=60.0,
    show_default=True,
    help="Seconds of CPU time one file may take (and five times that on the clock); a slower file is reported (GRD001) and skipped. 0: no limit.",
)
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), help="Report only findings not in this baseline (default: `baseline` in [tool.gradlint]).")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Record today's findings in this baseline file.")
@click.option("--changed-since", metavar="REF", help="Lint only files changed since the git REF (merge base), untracked ones included.")
@click.option("--changed-lines-only", is_flag=True, help="With --changed-since, report only findings on added or modified lines.")
def check(
    paths: Tuple[str, ...],
    select: Optional[str],
    extend_select: Optional[str],
    ignore: Optional[str],
    extend_ignore: Optional[str],
    exclude: Optional[str],
    extend_exclude: Optional[str],
    per_file_ignores: Tuple[str, ...],
    output_format: str,
    color: str,
    show_settings: bool,
    show_files: bool,
    statistics: bool,
    output_file: Optional[str],
    exit_zero: bool,
    jobs: Optional[int],
    config_path: Optional[str],
    stdin_filename: Optional[str],
    force_exclude: bool,
    respect_gitignore: Optional[bool],
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    no_cache: bool,
    add_noqa: bool,
    quiet: bool,
    baseline_file: Optional[str],
    write_baseline: Optional[str],
    changed_since: Optional[str],
    changed_lines_only: bool,
    file_timeout: float,
) -> None:
    """Lint PATHS (files or directories; default: the current directory; '-' reads stdin)."""
    from .baseline import BaselineError
    from .config import find_config
    from .engine import lint_bytes

    signal.signal(signal.SIGTERM, _terminate)
    paths = paths or (".",)
    if changed_lines_only and not changed_since:
        raise click.UsageError("--changed-lines-only needs --changed-since REF")
    if file_timeout != file_timeout:  # NaN passes every range check
        raise click.BadParameter("nan is not a number of seconds", param_hint="'--file-timeout'")
    errors = []  # bad input met on the way, one line each: the run goes on, then exits 2
    try:
        overrides = Overrides(
            select=parse_codes(select) if select is not None else None,
            ignore=parse_codes(ignore) if ignore is not None else None,
            extend_select=parse_codes(extend_select),
            extend_ignore=parse_codes(extend_ignore),
            exclude=cli_patterns(exclude),
            extend_exclude=cli_patterns(extend_exclude) or [],
            per_file_ignores=cli_per_file_ignores(per_file_ignores),
        )
    except SelectionError as exc:
        raise click.UsageError(str(exc))
    found = Path(config_path) if config_path else find_config([p for p in paths if p != "-"])
    if config_path and not found.is_file():
        errors.append(f"{config_path}: no such file; linting with the default settings")
        config = Config()
    else:
        config = load_or_default(found, errors) if found else Config()
    resolver = Resolver(overrides, config if config_path else None, config, errors)
    first = stdin_filename if "-" in paths and stdin_filename else next((p for p in paths if p != "-"), ".")
    try:
        top = resolver.for_path(first)
    except SelectionError as exc:
        raise click.UsageError(str(exc))
    baseline = None
    if not write_baseline:
        try:
            baseline = _load_baseline(baseline_file, config)
        except BaselineError as exc:
            errors.append(f"{exc}; reporting every finding")
    rules = top.rules
    if show_settings:
        shown_baseline = baseline_file or config.baseline or "(none)"
        click.echo(
            f"settings for {first}:\n{top.describe()}file-timeout = {file_timeout:g}\nbaseline = {shown_baseline}\n",
            nl=False,
        )
        _exit(errors, EXIT_CLEAN)

    missing = [p for p in paths if p != "-" and _missing(p)]
    errors += [f"no such file or directory: {p}" for p in missing]
    findings = []
    stdin_data = sys.stdin.buffer.read() if "-" in paths else None
    if stdin_data is not None:
        findings += lint_bytes(stdin_data, stdin_filename or "-", rules)
    git_ignore = None
    if respect_gitignore if respect_gitignore is not None else config.respect_gitignore:
        from .gitignore import GitIgnore

        git_ignore = GitIgnore()
    default_excludes = config.exclude is None and overrides.exclude is None  # `exclude` replaces them
    files, walk_errors = discover([p for p in paths if p != "-" and p not in missing], git_ignore, default_excludes)
    named = set() if force_exclude else {os.path.normpath(p) for p in paths}
    try:
        files = [f for f in files if os.path.normpath(f) in named or not resolver.for_path(f).is_excluded(f)]
    except SelectionError as exc:
        raise click.UsageError(str(exc))
    if force_exclude and git_ignore is not None:
        files = [f for f in files if not git_ignore.is_ignored(f)]
    changes = _changes_since(changed_since, files, paths) if changed_since else None
    if changes is not None:
        files = [f for f in files if changes.touches(f)]
    findings += [_error(path, INPUT_ERROR, f"cannot read directory: {reason}") for path, reason in walk_errors]
    from .cache import cache_root

    cache_dir = None if no_cache else cache_root(config.path, paths)
    if show_files:
        write_stdout("".join(f"{f}\n" for f in sorted(files)))
        _exit(errors, EXIT_CLEAN)
    findings += _lint_by_settings(files, resolver, jobs, cache_dir, file_timeout or None)
    findings = sorted(
        f for f in findings if (top if f.path in (stdin_filename, "-") else resolver.for_path(f.path)).reports(f)
    )
    reader = _line_reader(stdin_data, stdin_filename or "-")
    if write_baseline:
        from .baseline import BaselineError, load_baseline, write_baseline as record

        try:
            recorded = record(findings, Path(write_baseline), reader)
            baseline = load_baseline(Path(write_baseline))
            click.echo(f"gradlint: recorded {recorded} findings in {write_baseline}", err=True)
        except BaselineError as exc:
            errors.append(f"{exc}; reporting every finding")
    if baseline is not None:
        findings = baseline.filter(findings, reader)
    if changes is not None and changed_lines_only:
        findings = changes.on_changed_lines(findings)
    piped = None  # the fixed or noqa'd source from stdin: it goes to stdout, nothing on disk changes
    if fix or diff:
        findings, piped = fix_command.apply_fixes(findings, resolver, top, unsafe_fixes, diff, stdin_data, stdin_filename or "-")
        if baseline is not None:
            findings = baseline.filter(findings, reader)
    if add_noqa:
        piped = fix_command.add_noqa(findings, stdin_data, stdin_filename or "-")
        if piped is not None:
            write_stdout_bytes(piped)
        _exit(errors, EXIT_CLEAN)
    if piped is not None:
        write_stdout_bytes(piped)
    if statistics:
        report = format_statistics(findings, as_json=output_format == "json")
    elif output_format == "text":
        report = format_text(findings, use_color(color, None if output_file or piped is not None else sys.stdout, os.environ))
    else:
        report = FORMATTERS[output_format](findings)
    if output_file:
        try:
            Path(output_file).write_text(report, encoding="utf-8", errors="surrogateescape")
        except OSError as exc:
            errors.append(f"cannot write {output_file}: {exc.strerror or exc}; the report follows on stdout")
            write_stdout(report)
    elif piped is not None:
        click.echo(report, err=True, nl=False)
    else:
        write_stdout(report)
    status = EXIT_ERROR if errors else EXIT_FINDINGS if findings and not exit_zero else EXIT_CLEAN
    _exit(errors, status, leave=False)
    from .staged_budget import taken_notes

    for path, note in taken_notes():  # linted with less than the full analysis: said (even -q), not failed
        click.echo(f"gradlint: note: {path}: {note}", err=True)
    if not quiet:
        from .autofix import file_of

        linted = set(files) | ({stdin_filename or "-"} if "-" in paths else set())
        with_findings = len({file_of(f) for f in findings} & linted)
        noun = "finding" if len(findings) == 1 else "findings"
        checked = len(linted)
        click.echo(f"gradlint: {len(findings)} {noun} in {with_findings} of {checked} files checked", err=True)
    sys.exit(status)


def _exit(errors, status: int, leave: bool = True):
    """Each error on its own line; any error makes the exit status 2, whatever was found."""
    for error in errors:
        click.echo(f"gradlint: error: {error}", err=True)
    if leave:
        sys.exit(EXIT_ERROR if errors else status)


def _lint_by_settings(files, resolver: Resolver, jobs, cache_dir, file_timeout: Optional[float]):
    """Lint each file with the rules and limits its own configuration sets."""
    from .runner import Limits, lint_files

    groups = defaultdict(list)
    for path in files:
        settings = resolver.for_path(path)
        config = settings.config
        groups[settings.rules, Limits(config.max_file_size, file_timeout, config.max_memory or None)].append(path)
    findings = []
    for (rules, limits), group in groups.items():
        findings += lint_files(group, rules, jobs, cache_dir, limits)
    return findings


def _missing(path: str) -> bool:
    """Only a path that is not there is a usage error; one that cannot be read is reported as GRD001."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def _terminate(signum, frame) -> None:
    # SystemExit unwinds through the worker supervisor, which stops its workers quietly
    sys.exit(128 + signum)


def _load_baseline(option: Optional[str], config: Config):
    """The baseline named by --baseline, else by the configuration, else None."""
    from .baseline import load_baseline

    where = Path(option) if option else config.baseline
    return load_baseline(where) if where is not None else None


def _changes_since(ref: str, files, paths):
    """The changes since ``ref`` in the repository of the linted paths; exit 2 with one line if git cannot say."""
    from .changed import ChangedError, changes_since

    first = next((p for p in paths if p != "-"), ".")
    where = first if os.path.isdir(first) else (os.path.dirname(first) or ".")
    try:
        return changes_since(ref, files, where)
    except ChangedError as exc:
        click.echo(f"gradlint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def _line_reader(stdin_data: Optional[bytes], stdin_name: str):
    """Source lines by finding path, for the baseline's fingerprints (stdin is not on disk)."""
    from .baseline import read_lines
    from .engine import decode

    def read(path: str):
        if stdin_data is not None and path == stdin_name:
            try:
                return decode(stdin_data).splitlines()
            except (ValueError, SyntaxError, LookupError):
                return None
        return read_lines(path)

    return read


@main.command("rules")
def list_rules() -> None:
    """List every rule: code, name, severity, default, summary."""
    for rule in ALL_RULES:
        default = "" if rule.default_enabled() else " (off by default)"
        click.echo(f"{rule.code}  {rule.name:<28} {rule.severity:<8} {rule.summary}{default}")


@main.command()
@click.argument("code")
def rule(code: str) -> None:
    """Show the documentation of one rule (e.g. GRD201, or GRD001/GRD002 for input and internal errors)."""
    from .docs import render_page

    if code.upper() not in BY_CODE and code.upper() not in ENGINE_CODES:
        raise click.UsageError(f"unknown rule code: {code}")
    click.echo(render_page(code.upper()).rstrip())


@main.command()
@click.option("-o", "--output", "output", default="docs/rules", show_default=True, type=click.Path(file_okay=False))
@click.option("--check", is_flag=True, help="Exit 1 if a page is missing or out of date; write nothing.")
def docs(output: str, check: bool) -> None:
    """Render every rule's page to Markdown (docs/rules/<CODE>.md)."""
    from .docs import write_docs

    stale = write_docs(Path(output), check)
    for path in stale:
        click.echo(f"{'out of date' if check else 'wrote'}: {path}", err=True)
    sys.exit(EXIT_FINDINGS if check and stale else EXIT_CLEAN)


@main.command()
def server() -> None:
    """Run the language server over stdio (editors start it; needs the [lsp] extra)."""
    from .server import INSTALL_HINT, available, serve

    if not available():
        click.echo(INSTALL_HINT, err=True)
        sys.exit(EXIT_ERROR)
    serve()


@main.command()
@click.argument("codes", nargs=-1)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=2, show_default=True, help="Rules verified at once.")
def verify(codes: Tuple[str, ...], jobs: int) -> None:
    """Run every rule's fixtures under torch and check the linter agrees."""
    from .verify import torch_available, verify as run_verify

    unknown = [c for c in codes if c.upper() not in BY_CODE]
    if unknown:
        raise click.UsageError(f"unknown rule code: {unknown[0]}")
    if not torch_available():
        click.echo(VERIFY_HINT, err=True)
        sys.exit(EXIT_ERROR)
    reports = run_verify([c.upper() for c in codes], jobs=jobs)
    for report in reports:
        static = "static ok" if not report.static_problems else "static FAIL"
        runtime = "runtime ok" if not report.runtime_problems else "runtime FAIL"
        if not report.runtime_checked:
            runtime = "runtime n/a"  # a rule about gradlint's own comments: nothing to run
        click.echo(f"{report.code}  {report.name:<28} {static:<12} {runtime:<13} {report.seconds:5.1f}s")
        for problem in report.static_problems + report.runtime_problems:
            click.echo(f"    - {problem}")
    failed = [r.code for r in reports if not r.ok]
    click.echo(f"{len(reports) - len(failed)} passed, {len(failed)} failed", err=True)
    sys.exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


if __name__ == "__main__":
    main()
