"""Lint many files, in parallel worker processes, with deterministic output."""

from __future__ import annotations

import multiprocessing
import os
from typing import List, Optional, Sequence, Tuple, Type

from .analysis.project import dependency_digest
from .cache import Cache
from .engine import INPUT_ERROR, _error, lint_bytes
from .rule import Finding, Rule
from .rules import BY_CODE

#: Below this many files a pool costs more than it saves.
_PARALLEL_THRESHOLD = 8

_worker_rules: Tuple[Type[Rule], ...] = ()
_worker_cache: Optional[Cache] = None


def lint_file(path: str, rules: Sequence[Type[Rule]], cache: Optional[Cache] = None) -> List[Finding]:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except IsADirectoryError:
        return [_error(path, INPUT_ERROR, "is a directory")]
    except OSError as exc:
        return [_error(path, INPUT_ERROR, f"cannot read: {exc.strerror or exc}")]
    if cache is None:
        return lint_bytes(data, path, rules)
    # findings also depend on the project modules the file imports and on callers elsewhere
    key = cache.key(data + b"\0" + _project_digest(path, data), path)
    findings = cache.get(key, path)
    if findings is None:
        findings = lint_bytes(data, path, rules)
        cache.put(key, findings, path)
    return findings


def _project_digest(path: str, data: bytes) -> bytes:
    if path.endswith(".ipynb"):
        return b""
    try:
        return dependency_digest(path, data.decode("utf-8", "replace"))
    except (OSError, RecursionError, ValueError):
        return b"?"


def _init_worker(codes: Tuple[str, ...], cache_dir: Optional[str]) -> None:
    global _worker_rules, _worker_cache
    _worker_rules = tuple(BY_CODE[c] for c in codes)
    _worker_cache = Cache(cache_dir, codes) if cache_dir else None


def _lint_in_worker(path: str) -> List[Finding]:
    return lint_file(path, _worker_rules, _worker_cache)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def lint_files(
    paths: Sequence[str], rules: Sequence[Type[Rule]], jobs: Optional[int] = None, cache_dir: Optional[str] = None
) -> List[Finding]:
    """Lint files; with ``cache_dir``, unchanged files are answered from the cache."""
    jobs = jobs or default_jobs()
    findings: List[Finding] = []
    codes = tuple(rule.code for rule in rules)
    if jobs <= 1 or len(paths) < _PARALLEL_THRESHOLD:
        cache = Cache(cache_dir, codes) if cache_dir else None
        for path in paths:
            findings.extend(lint_file(path, rules, cache))
    else:
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        chunksize = max(1, min(16, len(paths) // (jobs * 8) or 1))
        with context.Pool(jobs, initializer=_init_worker, initargs=(codes, cache_dir)) as pool:
            for result in pool.imap(_lint_in_worker, paths, chunksize=chunksize):
                findings.extend(result)
    findings.sort()
    return findings
