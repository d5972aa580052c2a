"""``check --fix``, ``--diff`` and ``--add-noqa``: what they do to the run's findings and files.

Only findings the run reports are fixed or marked (not those ``per-file-ignores``
switches off); stdin's fixed source goes back to the caller for stdout, files are
written only after every new content is computed (see ``writeback``).
"""

from __future__ import annotations

import sys

import click

from .settings import Resolver, Settings
from .terminal import EXIT_CLEAN, EXIT_FINDINGS, write_stdout


def apply_fixes(findings, resolver: Resolver, top: Settings, unsafe: bool, diff: bool, stdin_data, stdin_path: str):
    """Apply (or with ``diff`` show) the fixes: (findings after, fixed stdin source or None)."""
    from .autofix import Change, file_of, fix_stdin, plan_fixes, unified_diff
    from .writeback import write_changes

    def settings(path):
        return top if stdin_data is not None and path == stdin_path else resolver.for_path(path)

    def wanted(path):  # only what the run reports: not what per-file-ignores suppresses
        return settings(path).reports

    piped_findings = [f for f in findings if stdin_data is not None and f.path == stdin_path]
    on_disk = [f for f in findings if f not in piped_findings]
    changes, after, notes = plan_fixes(on_disk, lambda path: settings(path).rules, unsafe, wanted)
    piped = None
    if stdin_data is not None:
        new, count, remaining, note = fix_stdin(stdin_data, stdin_path, top.rules, unsafe, wanted(stdin_path))
        if note:
            notes.append((stdin_path, note))
        if count:
            changes.append(Change(stdin_path, stdin_data, new, count))
            piped_findings = remaining
        piped = new
    for path, note in notes:
        click.echo(f"gradlint: {path}: {note}", err=True)
    if diff:
        write_stdout("".join(unified_diff(change) for change in changes))
        click.echo(f"gradlint: {sum(c.count for c in changes)} fixes available", err=True)
        sys.exit(EXIT_FINDINGS if changes else EXIT_CLEAN)
    to_write = [c for c in changes if stdin_data is None or c.path != stdin_path]
    skipped = dict(write_changes(to_write))
    for path, reason in skipped.items():
        click.echo(f"gradlint: {path}: not fixed: {reason}", err=True)
    written = {c.path for c in to_write if c.path not in skipped}
    fixed = sum(c.count for c in changes if c.path not in skipped)
    click.echo(f"gradlint: fixed {fixed} findings", err=True)
    remaining = [f for f in on_disk if file_of(f) not in written] + [
        f for path in written for f in after[path] if wanted(path)(f)
    ]
    return sorted(remaining + [f for f in piped_findings if wanted(stdin_path)(f)]), piped


def add_noqa(findings, stdin_data, stdin_path: str):
    """Mark every finding with a noqa comment: the marked stdin source, or None."""
    from .noqa import noqa_bytes, noqa_codes, plan_noqa
    from .writeback import write_changes

    on_disk = [f for f in findings if stdin_data is None or f.path != stdin_path]
    changes = plan_noqa(on_disk)
    skipped = dict(write_changes(changes))
    for path, reason in skipped.items():
        click.echo(f"gradlint: {path}: not changed: {reason}", err=True)
    changed = sum(c.count for c in changes if c.path not in skipped)
    piped = None
    if stdin_data is not None:
        codes = noqa_codes([f for f in findings if f.path == stdin_path]).get(stdin_path, {})
        piped, count = noqa_bytes(stdin_data, stdin_path, codes)
        changed += count
    click.echo(f"gradlint: added noqa to {changed} lines", err=True)
    return piped
