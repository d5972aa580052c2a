"""JSON and SARIF carry what tools need: fix edits, the rule page, repository-relative URIs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradlint.edits import apply_edits

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
SOURCE = (
    "import torch\n"
    "w = torch.zeros(3, requires_grad=True)\n"
    "for _ in range(2):\n"
    "    w += 1\n"
    "p = torch.nn.Linear(2, 2).weight\n"
    "p.require_grad = False\n"
    "x = 1  # noqa: GRD301\n"
)
#: what --fix (with --unsafe-fixes) writes for each finding alone
FIXED = {
    "GRD201": SOURCE.replace("    w += 1\n", "    with torch.no_grad():\n        w += 1\n"),
    "GRD402": SOURCE.replace("p.require_grad", "p.requires_grad"),
    "GRD100": SOURCE.replace("x = 1  # noqa: GRD301", "x = 1"),
}


def gradlint(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "gradlint", "check", "--no-cache", "--select", "GRD", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_json_fix_object_with_edits_that_apply(tmp_path):
    (tmp_path / "train.py").write_text(SOURCE)
    findings = json.loads(gradlint("--format", "json", "train.py", cwd=tmp_path).stdout)
    fixes = {f["code"]: f["fix"] for f in findings if f["fix"]}
    assert set(fixes) == set(FIXED)
    assert fixes["GRD201"]["applicability"] == "unsafe" and fixes["GRD402"]["applicability"] == "safe"
    for code, fix in fixes.items():
        edits = [(e["start"]["line"], e["start"]["column"], e["end"]["line"], e["end"]["column"], e["content"]) for e in fix["edits"]]
        assert apply_edits(SOURCE, edits) == FIXED[code], code
    assert all(f["help_uri"].endswith(f"/docs/rules/{f['code']}.md") for f in findings)


def test_notebook_fix_edits_are_in_the_cell(tmp_path):
    cells = ["import torch\np = torch.nn.Linear(2, 2).weight\n", "x = 1\np.require_grad = False\n"]
    notebook = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": c} for c in cells],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    [finding] = json.loads(gradlint("--format", "json", "nb.ipynb", cwd=tmp_path).stdout)
    assert (finding["cell"], finding["line"]) == (2, 2)
    edits = [(e["start"]["line"], e["start"]["column"], e["end"]["line"], e["end"]["column"], e["content"]) for e in finding["fix"]["edits"]]
    assert apply_edits(cells[1], edits) == "x = 1\np.requires_grad = False\n"


def _git_repo(path):
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def test_sarif_fixes_help_pages_and_repository_relative_uris(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    repo = _git_repo(tmp_path / "repo")
    (repo / "pkg").mkdir()
    (repo / "pkg" / "train.py").write_text(SOURCE)
    # run from a sub-directory: URIs stay relative to the repository root
    result = gradlint("--format", "sarif", "train.py", cwd=repo / "pkg")
    log = json.loads(result.stdout)
    jsonschema.validate(log, json.loads(SCHEMA.read_text()))
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == (repo.resolve()).as_uri() + "/"
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert {(l["uri"], l["uriBaseId"]) for l in locations} == {("pkg/train.py", "SRCROOT")}
    by_code = {r["ruleId"]: r for r in run["results"]}
    for code, fixed in FIXED.items():
        [fix] = by_code[code]["fixes"]
        [change] = fix["artifactChanges"]
        assert change["artifactLocation"]["uri"] == "pkg/train.py"
        edits = [
            (
                r["deletedRegion"]["startLine"],
                r["deletedRegion"]["startColumn"],
                r["deletedRegion"]["endLine"],
                r["deletedRegion"]["endColumn"],
                r["insertedContent"]["text"],
            )
            for r in change["replacements"]
        ]
        assert apply_edits(SOURCE, edits) == fixed, code
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    page = subprocess.run(
        [sys.executable, "-m", "gradlint", "rule", "GRD201"], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    ).stdout
    assert rules["GRD201"]["help"]["markdown"].strip() == page.strip()
    assert "## Why is this bad?" in rules["GRD201"]["help"]["markdown"]
    assert "# GRD001 input-error" in rules["GRD001"]["help"]["markdown"]
