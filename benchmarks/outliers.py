"""The files whose lint costs most against their own bare parse: where the analysis blows up.

``bench.py`` gives one ratio for a whole package; a file whose analysis grows faster than its
size hides in it (xception.py's twelve chained blocks doubled a set at each block: a fifth of
its lint, 4 GB and a cut by the time budget for a model of 24 blocks). This lints a directory in
one process, as one worker does (one snapshot of the project, the files one after another),
once to analyse the modules they import, then each file again on its own, and prints the files
whose lint costs the most times their bare ``libcst.parse_module``.

Usage: python benchmarks/outliers.py DIR [DIR ...] [--top 10]

CPU time of one process: compare the ratios of files within a run, not across runs.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

import libcst

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gradlint.analysis import parsed  # noqa: E402
from gradlint.analysis.project import one_snapshot  # noqa: E402
from gradlint.discovery import discover  # noqa: E402
from gradlint.runner import _scan_projects, lint_file  # noqa: E402
from gradlint.selection import select_rules  # noqa: E402

#: a parse shorter than this is counted as this long: an empty ``__init__.py`` is no outlier
_MIN_PARSE = 0.004


def _parse_time(text: str) -> float:
    gc.disable()
    start = time.process_time()
    try:
        libcst.parse_module(text)
    except Exception:
        pass
    finally:
        elapsed = time.process_time() - start
        gc.enable()
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)
    files, _ = discover(args.paths)
    rules = select_rules([], [])
    with one_snapshot():
        _scan_projects(files)
        for path in files:  # the imported modules analysed once, as a run of many files does
            lint_file(path, rules)
        rows = []
        for path in files:
            try:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
            except (OSError, UnicodeDecodeError):
                continue
            parsed.forget_trees()  # the file parsed again, as in a run that lints it first
            start = time.process_time()
            lint_file(path, rules)
            lint = time.process_time() - start
            parse = _parse_time(text)
            rows.append((lint / max(parse, _MIN_PARSE), lint, parse, path))
    total_lint = sum(row[1] for row in rows)
    total_parse = sum(row[2] for row in rows)
    print(f"{len(rows)} files: lint {total_lint:.2f} s, bare parse {total_parse:.2f} s, ratio {total_lint / max(total_parse, 1e-9):.2f}")
    print(" ratio   lint s  parse s  file")
    for ratio, lint, parse, path in sorted(rows, reverse=True)[: args.top]:
        print(f"{ratio:6.1f} {lint:8.3f} {parse:8.3f}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
