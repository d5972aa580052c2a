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
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import sys
import time
import zipfile
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", default="transformers==4.46.3")
    parser.add_argument("--limit", type=int, default=0, help="only the first N files (sorted)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

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
