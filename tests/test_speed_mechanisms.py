"""Speed-ups that must not change any finding: each does less work for the same answer."""

import ast
import gc
import re
from pathlib import Path

import pytest

from gradlint.analysis import imports, parsed
from gradlint.limits import nesting_beyond, nesting_depth
from gradlint.rules import ALL_RULES
from gradlint.rules.grd402_misspelled_requires_grad import MisspelledRequiresGrad
from gradlint.runner import lint_file

ROOT = Path(__file__).resolve().parent.parent
OWN_SOURCES = sorted((ROOT / "gradlint").rglob("*.py"))
DEFAULT = [rule for rule in ALL_RULES if rule.default_enabled()]

#: shapes that nest one level (or more) per character, and positions CPython gets wrong (f-strings)
DEEP = [
    "x = " + "-" * 300 + "y\n",
    "f(" * 90 + ")" * 90 + "\n",
    "@" + "g(" * 80 + ")" * 80 + "\ndef f(): pass\n",  # the decorator is above the def's first line
    "x = f'{" + "a+" * 100 + "b}'\n",
    "x = f'''{\n" + "a+" * 100 + "b}'''\n",
    "x = " + "[" * 90 + "]" * 90,
    "x = a " + " or a" * 300,
    "x = f" + "()" * 100,
    "x = a" + "[0]" * 300,
    "x = 1\ry = " + "not " * 200 + "z\r\n",
    "class A(" + "B(" * 70 + ")" * 70 + "):\n pass\n",
]


@pytest.mark.parametrize("text", DEEP + [path.read_text(encoding="utf-8") for path in OWN_SOURCES[:40]])
def test_nesting_beyond_agrees_with_the_full_walk_at_every_limit(text):
    tree = ast.parse(text)
    depth = nesting_depth(tree)
    for limit in range(1, depth + 2):
        assert nesting_beyond(tree, text, limit) == (depth if depth > limit else 0), limit


def test_nesting_beyond_skips_most_of_an_ordinary_file(monkeypatch):
    text = (ROOT / "gradlint" / "analysis" / "calls.py").read_text(encoding="utf-8")
    tree = ast.parse(text)
    visited = []
    real = ast.iter_child_nodes
    monkeypatch.setattr(ast, "iter_child_nodes", lambda node: (visited.append(node), real(node))[1])
    nesting_depth(tree)
    full = len(visited)
    visited.clear()
    assert nesting_beyond(tree, text) == 0
    assert len(visited) * 20 < full


@pytest.mark.parametrize(
    "text", ["import re\nx = 1\n", "requires_grad", "x.ReQuIrEs_grad = 1", "\u212aGRAD", "\u0130requ", "G\u0391RD", ""]
)
def test_misspelling_precheck_answers_as_lowering_the_text_does(text):
    lowered = text.lower()
    assert MisspelledRequiresGrad.may_fire(text) == any(p in lowered for p in ("requ", "reqi", "grad", "gard"))


@pytest.mark.parametrize("path", OWN_SOURCES[:30])
def test_word_count_counts_what_a_word_bounded_search_finds(path):
    text = path.read_text(encoding="utf-8")
    words = set(re.findall(r"\w+", text[:3000])) | {"self", "x", "é", "naïve", "_", "absent_name"}
    for word in words:
        assert imports.word_count(text, word) == len(re.findall(r"\b%s\b" % re.escape(word), text)), word


def test_word_count_stops_at_most():
    text = "from m import a, b, c\n" + "a(b(c))\n" * 50 + "naïve = a\n"
    assert [imports.word_count(text, name) for name in ("a", "b", "c", "d", "naïve")] == [52, 51, 51, 0, 1]
    assert [imports.word_count(text, name, most=2) for name in ("a", "b", "c", "d", "naïve")] == [2, 2, 2, 0, 1]


def _a_torch_file(tmp_path):
    path = tmp_path / "train.py"
    path.write_text("import torch\nw = torch.zeros(3, requires_grad=True)\nw += 1\n", encoding="utf-8")
    return str(path)


def test_the_runner_sets_the_linted_tree_aside_from_the_cycle_collector(tmp_path):
    path = _a_torch_file(tmp_path)
    parsed.forget_trees()
    gc.collect()
    gc.unfreeze()
    try:
        freezes = []
        real = gc.freeze
        gc_freeze = lambda: (freezes.append(gc.get_count()), real())  # noqa: E731
        try:
            gc.freeze = gc_freeze
            findings = lint_file(path, DEFAULT)
        finally:
            gc.freeze = real
        assert [f.code for f in findings] == ["GRD201"]
        # once right after the parse, once when the file is done (see runner._settle_memory)
        assert len(freezes) == 2
    finally:
        gc.unfreeze()


def test_a_worker_collects_what_a_file_left_behind_before_its_next_file_not_after_its_last(tmp_path, monkeypatch):
    # the collection after a worker's last file would only delay the end of the run (an edit re-linting one file)
    from gradlint import runner

    first = _a_torch_file(tmp_path)
    second = tmp_path / "other.py"
    second.write_text(Path(first).read_text(encoding="utf-8"), encoding="utf-8")
    events = []

    class Connection:
        queue = [first, str(second), None]

        def recv(self):
            return self.queue.pop(0)

        def send(self, message):
            events.append([f.code for f in message[0]])

    class NoThread:
        def __init__(self, **kwargs):
            pass

        def start(self):
            pass

    monkeypatch.setattr(runner, "_settle_memory", lambda: events.append("collect"))
    monkeypatch.setattr(runner, "_SETTLE_LATER", [False, False])
    monkeypatch.setattr(runner, "_limit_cpu", lambda seconds: None)
    monkeypatch.setattr(runner.signal, "signal", lambda *args: None)
    monkeypatch.setattr(runner.threading, "Thread", NoThread)
    monkeypatch.setattr(runner.gc, "freeze", lambda: None)
    codes = tuple(rule.code for rule in DEFAULT)
    runner._serve(Connection(), (codes, None, runner.Limits(file_timeout=None, max_memory=None)))
    assert events == [["GRD201"], "collect", ["GRD201"]]


def test_a_tree_is_set_aside_only_right_after_a_collection():
    calls = []
    real = gc.freeze
    try:
        gc.freeze = lambda: calls.append(1)
        parsed.set_aside(None)  # outside the runner: the caller's garbage may be young
        with parsed.settled():
            parsed.set_aside(None)
            parsed.set_aside(None)  # a second tree in the same file: the analysis has run since
    finally:
        gc.freeze = real
    assert calls == [1]


REGISTRY = "_models = {}\n\n\ndef register(name):\n    return _models.setdefault(name, name)\n"
USER = "import torch\nfrom registry import register\n\nregister('net')\nw = torch.zeros(3, requires_grad=True)\nw += 1\n"


def _project(tmp_path, registry=REGISTRY):
    (tmp_path / "registry.py").write_text(registry, encoding="utf-8")
    (tmp_path / "user.py").write_text(USER, encoding="utf-8")
    return str(tmp_path / "user.py")


def test_an_importer_does_not_depend_on_the_text_of_a_module_that_defines_nothing(tmp_path):
    from gradlint.analysis.module_digests import dependency_digest, module_digest
    from gradlint.analysis.project import forget_projects

    user = _project(tmp_path)
    first = dependency_digest(user, USER)
    forget_projects()
    _project(tmp_path, REGISTRY + "\n# a comment, and a new helper\ndef names():\n    return sorted(_models)\n")
    assert dependency_digest(user, USER) == first
    # what the importer's findings do depend on: a rule's precheck text (in its key), a module that may
    # define a model (in its cache entry, when its analysis reads the module: ``project.key_digest``)
    forget_projects()
    _project(tmp_path, REGISTRY + "FLAG = 'requires_grad'\n")
    assert dependency_digest(user, USER) != first
    registry = str(tmp_path / "registry.py")
    forget_projects()
    _project(tmp_path)
    read = module_digest(registry)
    forget_projects()
    _project(tmp_path, "import torch\n" + REGISTRY)
    assert dependency_digest(user, USER) == first and module_digest(registry) != read


def test_editing_a_module_that_defines_nothing_re_lints_only_itself(tmp_path, monkeypatch):
    from gradlint import runner

    user = _project(tmp_path)
    registry = str(tmp_path / "registry.py")
    cache = str(tmp_path / "cache")
    first = runner.lint_files([user, registry], DEFAULT, jobs=1, cache_dir=cache)
    assert [(f.path, f.code) for f in first] == [(user, "GRD201")]
    linted = []
    real = runner.lint_bytes
    monkeypatch.setattr(runner, "_fork_context", lambda: None)  # linted in this process, to be counted
    monkeypatch.setattr(runner, "lint_bytes", lambda data, path, rules: (linted.append(path), real(data, path, rules))[1])
    _project(tmp_path, REGISTRY + "\n# edited\n")
    assert runner.lint_files([user, registry], DEFAULT, jobs=1, cache_dir=cache) == first
    assert linted == [registry]
    _project(tmp_path, "import torch\n" + REGISTRY)
    linted.clear()
    assert runner.lint_files([user, registry], DEFAULT, jobs=1, cache_dir=cache) == first
    assert sorted(linted) == sorted([user, registry])


def _package_in_two_folders(tmp_path):
    from test_same_findings_whatever_the_run import write

    return write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/train.py": """\
                def train(model, loader, updater):
                    for x in loader:
                        loss = model(x).sum()
                        loss.backward()
                        updater.step()
                """,
            "pkg/sub/__init__.py": "",
            "pkg/sub/a.py": "import torch\n\ndef f():\n    pass\n\nw = torch.zeros(3, requires_grad=True)\nw += 1\n",
        },
    )


def test_a_batch_run_lists_a_package_once_for_all_its_folders(tmp_path, monkeypatch):
    from gradlint import runner
    from gradlint.analysis import project

    paths = _package_in_two_folders(tmp_path)
    listings = []
    real = project._python_files
    monkeypatch.setattr(project, "_python_files", lambda root: (listings.append(root), real(root))[1])
    monkeypatch.setattr(runner, "_fork_context", lambda: None)  # linted in this process, to be counted
    findings = runner.lint_files(sorted(paths.values()), DEFAULT, jobs=1)
    assert [(f.path, f.code) for f in findings] == [(paths["pkg/sub/a.py"], "GRD201")]
    assert listings == [str(tmp_path / "pkg")]


def test_the_next_batch_run_lists_the_files_again(tmp_path, monkeypatch):
    from gradlint import runner

    trainer = _package_in_two_folders(tmp_path)["pkg/train.py"]
    monkeypatch.setattr(runner, "_fork_context", lambda: None)  # this process keeps what it listed
    assert runner.lint_files([trainer], DEFAULT, jobs=1) == []
    # a new caller passes an optimizer: train()'s loop never clears its gradients
    (tmp_path / "pkg" / "sub" / "main.py").write_text(
        "import torch\nfrom pkg.train import train\n\nm = torch.nn.Linear(4, 2)\n"
        "train(m, [torch.randn(1, 4)], torch.optim.SGD(m.parameters(), lr=0.1))\n"
    )
    assert [(f.line, f.code) for f in runner.lint_files([trainer], DEFAULT, jobs=1)] == [(5, "GRD501")]


def _functions(path):
    import libcst as cst

    from gradlint.analysis.syntax import walk

    return [node for node in walk(cst.parse_module(path.read_text(encoding="utf-8"))) if type(node).__name__ == "FunctionDef"]


@pytest.mark.parametrize("path", OWN_SOURCES[::6])
def test_own_nodes_lists_what_the_pruned_walk_of_the_body_yields(path):
    from gradlint.analysis import syntax

    for function in _functions(path):
        own = syntax.own_nodes(function)
        expected: dict = {}
        for node in syntax.walk(function.body, syntax._NESTED_SCOPES):
            if type(node) in syntax._OWN_TYPES:
                expected.setdefault(type(node), []).append(node)
        assert own.by_type == expected, function.name.value
        everything = {id(node) for node in syntax.walk(function.body)}
        pruned = everything - {id(node) for node in syntax.walk(function.body, syntax._NESTED_SCOPES)}
        under_nested = {id(node) for scope in own.nested for node in syntax.walk(scope)}
        assert under_nested == pruned, function.name.value


def test_the_questions_about_a_body_walk_it_once(monkeypatch):
    """Facts, optimizers, scalers, assigned fields, returns and callees of a function: one walk of its body."""
    import libcst as cst

    from gradlint.analysis import field_stores, prescan, syntax, usage_scans
    from gradlint.analysis.arguments import returned_arguments

    module = cst.parse_module(
        "def fit(model, opt, scaler, loader):\n"
        "    for x, y in loader:\n"
        "        opt.zero_grad()\n"
        "        self.loss = loss = model(x).sum()\n"
        "        scaler.scale(loss).backward()\n"
        "        scaler.step(opt)\n"
        "        scaler.update()\n"
        "        opt.step()\n"
        "    return model\n"
    )
    function = module.body[0]
    visits = []

    class Counted(dict):
        # the walks read a node type's fields from this cache once per node visited
        def get(self, node_type, default=None):
            visits.append(node_type)
            return super().get(node_type, default)

    monkeypatch.setattr(syntax, "_FIELD_CACHE", Counted(syntax._FIELD_CACHE))
    once = len(list(syntax.walk(function.body, syntax._NESTED_SCOPES)))
    parameters = len(list(syntax.walk(function.params)))  # function_facts reads them too
    visits.clear()  # every type of the tree is cached now: one look-up per node visited
    assert syntax.function_facts(function).rebound == {"x", "y", "loss"}
    assert usage_scans.optimizer_names_by_use(function) == {"opt"}
    assert usage_scans.scaler_names(function) == {"scaler"}
    assert field_stores.self_assignments(function) == {"loss"}
    assert prescan.called_names(function) >= {".zero_grad", "model", ".backward", ".step", ".update"}
    call = cst.parse_expression("fit(m, o, s, l)")
    assert returned_arguments(call, function) == {None: "m"}
    assert len(visits) == once + parameters


@pytest.mark.parametrize("path", OWN_SOURCES[:20])
def test_rules_for_selects_the_rules_whose_precheck_passes(path):
    from gradlint.engine import rules_for

    text = path.read_text(encoding="utf-8")
    for cut in (text, text[: len(text) // 3], "import torch\n", ""):
        assert rules_for(cut, ALL_RULES) == [rule for rule in ALL_RULES if rule.may_fire(cut)]


def _reference_walk(root, prune=()):
    """``walk`` as it was written before its field lists were read from the cache inline."""
    import libcst as cst

    from gradlint.analysis.syntax import child_fields

    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        for name in child_fields(type(node)):
            child = getattr(node, name)
            children = child if isinstance(child, (tuple, list)) else [child]
            stack.extend(c for c in children if isinstance(c, cst.CSTNode) and not isinstance(c, prune))


@pytest.mark.parametrize("path", OWN_SOURCES[::9])
def test_the_walks_yield_what_the_field_by_field_walk_does(path):
    """``walk``, ``own_nodes`` and ``free_names_of`` read a type's child fields from the cache inline
    (a call per node less): the same nodes, in the same order, as the walk field by field."""
    import libcst as cst

    from gradlint.analysis import syntax

    module = cst.parse_module(path.read_text(encoding="utf-8"))
    assert list(syntax.walk(module)) == list(_reference_walk(module))
    for function in _functions(path)[:25]:
        pruned = list(_reference_walk(function.body, syntax._NESTED_SCOPES))
        assert list(syntax.walk(function.body, syntax._NESTED_SCOPES)) == pruned
        names = {node.value for node in _reference_walk(function) if type(node) is cst.Name}
        assert syntax.free_names_of(function) == names
        own = syntax._OWN.pop(id(function), None)  # listed again, not answered from the memo
        assert syntax.own_nodes(function).of(cst.Call) == [node for node in pruned if type(node) is cst.Call]
        if own is not None:
            syntax._OWN[id(function)] = own


def test_a_context_key_built_once_is_the_key_built_from_its_fields():
    """``Context.key`` is kept after its first use (a call compares its context with every context of
    its callee): it equals the key built afresh, and a context made from it by ``replace`` has its own."""
    from dataclasses import replace

    from gradlint.analysis.summaries import Context
    from gradlint.analysis.values import UNKNOWN, tensor

    context = Context({"y": tensor(True, False), "x": UNKNOWN}, True, None, (), ())
    first = context.key()
    assert context.key() is first
    assert first == (
        (("x", UNKNOWN), ("y", tensor(True, False))),
        True,
        None,
        (),
        (),
        frozenset(),
        None,
        frozenset(),
    )
    freed = replace(context, freed=frozenset({"y"}))
    assert freed.key() == first[:5] + (frozenset({"y"}),) + first[6:] and context.key() == first
    evaluating = replace(context, receiver_training=False)
    assert evaluating.key() == first[:6] + (False,) + first[7:] and context.key() == first
    fields_freed = replace(context, freed_fields=frozenset({"fake_B"}))
    assert fields_freed.key() == first[:7] + (frozenset({"fake_B"}),) and context.key() == first
    assert Context({"x": UNKNOWN, "y": tensor(True, False)}, True).key() == first
