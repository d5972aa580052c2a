"""A baseline: today's findings recorded in a file, so only new ones are reported.

A finding matches a baseline entry by its path (relative to the baseline file), its
code and a fingerprint of the source line it is reported on, never by line number:
inserting or deleting lines elsewhere moves findings without resurfacing them. Equal
lines with the same code are counted, so a copy of a baselined line is still new.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from .engine import ENGINE_CODES, decode
from .rule import Finding

FORMAT_VERSION = 1
_NOTEBOOK_CELL = re.compile(r"^(?P<path>.*\.ipynb):cell (?P<cell>\d+)$")

Key = Tuple[str, str, str]
#: Returns the lines of the source a finding's path names (``None`` when unreadable).
LineReader = Callable[[str], Optional[Sequence[str]]]


class BaselineError(ValueError):
    pass


def split_cell(path: str) -> Tuple[str, Optional[int]]:
    """``nb.ipynb:cell 3`` -> (``nb.ipynb``, 3); a plain path -> (path, None)."""
    match = _NOTEBOOK_CELL.match(path)
    if match is None:
        return path, None
    return match.group("path"), int(match.group("cell"))


def read_lines(path: str) -> Optional[List[str]]:
    """The lines a finding at ``path`` is located in: a file, or one cell of a notebook."""
    from .notebook import NotebookError, notebook_source

    file_path, cell = split_cell(path)
    try:
        with open(file_path, "rb") as handle:
            data = handle.read()
        if cell is None:
            return decode(data).splitlines()
        text, origin = notebook_source(data)
    except (OSError, ValueError, SyntaxError, LookupError, NotebookError):
        return None
    return [line for line, where in zip(text.splitlines(), origin) if where.cell == cell]


def fingerprint(code: str, line_text: str) -> str:
    """Stable across moves and re-indentation; changes when the flagged line itself does."""
    normalized = " ".join(line_text.split())
    return hashlib.sha256(f"{code}\0{normalized}".encode("utf-8")).hexdigest()[:16]


class Baseline:
    def __init__(self, root: Path, counts: Counter, path: Optional[Path] = None):
        self.root = root
        self.counts = counts
        self.path = path

    def key(self, finding: Finding, lines: Optional[Sequence[str]]) -> Key:
        # a notebook's findings are keyed by the notebook alone: inserting a cell moves them too
        relative = _relative(split_cell(finding.path)[0], self.root)
        text = lines[finding.line - 1] if lines is not None and 1 <= finding.line <= len(lines) else ""
        return relative, finding.code, fingerprint(finding.code, text)

    def keys(self, findings: Iterable[Finding], reader: LineReader) -> List[Key]:
        cache: Dict[str, Optional[Sequence[str]]] = {}
        keys = []
        for finding in findings:
            if finding.location not in cache:
                cache[finding.location] = reader(finding.location)
            keys.append(self.key(finding, cache[finding.location]))
        return keys

    def filter(self, findings: Sequence[Finding], reader: LineReader = read_lines) -> List[Finding]:
        """The findings the baseline does not account for (engine errors are always kept)."""
        remaining = Counter(self.counts)
        kept = []
        baselinable = [f for f in findings if f.code not in ENGINE_CODES]
        for finding, key in zip(baselinable, self.keys(baselinable, reader)):
            if remaining[key] > 0:
                remaining[key] -= 1
            else:
                kept.append(finding)
        kept += [f for f in findings if f.code in ENGINE_CODES]
        return sorted(kept)


def _relative(path: str, root: Path) -> str:
    absolute = os.path.abspath(path)
    try:
        return Path(os.path.relpath(absolute, root)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(absolute).as_posix()


def render(findings: Sequence[Finding], baseline_path: Path, reader: LineReader = read_lines) -> str:
    """The baseline file for these findings: sorted JSON, one entry per (path, code, fingerprint)."""
    builder = Baseline(Path(os.path.abspath(baseline_path)).parent, Counter())
    findings = [f for f in findings if f.code not in ENGINE_CODES]
    counts: Counter = Counter()
    first_message: Dict[Key, str] = {}
    for finding, key in zip(findings, builder.keys(findings, reader)):
        counts[key] += 1
        first_message.setdefault(key, finding.message)
    entries = [
        {"path": path, "code": code, "fingerprint": digest, "count": counts[(path, code, digest)],
         "message": first_message[(path, code, digest)]}
        for path, code, digest in sorted(counts)
    ]
    return json.dumps({"version": FORMAT_VERSION, "findings": entries}, indent=2, sort_keys=True) + "\n"


def write_baseline(findings: Sequence[Finding], baseline_path: Path, reader: LineReader = read_lines) -> int:
    """Write the baseline; returns how many findings it records."""
    text = render(findings, baseline_path, reader)
    try:
        Path(baseline_path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot write baseline {baseline_path}: {exc.strerror or exc}")
    return sum(1 for f in findings if f.code not in ENGINE_CODES)


def load_baseline(baseline_path: Path) -> Baseline:
    try:
        data = json.loads(Path(baseline_path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {baseline_path}: {exc.strerror or exc}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {baseline_path} is not valid JSON: {exc}")
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(entries, list) or data.get("version") != FORMAT_VERSION:
        raise BaselineError(f"baseline {baseline_path} is not a gradlint baseline (version {FORMAT_VERSION})")
    counts: Counter = Counter()
    for entry in entries:
        try:
            key = (str(entry["path"]), str(entry["code"]), str(entry["fingerprint"]))
            count = int(entry.get("count", 1))
        except (TypeError, KeyError, ValueError, AttributeError):
            raise BaselineError(f"baseline {baseline_path}: malformed entry {entry!r:.80}")
        counts[key] += count
    return Baseline(Path(os.path.abspath(baseline_path)).parent, counts, Path(baseline_path))


_LOADED: Dict[Tuple[str, int], Baseline] = {}


def baseline_for(path: str) -> Optional[Baseline]:
    """The baseline named by the nearest ``[tool.gradlint]`` above ``path``, if any.

    For integrations that lint one file at a time (flake8, the language server); a
    baseline is re-read when its file changes. Raises ConfigError or BaselineError.
    """
    from .config import find_config, load_config

    found = find_config([path])
    config = load_config(found) if found is not None else None
    if config is None or config.baseline is None:
        return None
    try:
        stamp = (str(config.baseline.resolve()), config.baseline.stat().st_mtime_ns)
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {config.baseline}: {exc.strerror or exc}")
    if stamp not in _LOADED:
        _LOADED[stamp] = load_baseline(config.baseline)
    return _LOADED[stamp]
