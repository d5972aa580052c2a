"""The JSON/SARIF edit of a multi-line fix (GRD201 wraps the line in `with torch.no_grad():`)
comes from the statement that holds it: the same edit as rewriting the whole module, without a
whole-module rewrite per finding (which made a file of 500 such functions run out of time)."""

import libcst
import pytest

import gradlint.fixer as fixer
from gradlint import edits
from gradlint.engine import collect, lint_text
from gradlint.positions import Positions
from gradlint.rules import ALL_RULES as RULES

LEAF = "w = torch.randn(3, requires_grad=True)"

SHAPES = {
    "function": f"import torch\n\n\ndef f():\n    {LEAF}\n    w += 1\n    return w\n",
    "method_in_class": (
        "import torch\n\n\nclass A:\n    x = 1\n\n    def f(self):\n        # a comment\n\n"
        f"        {LEAF}\n        w += 1\n        return w\n\n    def g(self):\n        return 2\n"
    ),
    "elif_else": (
        f"import torch\n\n\ndef f(a):\n    {LEAF}\n    if a:\n        pass\n    elif a > 1:\n"
        "        w += 1\n    else:\n        w *= 2\n    return w\n"
    ),
    "try_except_finally": (
        f"import torch\n\n\ndef f():\n    {LEAF}\n    try:\n        w += 1\n    except ValueError:\n"
        "        w -= 1\n    finally:\n        w.mul_(2)\n    return w\n"
    ),
    "tabs": f"import torch\n\n\ndef f():\n\t{LEAF}\n\tfor i in range(2):\n\t\tw += 1\n\treturn w\n",
    "odd_indents": f"import torch\n\n\ndef f():\n   {LEAF}\n   while True:\n     w += 1\n     break\n",
    "crlf": f"import torch\r\n\r\n\r\ndef f():\r\n    {LEAF}\r\n    w += 1\r\n    return w\r\n",
    "unused_noqa": "import torch\n\n\ndef f():\n    # noqa: GRD201\n    x = 1  # noqa: GRD301\n    return x\n",
    "nested_functions": (
        f"import torch\n\n\ndef outer():\n    def inner():\n        {LEAF}\n        with open('x') as h:\n"
        "            w += 1\n        return w\n    return inner\n"
    ),
    "module_level": f"import torch\n{LEAF}\nw += 1\nprint(w)\n",
    "last_line_without_newline": f"import torch\n\n\ndef f():\n    {LEAF}\n    w += 1",
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_multi_line_fix_edits_equal_the_whole_module_edit(name):
    text = SHAPES[name]
    module = libcst.parse_module(text)
    raw, _ = collect(module, RULES, "", text, None)
    fixes = [fix for _, _, _, fix in raw if fix is not None]
    assert fixes, name
    positions = Positions(module)
    for fix in fixes:
        got = edits.fix_edits(module, text, fix, positions)
        assert got == edits.fix_edits(module, text, fix), name
        assert got and edits.apply_edits(text, got) == module.visit(fixer._Replace(fix.old, fix.new)).code


def test_multi_line_fix_edits_cost_no_whole_module_rewrite(monkeypatch):
    rewrites = []
    real = libcst.Module.visit

    def counting(self, visitor):
        if isinstance(visitor, fixer._Replace):
            rewrites.append(1)
        return real(self, visitor)

    monkeypatch.setattr(libcst.Module, "visit", counting)
    # each function: a wrapped in-place update, and an unused `# noqa` on a line of its own (removed)
    source = "import torch\n" + "".join(
        f"\n\ndef f{i}():\n    # noqa: GRD301\n    {LEAF}\n    w += 1\n    return w\n" for i in range(200)
    )
    findings = lint_text(source, "many.py", RULES)
    wrapped = [f for f in findings if f.code == "GRD201" and f.edits and "no_grad" in f.edits[0][4]]
    assert len(wrapped) == 200
    assert len([f for f in findings if f.code == "GRD100" and f.edits]) == 200
    assert rewrites == []
