"""Benchmark gradlint against a bare libcst parse of the same real files.

Downloads a pinned corpus (the sources of a transformers wheel, by default) with
``pip download --no-deps``, then, in one process and one run so that the machine's
noise hits both alike:

* ``parse``: ``libcst.parse_module`` over the files gradlint parses (those some
  selected rule could fire on),
* ``gradlint``: the full lint of every file on one worker (read, decode, text
  pre-check, parse, analysis, rules, positions),
* ``gradlint -j N``: the same through the parallel runner,
* ``cache cold`` / ``cache warm``: one worker with a fresh result cache, then again,
* ``check (all)`` / ``check+fix (all)``: every rule selected, without and with ``--fix``
  (the fixes computed in memory, nothing written),

and prints files/second, the ratio gradlint / parse (target: at most 1.5) and the
ratio ``--fix`` / ``check`` (target: at most 3).

Usage: python benchmarks/bench.py [--package transformers==4.46.3] [--limit N] [--repeat 1]

**Project mode** (``--project DIR``, e.g. ``--project path/to/timm/models``) measures the
whole-program analysis on a package whose files import one another. Each pass runs in a
fresh process (so no pass inherits another's parsed modules), one after the other:

* ``parse`` / ``gradlint -j 1``: the ratio gradlint / bare parse on the package, one
  worker, no cache, CPU time (target: at most 1.5). "The files it parses" are exactly
  the distinct texts gradlint handed to libcst while linting the package (recorded by an
  untimed lint first): the package's files some rule could fire on, and the modules of
  the project outside the package that they import (timm/models: 119 + 13). Both sides
  run with the cycle collector off while libcst parses, as gradlint does
  (``analysis.parsed``); the bare side calls ``libcst.parse_module`` as is (it validates
  every node; gradlint skips that for text CPython compiled),
* ``cold`` / ``warm`` / ``edit``: ``gradlint check`` as a user runs it (a new process,
  default workers) on a copy of the package's top package with a fresh result cache,
  then again unchanged (twice: see ``gradlint.manifest``), then after appending a comment to one file: the largest file that
  no other file imports (``edit leaf``), the most imported module that mentions no torch (``edit
  shared, no torch``: an importer learns only which rules' strings it holds, so its importers keep
  their results) and the most imported one (``edit shared``: every file importing it is linted
  again), and any ``--edit FILE`` (e.g. ``models/bert/modeling_bert.py`` of transformers). Each edit is
  followed at once by a run (as after an editor's save), then by one more, unchanged (``then unchanged``:
  it should cost what a warm run does). Each run's findings are compared with the cold run's (a comment
  changes none). Target for ``edit leaf``: under 2 s.
* ``--jobs-package transformers==4.46.3`` (or a directory): also ``gradlint -j 2`` over
  all of that package, no cache.

``--against CHECKOUT`` runs the ``gradlint -j`` passes with another checkout's code too
(an older commit, say, unpacked with ``git archive``) and prints the ratio.

A file whose analysis grows faster than its size hides in a package's ratio: ``benchmarks/outliers.py DIR``
lists the files whose lint costs the most times their own parse.

CPU time, not wall time, and ratios within one run: the machines are shared and noisy. The figures
of each session, and what each change was worth, are in ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import tempfile
import sys
import time
import zipfile
from pathlib import Path
from typing import Dict, Tuple

import libcst

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gradlint.autofix import fix_bytes  # noqa: E402
from gradlint.engine import decode, lint_bytes, rules_for  # noqa: E402
from gradlint.runner import default_jobs, lint_files  # noqa: E402
from gradlint.selection import select_rules  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"


def fetch(package: str) -> Path:
    name = package.split("==")[0].replace("-", "_")
    target = CORPUS / package.replace("==", "-")
    if target.is_dir():
        return target
    CORPUS.mkdir(parents=True, exist_ok=True)
    wheels = CORPUS / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q", "-d", str(wheels), package],
        check=True,
    )
    [wheel] = [w for w in wheels.glob("*.whl") if w.name.lower().startswith(name.lower() + "-")]
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


CHECKOUT = Path(__file__).resolve().parent.parent


#: one measured pass in a fresh process (argv: kind, file listing, jobs); only long-stable API,
#: so that ``--against`` can run an older checkout
_PASS = """
import gc, json, os, pickle, resource, sys, tempfile, time
import libcst
from pathlib import Path
from gradlint.engine import decode, rules_for
from gradlint.runner import lint_files
from gradlint.selection import select_rules

def cpu():
    mine, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + workers.ru_utime + workers.ru_stime

kind, files, jobs = sys.argv[1], json.loads(Path(sys.argv[2]).read_text()), int(sys.argv[3])
rules = select_rules([], [])
if kind == "parse":
    # the texts gradlint parses: a lint (in a forked worker, untimed) records every parse
    record = tempfile.NamedTemporaryFile(delete=False).name
    real_parse = libcst.parse_module
    def recording(text, *args, **kwargs):
        with open(record, "ab") as out:
            pickle.dump(text, out)
        return real_parse(text, *args, **kwargs)
    libcst.parse_module = recording
    lint_files(files, rules, 1)
    libcst.parse_module = real_parse
    texts = {}
    with open(record, "rb") as stream:
        while True:
            try:
                texts.setdefault(pickle.load(stream))
            except EOFError:
                break
    os.unlink(record)
    inside = sum(1 for f in files if decode(Path(f).read_bytes()) in texts)
    # gradlint parses with the cycle collector off (a tree has no cycles): so does this pass
    gc.collect()
    gc.disable()
    start, start_cpu = time.perf_counter(), cpu()
    for text in texts:
        libcst.parse_module(text)
    print(len(texts), inside, sum(map(len, texts)), time.perf_counter() - start, cpu() - start_cpu)
else:
    start, start_cpu = time.perf_counter(), cpu()
    lint_files(files, rules, jobs)
    print(time.perf_counter() - start, cpu() - start_cpu)
"""


def _timed_pass(kind: str, files, checkout: Path = CHECKOUT, jobs: int = 1) -> Tuple[float, float]:
    """(wall, CPU) seconds of one pass (``parse`` or ``lint``, no cache) in a new process running ``checkout``.

    CPU time (the process's and its workers') is what the ratios use: the machine may be
    shared, and waiting for a core is not gradlint's cost.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as listing:
        json.dump([str(f) for f in files], listing)
    try:
        env = dict(os.environ, PYTHONPATH=str(checkout))
        command = [sys.executable, "-c", _PASS, kind, listing.name, str(jobs)]
        out = subprocess.run(command, env=env, cwd=checkout, check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(listing.name)
    if kind == "parse":
        _PARSED[:] = map(int, out.split()[-5:-2])
    wall, cpu = out.split()[-2:]
    return float(wall), float(cpu)


#: what the last ``parse`` pass parsed: [distinct texts, how many of them are files listed, characters]
_PARSED = [0, 0, 0]


def _cli(paths) -> Tuple[float, float, str]:
    """(wall, CPU) seconds of ``gradlint check`` as a user runs it (a new process, default workers, the
    result cache), and what it printed; CPU counts the process and its workers (the wall clock also
    counts a busy machine)."""
    command = [sys.executable, "-m", "gradlint", "check", "--exit-zero", "-q", *map(str, paths)]
    # as installed, with its bytecode: compiling gradlint's modules again in every run (an environment
    # with PYTHONDONTWRITEBYTECODE set) is 0.3 to 0.4 s of a run that answers every file from the cache
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=dict(env, PYTHONPATH=str(CHECKOUT)), cwd=CHECKOUT, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, done.stdout.decode()


def _alternated(passes: Dict[str, tuple], repeat: int) -> Dict[str, list]:
    """Each pass (label -> _timed_pass arguments) ``repeat`` times, taking turns, so that a busy
    spell of the machine falls on all of them alike: label -> [(wall, CPU), ...]."""
    runs: Dict[str, list] = {label: [] for label in passes}
    for _ in range(repeat):
        for label, arguments in passes.items():
            runs[label].append(_timed_pass(*arguments))
    return runs


def _ratios(runs: Dict[str, list], numerator: str, denominator: str) -> str:
    """The CPU ratio of each round, and that of the fastest runs."""
    rounds = [a[1] / b[1] for a, b in zip(runs[numerator], runs[denominator])]
    best = min(r[1] for r in runs[numerator]) / min(r[1] for r in runs[denominator])
    return f"{best:.2f} (fastest runs); by round: {', '.join(f'{r:.2f}' for r in rounds)}"


def _importers(files) -> Dict[str, int]:
    """How many of ``files`` import each file (directly)."""
    from gradlint.analysis.project import imported_modules, project_for

    counts = {os.path.abspath(f): 0 for f in files}
    for path in files:
        text = decode(Path(path).read_bytes())
        for module in set(map(os.path.abspath, imported_modules(project_for(path), path, text))):
            if module in counts and module != os.path.abspath(path):
                counts[module] += 1
    return counts


def project_mode(args) -> None:
    directory = Path(args.project).resolve()
    files = sorted(str(p) for p in directory.rglob("*.py"))
    megabytes = sum(os.path.getsize(f) for f in files) / 1e6
    print(f"project: {directory}: {len(files)} files, {megabytes:.1f} MB")
    if not args.no_ratio:
        _ratio_passes(args, files)
    if not args.no_edits:
        _edits(directory, files, args.edit)
    if args.jobs_package:
        root = Path(args.jobs_package) if os.path.isdir(args.jobs_package) else fetch(args.jobs_package)
        every = sorted(str(p) for p in root.rglob("*.py"))
        passes = {"gradlint -j 2": ("lint", every, CHECKOUT, 2)}
        if args.against:
            passes[f"gradlint -j 2 at {args.against}"] = ("lint", every, Path(args.against), 2)
        runs = _alternated(passes, args.repeat)
        print(f"{args.jobs_package}: {len(every)} files, no cache; CPU seconds (wall):")
        for label, times in runs.items():
            print(f"  {label:40} {'  '.join(f'{cpu:7.2f} ({wall:.2f})' for wall, cpu in times)}")
        if args.against:
            print(f"  CPU ratio: {_ratios(runs, 'gradlint -j 2', list(runs)[-1])}  (target: at most 1.2)")


def _ratio_passes(args, files) -> None:
    """gradlint on one worker against the bare parse of what it parses, CPU time."""
    passes = {"parse": ("parse", files), "gradlint -j 1": ("lint", files)}
    if args.against:
        passes[f"gradlint -j 1 at {args.against}"] = ("lint", files, Path(args.against))
    runs = _alternated(passes, args.repeat)
    print(f"{'CPU seconds (wall)':40} runs")
    for label, times in runs.items():
        print(f"{label:40} {'  '.join(f'{cpu:7.2f} ({wall:.2f})' for wall, cpu in times)}")
    parsed, inside, characters = _PARSED
    print(f"parse: the {parsed} distinct texts ({characters / 1e6:.1f} M characters) gradlint parsed linting the package:")
    print(f"  {inside} of its {len(files)} files (those some rule could fire on), {parsed - inside} modules of the project outside it")
    print(f"ratio gradlint (1 worker, no cache) / bare parse, CPU: {_ratios(runs, 'gradlint -j 1', 'parse')}")
    print("  (target <= 1.5)")
    if args.against:
        print(f"ratio gradlint / gradlint at {args.against}: {_ratios(runs, 'gradlint -j 1', list(runs)[-1])}")


def _edits(directory: Path, files, edited_files=()) -> None:
    """The result cache as a user meets it: cold, warm, then after editing a leaf and shared modules;
    each run's findings compared with those of the cold run (a comment edit changes none)."""
    from gradlint.analysis.project import TORCH_TEXT, package_top

    top = Path(package_top(str(directory)) or directory)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / top.name
        shutil.copytree(top, copy)
        linted = copy / directory.relative_to(top)
        copied = [str(linted / Path(f).relative_to(directory)) for f in files]
        importers = _importers(copied)
        leaves = [f for f in copied if importers[os.path.abspath(f)] == 0 and not f.endswith("__init__.py")]
        leaf = max(leaves or copied, key=os.path.getsize)
        shared = max(copied, key=lambda f: (importers[os.path.abspath(f)], f))
        # the most imported module an importer learns nothing from but its text (see project.defines_nothing)
        torchless = [f for f in copied if not any(m in Path(f).read_text(errors="replace") for m in TORCH_TEXT)]
        shared_torchless = max(torchless or copied, key=lambda f: (importers[os.path.abspath(f)], f))
        # the first run creates the cache folder in the copy, the second writes the run manifest if the
        # first could not (a folder it looks in changed while it ran), the third answers from it
        times = {"cold": _cli([linted]), "warm": _cli([linted]), "warm again": _cli([linted])}
        edits = [("edit leaf", leaf), ("edit shared, no torch", shared_torchless), ("edit shared", shared)]
        if not importers[os.path.abspath(shared_torchless)] or shared_torchless in (leaf, shared):
            del edits[1]  # no such module, or the most imported module is one (timm: ``_registry.py``)
        edits += [("edit", linted / name) for name in edited_files]
        for label, edited in edits:
            # run at once, as after an editor's save: the edited file is "racy" (``manifest.RACY_NS``)
            with open(edited, "a", encoding="utf-8") as handle:
                handle.write("\n# edited by the benchmark\n")
            name = os.path.relpath(edited, linted)
            edit = f"{label} ({name}, imported by {importers[os.path.abspath(edited)]})"
            times[edit] = _cli([linted])
            times[f"  then unchanged (after {label}: {name})"] = _cli([linted])
    print(f"{'gradlint check (default workers)':66} {'wall':>8}   {'CPU':>8}   findings")
    cold = times["cold"][2]
    for label, (wall, cpu, out) in times.items():
        same = "" if label == "cold" else "same as cold" if out == cold else "DIFFER from cold"
        print(f"{label:<66} {wall:8.2f} s {cpu:8.2f} s   {same}")
    print("targets: an edit of one file re-runs in under 2 s; the next run, unchanged, as fast as a warm run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", default="transformers==4.46.3")
    parser.add_argument("--limit", type=int, default=0, help="only the first N files (sorted)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--project", help="project mode on this package directory (see above)")
    parser.add_argument(
        "--jobs-package", help="project mode: also lint all of this package (pip requirement or directory) on two workers"
    )
    parser.add_argument("--against", help="project mode: also time the -j passes with this checkout's code")
    parser.add_argument("--no-edits", action="store_true", help="project mode: skip the cold/warm/edit runs")
    parser.add_argument(
        "--edit",
        action="append",
        default=[],
        metavar="FILE",
        help="project mode: also append a comment to this file (relative to --project) and run again, then once more",
    )
    parser.add_argument("--no-ratio", action="store_true", help="project mode: skip the passes of the ratio to the bare parse")
    args = parser.parse_args()
    if args.project:
        project_mode(args)
        return

    root = fetch(args.package)
    files = sorted(str(p) for p in root.rglob("*.py"))
    if args.limit:
        files = files[: args.limit]
    rules = select_rules([], [])
    blobs = [Path(f).read_bytes() for f in files]
    texts = [decode(b) for b in blobs]
    parsed = [t for t in texts if rules_for(t, rules)]
    megabytes = sum(len(b) for b in blobs) / 1e6
    print(f"corpus: {args.package}: {len(files)} files, {megabytes:.1f} MB; gradlint parses {len(parsed)} of them")

    best = {}
    for _ in range(args.repeat):
        start = time.perf_counter()
        for text in parsed:
            libcst.parse_module(text)
        best["parse"] = min(best.get("parse", 1e9), time.perf_counter() - start)

        start = time.perf_counter()
        findings = 0
        for path, blob in zip(files, blobs):
            findings += len(lint_bytes(blob, path, rules))
        best["gradlint"] = min(best.get("gradlint", 1e9), time.perf_counter() - start)

        jobs = default_jobs()
        start = time.perf_counter()
        lint_files(files, rules, jobs)
        best[f"gradlint -j {jobs}"] = min(best.get(f"gradlint -j {jobs}", 1e9), time.perf_counter() - start)

        every = select_rules(["GRD"], [])
        start = time.perf_counter()
        checked = [lint_bytes(blob, path, every) for path, blob in zip(files, blobs)]
        best["check (all)"] = min(best.get("check (all)", 1e9), time.perf_counter() - start)
        start = time.perf_counter()
        fixes = 0
        for path, blob in zip(files, blobs):
            if any(f.fix == "safe" for f in lint_bytes(blob, path, every)):  # what `check --fix` does
                fixes += fix_bytes(blob, path, every, False, lambda finding: True)[1]
        best["check+fix (all)"] = min(best.get("check+fix (all)", 1e9), time.perf_counter() - start)

    with tempfile.TemporaryDirectory() as cache_dir:
        start = time.perf_counter()
        lint_files(files, rules, 1, cache_dir)
        best["cache cold"] = time.perf_counter() - start
        start = time.perf_counter()
        lint_files(files, rules, 1, cache_dir)
        best["cache warm"] = time.perf_counter() - start

    for label, seconds in best.items():
        count = len(parsed) if label == "parse" else len(files)
        print(f"{label:<14} {seconds:8.2f} s  {count / seconds:8.1f} files/s")
    print(f"ratio gradlint (1 worker) / bare parse: {best['gradlint'] / best['parse']:.2f}  (target <= 1.5)")
    print(f"ratio warm / cold cache (1 worker): {best['cache warm'] / best['cache cold']:.3f}")
    print(f"ratio --fix / check (every rule, {fixes} fixes): {best['check+fix (all)'] / best['check (all)']:.2f}  (target <= 3)")
    print(f"findings: {findings}; with every rule: {sum(len(c) for c in checked)}")


if __name__ == "__main__":
    main()
