"""Cheaper questions to libcst, same answers: a parse of text CPython compiled skips node validation,
and hot code tests node types exactly instead of through libcst's abstract classes."""

import re
from pathlib import Path

import libcst as cst
import pytest

from gradlint.analysis import parsed
from gradlint.analysis.syntax import node_types, walk
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "gradlint" / "analysis").glob("*.py"))[:12] + sorted((ROOT / "examples").rglob("*.py"))[:12]
DEFAULT = [rule for rule in ALL_RULES if rule.default_enabled()]


class _Counting:
    """Counts the validations of libcst nodes (``Name._validate`` runs for every name parsed) while
    ``cst.parse_module`` runs (a fix builds nodes of its own, validated as they should be)."""

    def __init__(self, monkeypatch):
        self.count = 0
        self._parsing = False
        real_validate, real_parse = cst.Name._validate, cst.parse_module

        def counted(node):
            self.count += self._parsing
            return real_validate(node)

        def parse(*args, **kwargs):
            self._parsing = True
            try:
                return real_parse(*args, **kwargs)
            finally:
                self._parsing = False

        monkeypatch.setattr(cst.Name, "_validate", counted)
        monkeypatch.setattr(cst, "parse_module", parse)


def test_a_compiled_text_is_parsed_without_validating_its_nodes(monkeypatch):
    validations = _Counting(monkeypatch)
    parsed.parse("x = y + z\n", compiled=True)
    assert validations.count == 0
    parsed.parse("x = y + z\n")
    assert validations.count == 3


def test_validation_is_back_after_the_parse_however_it_ends():
    with pytest.raises(cst.ParserSyntaxError):
        parsed.parse("x = (\n", compiled=True)
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_the_unvalidated_tree_is_the_validated_one(path):
    text = path.read_text(encoding="utf-8")
    fast, checked = parsed.parse(text, compiled=True), cst.parse_module(text)
    assert fast.deep_equals(checked)
    assert fast.code == text


def test_the_lint_of_a_file_cpython_accepts_skips_validation(monkeypatch, tmp_path):
    path = tmp_path / "train.py"
    path.write_text("import torch\nw = torch.zeros(3, requires_grad=True)\nw += 1\n")
    validations = _Counting(monkeypatch)
    findings = lint_bytes(path.read_bytes(), str(path), DEFAULT)
    assert [f.code for f in findings] == ["GRD201"]
    assert validations.count == 0


def test_text_cpython_rejects_is_parsed_with_validation(monkeypatch, tmp_path):
    # libcst, not CPython, decides about syntax newer than the running Python: its checks stay on
    # (here Python 2's `except E, e:`, which libcst parses and CPython rejects)
    path = tmp_path / "bad.py"
    path.write_text("import torch\ntry:\n    x = torch.zeros(3)\nexcept Exception, e:\n    pass\n")
    validations = _Counting(monkeypatch)
    findings = lint_bytes(path.read_bytes(), str(path), DEFAULT)
    assert [f.code for f in findings] == ["GRD001"]
    assert validations.count > 0


def test_every_class_tested_by_exact_type_has_no_subclass():
    # `type(node) is cst.X` answers as isinstance only while libcst derives nothing from X
    sources = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "gradlint").rglob("*.py"))
    tested = set(re.findall(r"type\([^()]*\) (?:is|in) (?:not )?\(?cst\.(\w+)", sources))
    tested |= {name for group in re.findall(r"type\([^()]*\) (?:not )?in \(([^)]*)\)", sources) for name in re.findall(r"cst\.(\w+)", group)}
    assert {"Name", "Attribute", "Call"} <= tested
    assert [name for name in sorted(tested) if getattr(cst, name).__subclasses__()] == []


@pytest.mark.parametrize("base", [cst.BaseExpression, cst.BaseCompoundStatement, cst.BaseSmallStatement, cst.CSTNode])
def test_the_node_type_sets_answer_as_isinstance(base):
    nodes = list(walk(cst.parse_module((ROOT / "gradlint" / "analysis" / "calls.py").read_text(encoding="utf-8"))))
    types = node_types(base)
    assert {type(node) for node in nodes if isinstance(node, base)} == {type(node) for node in nodes if type(node) in types}
    assert all(issubclass(kind, base) for kind in types)


@pytest.mark.parametrize("path", SOURCES[:8], ids=lambda p: p.name)
def test_free_names_of_finds_the_names_the_walk_yields(path):
    from gradlint.analysis.syntax import free_names_of

    module = cst.parse_module(path.read_text(encoding="utf-8"))
    for node in walk(module):
        if type(node) in (cst.Module, cst.FunctionDef, cst.ClassDef, cst.Call, cst.Lambda):
            assert free_names_of(node) == {n.value for n in walk(node) if isinstance(n, cst.Name)}


def test_the_parse_builds_the_common_nodes_with_the_fast_constructors(monkeypatch):
    from gradlint.analysis.fast_nodes import swaps

    fitted = {cls for cls, _, _ in swaps()}
    assert {cst.Name, cst.Attribute, cst.Call, cst.Arg, cst.SimpleWhitespace, cst.Module} <= fitted
    seen = []
    own, real_parse = cst.Name.__init__, cst.parse_module

    def spy(*args, **kwargs):
        seen.append(cst.Name.__init__ is not own)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(cst, "parse_module", spy)
    parsed.parse("x = y\n", compiled=True)
    assert seen == [True]  # the fast constructors are on while the parser runs


def test_the_node_classes_get_their_own_constructors_back_however_the_parse_ends():
    from gradlint.analysis.fast_nodes import swaps

    own = {cls: cls.__dict__["__init__"] for cls, _, _ in swaps()}
    parsed.parse("x = y\n", compiled=True)
    with pytest.raises(cst.ParserSyntaxError):
        parsed.parse("x = (\n", compiled=True)
    assert all(cls.__dict__["__init__"] is init for cls, init in own.items())
    # a node built by a fix is still checked and keeps its defaults apart from other nodes'
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")
    first, second = cst.Call(func=cst.Name("f")), cst.Call(func=cst.Name("g"))
    assert first.args == () and second.whitespace_before_args.deep_equals(cst.SimpleWhitespace(""))


def test_fast_constructors_fill_defaults_and_factories_as_the_dataclass_would():
    from gradlint.analysis.fast_nodes import swaps

    for cls, own, fast in swaps():
        if cls is cst.Name:
            by_own, by_fast = object.__new__(cls), object.__new__(cls)
            own(by_own, "x")
            fast(by_fast, "x")
            assert by_own.deep_equals(by_fast) and by_fast.lpar == () and by_fast.rpar == ()
