"""Shortcuts of the analysis (session 30) that must answer exactly what the longer way answers.

* text searches without the anchor at their head (``word_starts``): a pattern led by ``\\b`` or by a
  multiline ``^`` is tried at every position of a text; the callers' training-call check, the blocks of
  ``training_names``, ``holds_methods``, the defined functions and methods, the import-statement scans,
  and the whole-word counts of imported names answer as the anchored patterns do;
* ``loop_closures``: a module that declares no ``nonlocal`` or ``global`` name has no closure that
  carries one, and its loops are not walked; a function that declares none is not looked up at all;
* ``global_stores``: a function that fills no module-level name has its bindings left unasked;
* ``module_digests._precheck_marks``: each rule string searched once;
* ``scans.scanned_text``: a scan asked again of the same text object, under the same store.
"""

import random
import re
import textwrap

import libcst as cst
import pytest

from gradlint.analysis import callers, global_stores, loop_closures, method_aliases, module_digests, module_files, project, scans, word_starts
from snippets import findings

TRAINING_TEXTS = [
    "",
    "x = 1\n",
    "loss.backward()\n",
    "opt.step()\n",
    "model.zero_grad()\n",
    "model.eval()\n",
    "model.eval(mode)\n",
    "t.numpy()\n",
    "plt.plot(xs)\n",
    "torch.tensor(xs)\n",
    "x = torch.Tensor(3)\n",
    "mytorch.tensor(xs)\n",
    "_torch.tensor(xs)\n",
    "torch.tensors(xs)\n",
    "np.stack(xs)\n",
    "numpy.array(xs)\n",
    "xnp.stack(xs)\n",
    "xnp.np.stack(xs)\n",
    "xnumpy.numpy.a(1)\n",
    "np.random.rand(3)\n",
    "np.stack (xs)\n",
    "np.(x)\n",
    "énp.stack(xs)\n",
    "·np.stack(xs)\n",
    "٣np.stack(xs)\n",
    "torch.as_tensor(x)",
    "(torch.DoubleTensor(x))",
    "anumpy.np.x(",
]


@pytest.mark.parametrize("text", TRAINING_TEXTS)
def test_the_training_call_check_answers_as_the_pattern(text):
    assert callers._calls_for_training(text) == (callers._TRAINING_CALL.search(text) is not None)


def test_the_training_call_check_answers_as_the_pattern_on_random_texts():
    pieces = ["np", "numpy", "torch", "tensor", "Tensor", ".", "(", ")", "x", "_", " ", "é", "\n", "step", "eval", "#"]
    rng = random.Random(30)
    checked = set()
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        checked.add(callers._calls_for_training(text))
        assert callers._calls_for_training(text) == (callers._TRAINING_CALL.search(text) is not None), text
    assert checked == {True, False}  # both answers were exercised


CLOSURE_RUN_PER_ITERATION = """\
def fit(loader, optimizer, model):
    total = 0

    for x in loader:
        def closure():
            {declare}
            loss = model(x).sum()
            loss.backward()
            total += loss
            return loss

        optimizer.step(closure)
    return total
"""


def _module(declare: str) -> cst.Module:
    return cst.parse_module(textwrap.dedent(CLOSURE_RUN_PER_ITERATION).format(declare=declare))


def _closure(module: cst.Module) -> cst.FunctionDef:
    return next(node for node in loop_closures.walk(module) if type(node) is cst.FunctionDef and node.name.value == "closure")


@pytest.mark.parametrize("declare", ["nonlocal total", "global total"])
def test_a_closure_that_declares_the_name_carries_it(declare):
    module = _module(declare)
    assert loop_closures.closures_per_iteration(module) == {id(_closure(module)): frozenset({"total"})}


def test_a_module_declaring_no_name_has_no_carrying_closure_and_its_loops_are_not_walked(monkeypatch):
    module = _module("pass")
    walks = []
    real_walk = loop_closures.walk

    def counting_walk(root, prune=()):
        walks.append(root)
        return real_walk(root, prune)

    monkeypatch.setattr(loop_closures, "walk", counting_walk)
    assert loop_closures.closures_per_iteration(module) == {}
    assert walks == [module]  # one walk of the module; before, every scope and loop was walked again


def test_the_carried_closure_total_is_still_reported_and_the_undeclared_one_is_not():
    source = """\
        import torch

        def fit(loader, optimizer, model):
            total = 0
            for x, y in loader:
                def closure():
                    nonlocal total
                    loss = torch.nn.functional.mse_loss(model(x), y)
                    loss.backward()
                    total += loss
                    return loss
                optimizer.step(closure)
            return total
        """
    assert [code for _, code in findings(source, "GRD502")] == ["GRD502"]
    assert findings(source.replace("nonlocal total", "pass"), "GRD502") == []


WORD_PIECES = ["self.a = self.b", "np.a(", "torch.tensor(", "self", ".", "a", "b_", " ", "\t", "=", "#", "if", "\n", "x", "é", "·", "٣", "torch", "np", "(", "tensor"]
WORD_PATTERNS = [r"self\.\w+[ \t]*=[ \t]*self\.\w+[ \t]*(?:$|#|if\b)", r"(?:np|numpy)\.\w+\(", r"torch\.(?:tensor|Tensor)\(", r"a\w*"]


@pytest.mark.parametrize("pattern", WORD_PATTERNS)
def test_a_search_at_word_starts_answers_as_the_pattern_led_by_a_word_boundary(pattern):
    plain, bounded = re.compile(pattern, re.M), re.compile(r"\b" + pattern, re.M)
    rng = random.Random(pattern)
    answers = set()
    for _ in range(2000):
        text = "".join(rng.choice(WORD_PIECES) for _ in range(rng.randint(0, 14)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        expected = bounded.search(text, start, end) is not None
        answers.add(expected)
        assert word_starts.found_at_word_start(plain, text, start, end) == expected, (text, start, end)
    assert answers == {True, False}


def test_a_match_hidden_inside_a_word_does_not_hide_a_later_one():
    assert word_starts.found_at_word_start(re.compile(r"ab\w*\("), "xab(ab(")
    assert not word_starts.found_at_word_start(re.compile(r"ab\w*\("), "xab(yab(")


MODULE_WITH_TRAINING = """\
import torch
import numpy as np


def train(model, loader, opt):
    for x in loader:
        model(x).sum().backward()
        opt.step()


class Metrics:
    def add(self, losses):
        return np.mean(losses)


def plain(x):
    return x + 1


def packs(xs):
    return torch.tensor(xs)


def hidden(xs):
    return mytorch.tensor(xs), _np.mean(xs)
"""


def test_training_names_are_the_blocks_the_pattern_finds_a_call_in():
    def by_pattern(text):  # session 29's way: the pattern searched in each top-level block
        starts = list(callers._TOP_LEVEL_BLOCK.finditer(text))
        names = set()
        for index, match in enumerate(starts):
            end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
            if match.group(1) is not None and callers._TRAINING_CALL.search(text, match.end(), end):
                names.add(match.group(1))
        return sorted(names)

    assert callers.training_names(MODULE_WITH_TRAINING) == ["Metrics", "packs", "train"]
    assert callers.training_names(MODULE_WITH_TRAINING) == by_pattern(MODULE_WITH_TRAINING)


@pytest.mark.parametrize(
    "text, holds",
    [
        ("self.search = self.greedy_search\n", True),
        ("    self.f = self.g  # alias\n", True),
        ("    self.f = self.g if x else None\n", True),
        ("    myself.f = self.g\n", False),
        ("    myself.f = self.g\n    self.h = self.k\n", True),
        ("    self.f = self.g.h\n", False),
        ("    self.f = self.g(x)\n", False),
        ("", True),
    ],
)
def test_holding_a_method_in_a_field_is_found_as_before(text, holds):
    assert method_aliases.holds_methods(text) is holds
    assert holds == (not text or re.search(r"(?m)\bself\.\w+[ \t]*=[ \t]*self\.\w+[ \t]*(?:$|#|if\b)", text) is not None)


GLOBAL_FILLERS = """\
history = []
table = {}
size = 3


def record(loss):
    history.append(loss)


def store(key, value):
    table[key] = value


def shadowed(history):
    history.append(1)


def local():
    items = []
    items.append(2)
    return items


def plain(x):
    return x * size
"""


def test_global_fillers_are_found_and_only_functions_that_fill_a_module_level_name_have_their_bindings_looked_up(monkeypatch):
    module = cst.parse_module(GLOBAL_FILLERS)
    functions = global_stores.defined_functions(module)
    asked = []
    real_facts = global_stores.function_facts

    def counting_facts(function):
        asked.append(function.name.value)
        return real_facts(function)

    monkeypatch.setattr(global_stores, "function_facts", counting_facts)
    found = global_stores.global_fillers(module, functions)
    assert {path: [f.name.value for f in fs] for path, fs in found.items()} == {"history": ["record"], "table": ["store"]}
    assert sorted(asked) == ["record", "shadowed", "store"]  # not `local` (its list is its own) nor `plain`


DECLARING = """\
def top():
    global g


def in_blocks(x):
    if x:
        for i in x:
            with open(i) as f:
                try:
                    pass
                except OSError:
                    while True: nonlocal_total = 1; global h
    return x


def in_a_nested_def_only():
    def inner():
        nonlocal value
    class Inner:
        global other
    return lambda: 0


def none(x):
    return [y for y in x if y]


def one_line(): global z
"""


def test_a_function_declares_outer_names_as_a_walk_of_its_own_body_finds():
    module = cst.parse_module(DECLARING)
    functions = [node for node in loop_closures.walk(module) if type(node) is cst.FunctionDef]
    by_walk = {
        function.name.value: any(
            type(node) in (cst.Nonlocal, cst.Global) for node in loop_closures.walk(function.body, prune=loop_closures._SCOPES)
        )
        for function in functions
    }
    assert {f.name.value: loop_closures.declares_outer_names(f) for f in functions} == by_walk
    assert {name for name, declares in by_walk.items() if declares} == {"top", "in_blocks", "inner", "one_line"}


LINE_PIECES = ["def f", "def g(", "  ", "\t", "async ", "\n", "x", "class C:", " ", "\r\n", "#", "def\n", "é"]


@pytest.mark.parametrize(
    "multiline, pair",
    [(r"^(?:async\s+)?def\s+(\w+)", project._TOP_LEVEL_DEF), (r"^[ \t]+(?:async\s+)?def\s+(\w+)", project._INDENTED_DEF)],
)
def test_names_at_line_starts_are_those_the_multiline_pattern_finds(multiline, pair):
    pattern = re.compile(multiline, re.M)
    rng = random.Random(multiline)
    sizes = set()
    texts = ["def f(): pass\n", "  def\n  def f", "def\ndef g", "\tasync  def\n\tdef h(", "class C:\n    def m(self):\n        pass\n"]
    texts += ["".join(rng.choice(LINE_PIECES) for _ in range(rng.randint(0, 14))) for _ in range(3000)]
    for text in texts:
        expected = pattern.findall(text)
        sizes.add(min(len(expected), 2))
        assert word_starts.found_at_line_starts(*pair, text) == expected, text
    assert sizes == {0, 1, 2}


def test_defined_functions_and_methods():
    text = "def a():\n    def b():\n        pass\nasync def c():\n    pass\nclass D:\n    async def e(self):\n        pass\n"
    assert project.defined_functions(text) == {"a", "c"}
    assert project.defined_methods(text) == {"b", "e"}


@pytest.mark.parametrize(
    "text",
    ["", "x = 1\n", "loss.backward()\nopt.step()\n", "p.requires_grad = False\nfor p in m.parameters(): pass\n", "w.grad.zero_()\n"],
)
def test_the_precheck_marks_are_each_rules_strings_found_and_the_codes_of_rules_with_their_own_check(text):
    from gradlint.rule import Rule
    from gradlint.rules import ALL_RULES

    expected = set()
    for rule in ALL_RULES:  # rule by rule, as before the strings were searched once each
        if getattr(rule.may_fire, "__func__", None) is Rule.may_fire.__func__:
            expected.update(needed for group in rule.requires for needed in group if needed in text)
        elif rule.may_fire(text):
            expected.add(rule.code)
    assert module_digests._precheck_marks(text) == expected


IMPORT_PIECES = ["import x", "from . import (a,\n b)", "from .m import y as z", "  ", "\t", "\n", "#", ";", "import", "from", " ", "x.y", "("]


@pytest.mark.parametrize(
    "multiline, pair, as_bytes",
    [
        (r"^[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)", module_files._IMPORT_FROM_TEXT, False),
        (r"^[ \t]*import[ \t]+([^\n#;]*)", module_files._IMPORT_TEXT, False),
        (r"^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+)?import[ \t]+(\([^)]*\)|[^\n#;]*)", callers._IMPORT_LINE, True),
        (r"^[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)", project._IMPORT_FROM, True),
    ],
)
def test_import_statements_are_those_the_multiline_patterns_find(multiline, pair, as_bytes):
    pattern = re.compile(multiline.encode() if as_bytes else multiline, re.M)
    rng = random.Random(multiline)
    sizes = set()
    texts = ["import a\nfrom b import c\n", "from . import (a,\n  b)\nimport d", "x = 1\n  import y  # z\n"]
    texts += ["".join(rng.choice(IMPORT_PIECES) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for text in texts:
        text = text.encode() if as_bytes else text
        expected = pattern.findall(text)
        sizes.add(min(len(expected), 2))
        assert word_starts.found_at_line_starts(*pair, text) == expected, text
    assert sizes == {0, 1, 2}


def test_a_text_scan_asked_again_of_the_same_text_is_answered_at_once_but_not_across_stores(tmp_path):
    text = "class A:\n    def a(self):\n        pass\n"
    calls = []

    def scan(seen):
        calls.append(seen)
        return frozenset({"x"})

    name = "test_scanned_text\0" + str(tmp_path)
    assert scans.scanned_text(name, text, scan) == {"x"}
    assert scans.scanned_text(name, text, scan) == {"x"}
    assert len(calls) == 1  # the same text object: answered again at once
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        with scans.scan_store(str(tmp_path / folder), "salt"):
            assert scans.scanned_text(name, text, scan) == {"x"}
            assert scans.scanned_text(name, text, scan) == {"x"}
            key = scans._key(name, text.encode())
            assert scans._STORE[0].get(key) == ["x"]  # each store holds the entry
    another = text.replace("a", "b")
    assert scans.scanned_text(name, another, lambda seen: frozenset({seen[:5]})) == {"clbss"}  # another text: scanned


def test_whole_words_are_counted_as_the_runs_of_word_characters_are():
    pieces = ["a", "ab", "b", "_", " ", ".", "é", "·", "٣", "(", "\n", "a.b"]
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        runs = re.findall(r"\w+", text)
        for word in ("a", "ab", "b", "é", "a.b", "", "a b", "٣"):
            expected = runs.count(word)
            assert word_starts.whole_word_count(text, word) == expected, (text, word)
            assert word_starts.whole_word_count(text, word, most=2) == min(expected, 2), (text, word)
