"""``gradlint verify``: prove each rule against real torch.

For every rule, ``bad.py`` must fail at run time exactly as its ``# runtime:``
header declares and ``good.py`` must run clean with no warning; the linter must
report exactly the ``# expect:`` lines of ``bad.py`` and nothing in ``good.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Set, Tuple, Type

from .engine import lint_bytes
from .rule import Rule
from .rules import ALL_RULES

FIXTURE_TIMEOUT = 180
_EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>GRD\d{3}(?:\s*,\s*GRD\d{3})*)")
_RUNTIME = re.compile(r"^#\s*runtime:\s*(?P<kind>raises|warns|asserts)\s+(?P<rest>.*?)\s*$", re.MULTILINE)


def fixtures_root() -> Path:
    """The fixtures: shipped in the package, or the ``rules/`` folder of a checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "fixtures", package.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the rule fixtures are not installed (expected gradlint/fixtures or rules/)")


def expected_lines(text: str) -> Set[Tuple[int, str]]:
    expected = set()
    for number, line in enumerate(text.splitlines(), 1):
        match = _EXPECT.search(line)
        if match:
            for code in match.group("codes").split(","):
                expected.add((number, code.strip()))
    return expected


@dataclass
class RuntimeDeclaration:
    kind: str  # raises | warns | asserts
    category: str = ""
    prefix: str = ""

    @classmethod
    def parse(cls, text: str) -> Optional["RuntimeDeclaration"]:
        match = _RUNTIME.search(text)
        if match is None:
            return None
        kind, rest = match.group("kind"), match.group("rest")
        if kind == "asserts":
            return cls(kind, "AssertionError", "")
        category, _, prefix = rest.partition(":")
        return cls(kind, category.strip(), prefix.strip())


@dataclass
class RuleReport:
    code: str
    name: str
    static_problems: List[str] = field(default_factory=list)
    runtime_problems: List[str] = field(default_factory=list)
    seconds: float = 0.0
    #: False for a rule with no torch behaviour to prove (its fixtures are not run)
    runtime_checked: bool = True

    @property
    def ok(self) -> bool:
        return not self.static_problems and not self.runtime_problems


def _lint_rules(rule: Type[Rule]) -> List[Type[Rule]]:
    return [r for r in ALL_RULES if r.default_enabled() or r is rule]


def check_static(rule: Type[Rule], folder: Path) -> List[str]:
    problems = []
    rules = _lint_rules(rule)
    for name in ("bad.py", "good.py"):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
            continue
        data = path.read_bytes()
        expected = expected_lines(data.decode("utf-8")) if name == "bad.py" else set()
        if name == "bad.py" and not any(code == rule.code for _, code in expected):
            problems.append(f"bad.py has no '# expect: {rule.code}' line")
        found = {(f.line, f.code) for f in lint_bytes(data, str(path), rules)}
        for line, code in sorted(expected - found):
            problems.append(f"{name}:{line}: expected {code}, not reported")
        for line, code in sorted(found - expected):
            problems.append(f"{name}:{line}: {code} reported, not expected")
    return problems


def run_fixture(path: Path) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        result_path = os.path.join(scratch, "result.json")
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "gradlint._fixture_runner", str(path), result_path],
                cwd=scratch,
                capture_output=True,
                text=True,
                timeout=FIXTURE_TIMEOUT,
                env={**os.environ, "PYTHONPATH": _pythonpath()},
            )
        except subprocess.TimeoutExpired:
            return {"outcome": "timeout", "warnings": []}
        if not os.path.exists(result_path):
            tail = (completed.stderr or "").strip().splitlines()[-1:] or ["no output"]
            return {"outcome": "crashed", "message": tail[0], "warnings": []}
        with open(result_path, encoding="utf-8") as handle:
            return json.load(handle)


def _pythonpath() -> str:
    here = str(Path(__file__).resolve().parent.parent)
    existing = os.environ.get("PYTHONPATH")
    return here + (os.pathsep + existing if existing else "")


def check_runtime(folder: Path) -> List[str]:
    bad, good = folder / "bad.py", folder / "good.py"
    declaration = RuntimeDeclaration.parse(bad.read_text(encoding="utf-8")) if bad.is_file() else None
    if declaration is None:
        return ["bad.py has no '# runtime:' header"]
    problems = []
    outcome = run_fixture(bad)
    if declaration.kind == "warns":
        if outcome["outcome"] != "ok":
            problems.append(f"bad.py should run to the end, but {_describe(outcome)}")
        if not any(
            w["category"] == declaration.category and w["message"].startswith(declaration.prefix)
            for w in outcome["warnings"]
        ):
            problems.append(f"bad.py did not warn {declaration.category}: {declaration.prefix}")
    else:
        raised_ok = outcome["outcome"] == "raised" and outcome["type"] == declaration.category
        if raised_ok and declaration.kind == "raises":
            raised_ok = outcome["message"].startswith(declaration.prefix)
        if not raised_ok:
            wanted = f"{declaration.category}: {declaration.prefix}".rstrip(": ")
            problems.append(f"bad.py should raise {wanted}, but {_describe(outcome)}")
    outcome = run_fixture(good)
    if outcome["outcome"] != "ok":
        problems.append(f"good.py should run clean, but {_describe(outcome)}")
    for warning in outcome["warnings"]:
        problems.append(f"good.py warned {warning['category']}: {warning['message'][:100]}")
    return problems


def _no_runtime_claim(folder: Path) -> List[str]:
    """A rule without runtime evidence must not declare a runtime failure it never has checked."""
    bad = folder / "bad.py"
    if bad.is_file() and RuntimeDeclaration.parse(bad.read_text(encoding="utf-8")) is not None:
        return ["bad.py declares '# runtime:' but this rule has no runtime evidence to check"]
    return []


def _describe(outcome: dict) -> str:
    if outcome["outcome"] == "ok":
        return "it ran to the end"
    if outcome["outcome"] == "raised":
        return f"it raised {outcome['type']}: {outcome['message'][:100]}"
    return f"it {outcome['outcome']}: {outcome.get('message', '')[:100]}"


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def verify(codes: Sequence[str] = (), jobs: int = 2) -> List[RuleReport]:
    root = fixtures_root()
    rules = [r for r in ALL_RULES if not codes or r.code in codes]

    def one(rule: Type[Rule]) -> RuleReport:
        start = time.perf_counter()
        folder = root / rule.code
        report = RuleReport(rule.code, rule.name)
        if not folder.is_dir():
            report.static_problems.append(f"no fixtures folder {rule.code}/")
        else:
            report.static_problems = check_static(rule, folder)
            if rule.runtime_evidence:
                report.runtime_problems = check_runtime(folder)
            else:
                report.runtime_checked = False
                report.static_problems += _no_runtime_claim(folder)
        report.seconds = time.perf_counter() - start
        return report

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, rules))
