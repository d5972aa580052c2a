"""A long block of statements (a generated loop body of thousands of assignments) costs work in proportion
to its length: the statements after a binding are indexed once per block (``block_index``), the names each
statement binds are found once (``usage_scans.bound_names``), and whether a saved path has parts is asked
of one string (``state.holds_under``); each answers as the scan it replaces."""

import itertools
import random
import textwrap

import libcst as cst
import pytest

from gradlint.analysis import usage_scans
from gradlint.analysis.block_index import assignments_until_rebound
from gradlint.analysis.state import holds_under
from gradlint.analysis.usage_scans import binds
from snippets import findings

BLOCK = """\
loss = model(x)
a, (b, *rest) = pair
out = loss * 2; loss = out.sum(); h = loss
if ready:
    loss = criterion(out, y)
(n := 3)
total = total + loss
def helper(loss):
    loss = 1
    return loss
for loss in losses:
    pass
loss = total / n
x.y = loss
loss2 = loss.detach()
"""


def _reference(statements, index, name, targets):
    """The scan ``assignments_until_rebound`` replaces: each small statement in turn."""
    found = []
    for position in range(index + 1, len(statements)):
        stmt = statements[position]
        for small in stmt.body if type(stmt) is cst.SimpleStatementLine else (stmt,):
            if (
                type(small) is cst.Assign
                and len(small.targets) == 1
                and type(small.targets[0].target) is cst.Name
                and small.targets[0].target.value != name
                and small.targets[0].target.value in targets
            ):
                found.append((position, small))
            if binds(small, name):
                return found, True
    return found, False


@pytest.mark.parametrize("name", ["loss", "out", "h", "n", "a", "b", "rest", "total", "x", "loss2", "nothing"])
@pytest.mark.parametrize("targets", [{"loss"}, {"loss", "total", "h"}, {"loss2", "out"}, set()])
def test_the_assignments_until_a_name_is_bound_again_are_those_a_scan_finds(name, targets):
    statements = cst.parse_module(BLOCK).body
    for index in range(-1, len(statements)):
        assert assignments_until_rebound(statements, index, name, targets) == _reference(statements, index, name, targets)


def test_the_index_answers_as_the_scan_on_random_blocks():
    shapes = ["{a} = {b} * 2", "{a} = f({b})", "{a}, {b} = g()", "{a} += {b}", "print({a})", "{a} = {b}; {b} = 1"]
    names = ["p", "q", "r", "loss"]
    chooser = random.Random(7)
    for _ in range(40):
        lines = [chooser.choice(shapes).format(a=chooser.choice(names), b=chooser.choice(names)) for _ in range(12)]
        statements = cst.parse_module("\n".join(lines) + "\n").body
        for index, name in itertools.product(range(-1, len(statements)), names):
            targets = {"loss", chooser.choice(names)}
            assert assignments_until_rebound(statements, index, name, targets) == _reference(statements, index, name, targets)


@pytest.mark.parametrize("count", [0, 3, 15, 16, 40])
def test_whether_a_path_has_parts_among_paths_is_answered_as_by_each_path(count):
    paths = [f"h{i}" for i in range(count)] + ["out.loss", "outputs", "model.fc.weight", "self.h", "x\0y", "h1.a"]
    chooser = random.Random(count)
    for size in range(len(paths) + 1):
        chosen = frozenset(chooser.sample(paths, size))
        for path in ("h1", "out", "outputs", "model", "model.fc", "self", "x", "h", "", "x\0y"):
            assert holds_under(chosen, path) == any(entry.startswith(path + ".") for entry in chosen)


def _loop(count: int) -> str:
    body = "".join(f"        h{i} = torch.relu(h{i - 1}) * 2 + x\n" for i in range(1, count))
    return (
        "import torch\n\ndef train(model, loader, optimizer):\n    total = 0\n    for x, y in loader:\n        h0 = model(x)\n"
        + body
        + f"        loss = (h{count - 1} - y).pow(2).mean()\n        total = total + loss\n"
        + "        loss.backward()\n        optimizer.step()\n"
    )


def _walks(monkeypatch, source: str) -> int:
    """How many statements ``usage_scans`` walks to tell what they bind, linting ``source``."""
    walked = []
    real = usage_scans.walk
    monkeypatch.setattr(usage_scans, "walk", lambda node, prune=(): walked.append(node) or real(node, prune))
    findings(source)
    monkeypatch.setattr(usage_scans, "walk", real)
    return len(walked)


def test_a_loop_body_twice_as_long_walks_its_statements_about_twice_as_often(monkeypatch):
    # each binding in the loop is proven against the statements after it: asked n * n / 2 times, walking
    # each statement each time, before the names a statement binds were kept
    short, long = _walks(monkeypatch, _loop(150)), _walks(monkeypatch, _loop(300))
    assert long <= 2.2 * short


def test_the_findings_of_a_long_loop_body_stay_those_of_a_short_one():
    # the graph of every iteration kept in `total` (GRD502), gradients never cleared (GRD501)
    for count in (3, 200):
        source = _loop(count)
        found = {(code, source.splitlines()[line - 1].strip()) for line, code in findings(source)}
        assert found == {("GRD502", "total = total + loss"), ("GRD501", "optimizer.step()")}


def test_a_block_is_indexed_once_however_many_bindings_ask(monkeypatch):
    from gradlint.analysis import block_index

    statements = cst.parse_module(textwrap.dedent(BLOCK)).body
    built = []
    real = block_index._Index
    monkeypatch.setattr(block_index, "_Index", lambda block: built.append(block) or real(block))
    for index in range(len(statements)):
        assert assignments_until_rebound(statements, index, "loss", {"loss2"}) == _reference(statements, index, "loss", {"loss2"})
    assert built == [statements]
