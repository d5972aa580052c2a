"""Lint many files, in supervised worker processes, with deterministic output.

One file costs only itself: a file is read only if it is a regular file under the
size limit, its work is bounded in time, and when a worker process dies (libcst's
native parser can crash the process) or overruns its time, that file gets one
finding and a fresh worker takes the rest.

Time is CPU time (a file must not fail because the machine is busy), with a wall-clock
backstop several times longer for a file blocked without using any.
"""

from __future__ import annotations

import collections
import gc
import importlib
import math
import multiprocessing
import os
import signal
import stat
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple, Type

try:
    import resource
except ImportError:  # not on Windows
    resource = None

from .analysis.parsed import settled
from .analysis.callers import scan_projects
from .analysis.imports import recording_reads
from .analysis.module_files import noted_folders
from .analysis.module_digests import consulting, content_use, dependency_digest, module_digest, note_consulted
from .analysis.project import one_snapshot
from .analysis.scans import add_entries, new_entries, scan_store
from .cache import Cache, code_salt
from .engine import INPUT_ERROR, INTERNAL_ERROR, _error, lint_bytes
from .limits import OutOfTime, timeout_message, wall_backstop, wall_message
from .manifest import Manifest
from .rule import Finding, Rule
from .rules import BY_CODE
from .staged_budget import add_note, add_notes, staged_lint, taken_notes

#: A worker gets this long past its budget to report a timeout itself before it is stopped.
_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class Limits:
    #: Larger files are not read (GRD001): analysis needs about 500 bytes of memory per byte of source.
    max_file_size: int = 1 << 20
    #: Seconds of CPU time one file may take (None: unbounded); see ``wall_backstop`` for the clock.
    file_timeout: Optional[float] = 60.0
    #: Memory a worker may take beyond what it starts with, in bytes (None: unbounded).
    max_memory: Optional[int] = 4 << 30


def lint_file(
    path: str, rules: Sequence[Type[Rule]], cache: Optional[Cache] = None, limits: Limits = Limits()
) -> List[Finding]:
    """The findings of one file; whatever goes wrong costs only this file, as one finding saying what."""
    return _lint_file_learning(path, rules, cache, limits)[0]


#: what linting a file with the cache learnt for the run manifest: (its key, the files the key was
#: computed from -> how it used each (``module_digests.consulting``), the module digests of the files its lint read)
Learnt = Tuple[str, Dict[str, str], Dict[str, str]]


def _lint_file_learning(
    path: str, rules: Sequence[Type[Rule]], cache: Optional[Cache], limits: Limits
) -> Tuple[List[Finding], Optional[Learnt]]:
    learnt: List[Learnt] = []
    try:
        return _lint_file(path, rules, cache, limits, learnt), (learnt[0] if learnt else None)
    except Exception as exc:  # reading it, the cache, the project digest: a bug must cost only this file
        return [_failure(path, exc, limits)], None


def _lint_file(
    path: str, rules: Sequence[Type[Rule]], cache: Optional[Cache], limits: Limits, learnt: List[Learnt]
) -> List[Finding]:
    data, problem = read_source(path, limits.max_file_size)
    if problem is not None:
        return [_error(path, INPUT_ERROR, problem)]
    if cache is None:
        return _lint_uncached(path, data, rules, limits)[0]
    # findings also depend on the project modules the file imports and on callers elsewhere
    with consulting() as consulted:
        digest = _project_digest(path, data)
        # its own bytes: what the run manifest checks again when it cannot trust the file's stat
        note_consulted(path, content_use(data))
    key = cache.key(data + b"\0" + (digest if digest is not None else b"?"), path)
    digests: Dict[str, str] = {}

    def read_digest(read: str) -> str:
        digests[read] = digests.get(read) or _read_digest(read)
        return digests[read]

    findings = cache.get(key, path, read_digest)
    if findings is None:
        findings, reads = _lint_uncached(path, data, rules, limits)
        if reads is not None:
            cache.put(key, findings, path, {read: read_digest(read) for read in sorted(reads)})
    if digest is not None:
        learnt.append((key, dict(consulted), digests))
    return findings


def _lint_uncached(path: str, data: bytes, rules, limits: Limits) -> Tuple[List[Finding], Optional[set]]:
    """The findings, and the files the analysis read (None: the findings are not to be kept)."""
    try:
        # and on every file the analysis read: the modules its imports' imports use, a caller's imports...
        with settled(), recording_reads() as reads:
            findings, note = staged_lint(lambda: lint_bytes(data, path, rules), limits.file_timeout)
    except OutOfTime as exc:
        message = wall_message if exc.on_the_clock else timeout_message
        return [_error(path, INPUT_ERROR, message(limits.file_timeout))], None
    except Exception as exc:  # a bug in gradlint must cost only this file
        return [_failure(path, exc, limits)], None
    finally:
        if _SETTLE_LATER[0]:
            _SETTLE_LATER[1] = True
        else:
            _settle_memory()
    if note is not None:  # less than the full analysis: said, and not kept (see ``staged_budget``)
        add_note(path, note)
        return findings, None
    return findings, reads


#: [whether a worker settles its memory before its next file instead of after each (it may get none:
#: its last file's collection would only delay its answer and the end of the run), whether it is due]
_SETTLE_LATER = [False, False]


def _read_digest(path: str) -> str:
    return module_digest(path).hex()


def _failure(path: str, exc: Exception, limits: Limits) -> Finding:
    if isinstance(exc, RecursionError):
        return _error(path, INTERNAL_ERROR, "nested too deeply: gradlint ran out of recursion")
    if isinstance(exc, MemoryError):
        return _error(path, INPUT_ERROR, f"not linted: gradlint ran out of memory on this file{_memory_hint(limits)}")
    return _error(path, INTERNAL_ERROR, (f"{type(exc).__name__}: {exc}".splitlines() or [""])[0])


def _settle_memory() -> None:
    """Collect what one file's lint left behind, and set aside from later collections what
    outlives it (trees and imported modules kept for the next files).

    Without this, every full collection walks all the kept trees again: a third of the
    time of a run over a large package.
    """
    gc.collect()
    gc.freeze()


def _project_digest(path: str, data: bytes) -> Optional[bytes]:
    """What the file's findings depend on in the rest of its project (None: could not be told)."""
    if path.endswith(".ipynb"):
        return b""
    try:
        return dependency_digest(path, data.decode("utf-8", "replace"))
    except (OSError, RecursionError, ValueError):
        return None


def read_source(path: str, max_size: int) -> Tuple[bytes, Optional[str]]:
    """(the file's bytes, or a reason not to lint it): only regular files under the size limit are read."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        return b"", "is a directory"
    except OSError as exc:
        return b"", f"cannot read: {exc.strerror or exc}"
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            return b"", "is a directory"
        if not stat.S_ISREG(info.st_mode):
            return b"", "not a regular file (a FIFO, socket or device): not read"
        limit = max_size * _raw_factor(path)
        if info.st_size > limit:
            return b"", f"not linted: {_size(info.st_size)} is over the size limit ({_size(limit)}, max-file-size)"
        try:
            data = _read_at_most(handle, limit + 1, info.st_size)
        except OSError as exc:
            return b"", f"cannot read: {exc.strerror or exc}"
    if len(data) > limit:  # it grew while we looked
        return b"", f"not linted: over the size limit ({_size(limit)}, max-file-size)"
    return data, None


def _read_at_most(handle, count: int, expected: int) -> bytes:
    """Up to ``count`` bytes, asking for no more memory than the file holds (``count`` may be
    far larger than any file: ``max-file-size = 9223372036854775807``)."""
    data = handle.read(min(count, expected + 1))
    while len(data) < count:  # the file grew since it was measured
        more = handle.read(min(count - len(data), 1 << 20))
        if not more:
            break
        data += more
    return data


def _raw_factor(path: str) -> int:
    # a notebook's JSON carries outputs (images...) beside the code the limit is about
    return 32 if path.endswith(".ipynb") else 1


def _memory_hint(limits: Limits) -> str:
    return f" (over {_size(limits.max_memory)}, max-memory)" if limits.max_memory else ""


def _limit_memory(extra: Optional[int]) -> None:
    """Bound this worker's address space to what it has now plus ``extra``: past it an
    allocation fails (a MemoryError, or the parser aborts the worker) and only the file
    being linted is lost, instead of the machine swapping or the OOM killer ending the run."""
    if not extra or resource is None:
        return
    try:
        with open("/proc/self/statm", "rb") as handle:  # Linux: where the limit is enforced
            current = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = current + extra
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        if soft == resource.RLIM_INFINITY or wanted < soft:
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (OSError, ValueError, IndexError, OverflowError):  # a limit past what the system counts: none
        pass


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    return f"{count / (1 << 20):.1f} MiB" if count >= 1 << 20 else f"{count / 1024:.0f} KiB"


def _limit_cpu(seconds: Optional[float]) -> None:
    """Let this worker use ``seconds`` more CPU time (and the grace) before the kernel stops it
    (SIGXCPU): the backstop for work deaf to ``time_budget``'s signals, such as a loop in
    native code, that does not wait for the wall-clock one."""
    if not seconds or resource is None:
        return
    try:
        used = resource.getrusage(resource.RUSAGE_SELF)
        wanted = math.ceil(used.ru_utime + used.ru_stime + seconds + _GRACE_SECONDS)
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (wanted, hard))
    except (OSError, ValueError, OverflowError):  # a limit past what the system counts: none
        pass


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def lint_files(
    paths: Sequence[str],
    rules: Sequence[Type[Rule]],
    jobs: Optional[int] = None,
    cache_dir: Optional[str] = None,
    limits: Limits = Limits(),
) -> List[Finding]:
    """Lint files; with ``cache_dir``, unchanged files are answered from the cache.

    Even one file is linted in a forked worker (a few milliseconds): libcst's parser can
    kill its process on input no pre-check foresees, and that must cost only that file.
    """
    with one_snapshot():  # the workers, forked inside, inherit it
        findings = _lint_files(paths, rules, jobs or default_jobs(), cache_dir, limits)
    findings.sort()
    return findings


def _lint_files(paths, rules, jobs: int, cache_dir: Optional[str], limits: Limits) -> List[Finding]:
    codes = tuple(rule.code for rule in rules)
    cache = Cache(cache_dir, codes) if cache_dir else None
    manifest = Manifest(cache.directory, cache.salt) if cache is not None else None
    # the text scans of the project's files, kept beside the result cache: the workers forked
    # inside read them and send back what they add
    with _scan_store(cache):
        answered = _answered(paths, cache, manifest, limits)
        left = [path for number, path in enumerate(paths) if number not in answered]
        if manifest is not None and left:
            try:
                manifest.prepare(paths)
            except Exception:  # only a speed-up (``save`` computes what is missing)
                pass
        findings = _lint_scanned_files(left, rules, jobs, cache_dir, limits, codes, manifest)
        for found in answered.values():
            findings.extend(found)
        if manifest is not None:
            try:
                manifest.save(paths)
            except Exception:  # only a speed-up
                pass
        return findings


def _answered(paths, cache: Optional[Cache], manifest: Optional[Manifest], limits: Limits) -> Dict[int, List[Finding]]:
    """The files the run manifest knows the cache key of, answered from the result cache here (in
    the parent, without reading them): number in ``paths`` -> findings."""
    answered: Dict[int, List[Finding]] = {}
    if cache is None or manifest is None:
        return answered
    try:
        if not manifest.check():
            return answered
        for number, path in enumerate(paths):
            key = manifest.key(path)
            found = manifest.signature(path)
            if key is None or found is None or found[0] > limits.max_file_size * _raw_factor(path):
                continue
            findings = cache.get(key, path, manifest.read_digest)
            if findings is not None:
                answered[number] = findings
                manifest.learnt_keys[path] = manifest.keys[path]
    except Exception:  # only a speed-up: the workers lint what is not answered
        return {}
    return answered


def _scan_store(cache: Optional[Cache]):
    if cache is None:
        return scan_store(None, code_salt())
    return scan_store(cache.directory, code_salt(), cache.prepare)


def _lint_scanned_files(
    paths, rules, jobs: int, cache_dir: Optional[str], limits: Limits, codes, manifest: Optional[Manifest] = None
) -> List[Finding]:
    context = _fork_context()
    findings: List[Finding] = []
    if not paths:
        return findings
    _scan_projects(paths)

    def learn(path: str, learnt: Optional[Learnt], folders=()) -> None:
        if manifest is not None and learnt is not None:
            manifest.learn(path, learnt[0], learnt[1], learnt[2], folders)

    if context is None:  # without fork, a worker would import everything again
        cache = Cache(cache_dir, codes) if cache_dir else None
        gc.freeze()  # the caller's objects: not this run's to collect (see _settle_memory)
        try:
            for path in paths:
                found, learnt = _lint_file_learning(path, rules, cache, limits)
                findings.extend(found)
                learn(path, learnt)
        finally:
            gc.unfreeze()  # the caller's objects go back to the collector
    else:
        for result in _supervise(context, paths, (codes, cache_dir, limits), min(jobs, len(paths)), learn):
            findings.extend(result)
    return findings


def _scan_projects(paths: Sequence[str]) -> None:
    """The project-wide text scans the files will ask for, made once here before the workers fork
    (each would make them all again), from the scan store beside the result cache when there is one."""
    try:
        scan_projects(paths)
    except Exception:  # only a speed-up: the workers scan what they need themselves
        pass


def _fork_context():
    # fork: a worker inherits the loaded rules instead of importing everything again
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    try:  # libcst loads its native parser on first use: once here, not in every worker
        importlib.import_module("libcst.native")
    except ImportError:
        pass
    return multiprocessing.get_context("fork")


def _serve(connection, settings) -> None:
    """A worker: lint the paths it is sent until told to stop (None) or its parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    codes, cache_dir, limits = settings
    _limit_memory(limits.max_memory)
    rules = tuple(BY_CODE[c] for c in codes)
    cache = Cache(cache_dir, codes) if cache_dir else None
    new_entries()  # what the parent added before the fork: the parent writes it
    sent: FrozenSet[str] = noted_folders()  # (the parent's own: it knows them)
    gc.freeze()  # what the parent had: a collection in this worker need not walk it
    _SETTLE_LATER[0] = True
    while True:
        try:
            path = connection.recv()
            if path is None:
                return
            if _SETTLE_LATER[1]:
                _SETTLE_LATER[1] = False
                _settle_memory()  # what the previous file left behind (see _SETTLE_LATER)
            _limit_cpu(limits.file_timeout)
            findings, learnt = _lint_file_learning(path, rules, cache, limits)
            folders = noted_folders() - sent  # the folders this worker's answers depended on, as yet unsaid
            sent |= folders
            connection.send((findings, new_entries(), learnt, folders, taken_notes()))
        except (EOFError, OSError):
            return
        except MemoryError:  # no room even to report it (max-memory): the supervisor does
            os._exit(1)


def _exit_when_orphaned(parent: int) -> None:
    """A killed parent (SIGKILL, the OOM killer) stops no worker: each notices by itself, also mid-file.

    Waiting for the end of its pipe is not enough: a worker forked later holds a copy of it.
    """
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


class _Worker:
    def __init__(self, context, settings):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, settings), daemon=True)
        self.process.start()
        child.close()
        self.task: Optional[Tuple[int, str]] = None
        self.started = 0.0

    def give(self, task: Tuple[int, str]) -> None:
        self.task, self.started = task, time.monotonic()
        self.connection.send(task[1])

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except OSError:
                pass
        self.process.join(1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def _supervise(context, paths: Sequence[str], settings, count: int, learn=lambda *args: None) -> List[List[Finding]]:
    limits: Limits = settings[2]
    budget = None if not limits.file_timeout else wall_backstop(limits.file_timeout) + _GRACE_SECONDS
    queue = collections.deque(enumerate(paths))
    results: Dict[int, List[Finding]] = {}
    workers = [_Worker(context, settings) for _ in range(count)]
    try:
        while len(results) < len(paths):
            for worker in workers:
                if worker.task is None and queue:
                    worker.give(queue.popleft())
            busy = [w for w in workers if w.task is not None]
            timeout = None if budget is None else max(0.0, min(w.started for w in busy) + budget - time.monotonic())
            wait([w.connection for w in busy] + [w.process.sentinel for w in busy], timeout)
            for index, worker in enumerate(workers):
                outcome = _collect(worker, limits, budget, learn)
                if outcome is None:
                    continue
                (number, path), findings = worker.task, outcome
                if isinstance(findings, tuple) and limits.max_memory and findings[0] == INTERNAL_ERROR:
                    findings = (INTERNAL_ERROR, findings[1] + f"; it may have run out of memory{_memory_hint(limits)}")
                results[number] = [_error(path, *findings)] if isinstance(findings, tuple) else findings
                worker.task = None
                if isinstance(findings, tuple):  # the worker died or overran: replace it
                    worker.stop(kill=True)
                    workers[index] = _Worker(context, settings)
    finally:
        for worker in workers:
            worker.stop(kill=worker.task is not None)
    return [results[number] for number in range(len(paths))]


def _collect(worker: _Worker, limits: Limits, budget: Optional[float], learn=lambda *args: None):
    """The findings of a finished task, (code, message) when the task killed or stalled its worker, or None."""
    if worker.task is None:
        return None
    if worker.connection.poll():
        try:
            findings, scans, learnt, folders, notes = worker.connection.recv()
        except (EOFError, OSError):
            pass
        else:
            add_entries(scans)
            add_notes(notes)
            learn(worker.task[1], learnt, folders)
            return findings
    elif worker.process.is_alive():
        if budget is not None and time.monotonic() - worker.started > budget:
            return INPUT_ERROR, wall_message(limits.file_timeout)
        return None
    worker.process.join(1)
    if limits.file_timeout and hasattr(signal, "SIGXCPU") and worker.process.exitcode == -signal.SIGXCPU:
        return INPUT_ERROR, timeout_message(limits.file_timeout)
    return INTERNAL_ERROR, f"the worker process linting this file died ({_exit_reason(worker.process.exitcode)})"


def _exit_reason(code: Optional[int]) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"
