"""Session 24's speed changes keep what the analysis computes: each test pins the facts a cheaper
computation replaced (the loop bindings of fixed flags, rule crashes, the look-ups rules share)."""

import textwrap

import libcst as cst

from gradlint.analysis.fixed_flags import _NESTED, _facts, _module_facts
from gradlint.analysis.syntax import target_names
from gradlint.analysis.syntax import walk
from gradlint.engine import lint_text
from gradlint.rule import Rule
from gradlint.rules import BY_CODE


def _bound_in_loops_by_walking_each_loop(scope, prune) -> frozenset:
    """The computation ``_bound_in_loops`` replaced: a walk of the whole scope, every loop met walked again."""
    found = set()
    for loop in walk(scope, prune):
        if type(loop) in (cst.For, cst.While):
            for node in walk(loop, prune):
                if type(node) is cst.Assign:
                    found.update(name for target in node.targets for name in target_names(target.target))
                elif type(node) in (cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr):
                    found.update(target_names(node.target))
                elif type(node) is cst.AsName:
                    found.update(target_names(node.name))
    return frozenset(found)


_LOOPS = textwrap.dedent(
    """
    import torch
    best = None
    for epoch in range(3):
        for i, (x, y) in enumerate(loader):
            loss = model(x)
            while loss > 1:
                loss -= 1
                k: int = 0
            else:
                ended = True
            with torch.no_grad() as nograd:
                total += [z for z in x]
        def inner():
            hidden = 1
            for q in x:
                deep = q
        if (n := 3):
            pass
    count = 0
    while count < 3:
        count += 1
        lam = lambda v: [w for w in v]
    outside = [u for u in range(3)]
    def train(args):
        step = 0
        for batch in args.data:
            step = step + 1
            class Local:
                field = 1
            def helper():
                for h in batch:
                    kept = h
        return step
    """
)


def test_loop_bindings_of_a_module_are_those_of_a_walk_of_each_loop():
    module = cst.parse_module(_LOOPS)
    found = _module_facts(module)[0][3]
    assert found == _bound_in_loops_by_walking_each_loop(module, ())
    # the bindings in a function nested in a loop count for a module: every scope may assign a global
    assert {"epoch", "i", "x", "y", "loss", "k", "ended", "nograd", "z", "hidden", "q", "deep", "n", "count"} <= found
    assert {"lam", "w", "batch", "step", "field", "h", "kept"} <= found
    assert not {"best", "outside", "u", "args"} & found


def test_loop_bindings_of_a_function_stop_at_its_nested_scopes():
    module = cst.parse_module(_LOOPS)
    train = next(node for node in module.body if isinstance(node, cst.FunctionDef) and node.name.value == "train")
    found = _facts(train)[3]
    assert found == _bound_in_loops_by_walking_each_loop(train.body, _NESTED)
    assert found == {"batch", "step"}


class _LooksUpTheCallee(Rule):
    """Asks for a method call's callee, which the walk of the call did not evaluate."""

    code = "GRD996"
    seen = []

    def on_call(self, node, ctx):
        if type(node.func) is cst.Attribute:
            _LooksUpTheCallee.seen.append((cst.Module([]).code_for_node(node.func), ctx.value(node.func).kind))


def test_the_hooks_of_one_call_share_their_look_ups_and_see_what_one_alone_sees():
    source = textwrap.dedent(
        """
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        x = torch.zeros(2)
        y = x.view(2).add(1)
        opt.zero_grad()
        """
    )
    _LooksUpTheCallee.seen.clear()
    lint_text(source, "x.py", [_LooksUpTheCallee])
    alone = list(_LooksUpTheCallee.seen)
    _LooksUpTheCallee.seen.clear()
    lint_text(source, "x.py", [_LooksUpTheCallee, BY_CODE["GRD201"], BY_CODE["GRD503"], BY_CODE["GRD101"]])
    assert _LooksUpTheCallee.seen == alone
    assert [code for code, _ in alone] == ["torch.optim.SGD", "torch.zeros", "x.view", "x.view(2).add", "opt.zero_grad"]


def test_a_function_calls_a_method_no_tensor_has_as_a_walk_of_its_body_tells():
    from gradlint.analysis.usage_scans import calls_non_tensor_method, own_calls_non_tensor_method

    module = cst.parse_module(
        textwrap.dedent(
            """
            def train(meter, loss, other):
                loss.mean().backward()
                meter.reset()
                other.sum()
                def inner():
                    other.eval_batch()
                f = lambda: loss.update(1)
                class Local:
                    def m(self):
                        loss.reset()
            """
        )
    )
    train = module.body[0]
    for name in ("meter", "loss", "other", "self", "nothing"):
        assert own_calls_non_tensor_method(train, name) == calls_non_tensor_method(train.body, name)
    assert own_calls_non_tensor_method(train, "meter") and not own_calls_non_tensor_method(train, "loss")
    assert not own_calls_non_tensor_method(train, "other")
class _CrashesOnCall(Rule):
    code = "GRD998"
    calls = []

    def on_call(self, node, ctx):
        raise ValueError("boom")

    def on_assign(self, target, ctx, value_node):
        _CrashesOnCall.calls.append("assign")


class _CrashesOnName(Rule):
    code = "GRD997"

    def on_name(self, node, ctx):
        raise KeyError("name")


def test_a_rule_that_crashed_is_not_called_again_in_the_file():
    _CrashesOnCall.calls.clear()
    source = "import torch\na = 1\nw = torch.zeros(2, requires_grad=True)\nw.add_(1)\nb = 2\n"
    findings = lint_text(source, "x.py", [_CrashesOnCall, BY_CODE["GRD201"]])
    assert [(f.code, f.line) for f in findings] == [("GRD002", 1), ("GRD201", 4)]
    # its on_assign ran for `a = 1`; not for `w = ...` nor `b = 2`: `torch.zeros(...)` crashed it first
    assert _CrashesOnCall.calls == ["assign"]


def test_a_crash_in_the_hook_on_names_is_reported_and_the_other_rules_run():
    source = "import torch\nw = torch.zeros(2, requires_grad=True)\nw.add_(1)\n"
    findings = lint_text(source, "x.py", [_CrashesOnName, BY_CODE["GRD201"]])
    assert [(f.code, f.line) for f in findings] == [("GRD002", 1), ("GRD201", 3)]
    assert "GRD997" in findings[0].message and "KeyError" in findings[0].message




def test_the_backward_proofs_of_a_file_skip_only_functions_without_a_backward():
    from gradlint.analysis import output_fields

    source = textwrap.dedent(
        """
        import torch
        out = model(x)
        out.loss.backward()
        def train(model, batch, criterion):
            outputs = model(batch)
            loss = criterion(outputs["logits"], batch)
            loss.backward()
            def closure():
                o = model(batch)
                o[0].mean().backward()
                return o
            helper = lambda: model(batch).aux.backward()
        class Trainer:
            def step(self, batch):
                result = self.model(batch)
                scaler.scale(result.total).backward()
            def log(self, out):
                print(out.loss)
        def evaluate(model, batch):
            return model(batch).logits
        """
    )
    module = cst.parse_module(source)

    def every_function_scanned():
        found = set()
        output_fields._scan_scope([s for s in module.body if not isinstance(s, output_fields._SCOPES)], found)
        for node in walk(module):
            if type(node) is cst.FunctionDef:
                output_fields._scan_scope([node.body], found)
        return found

    found = every_function_scanned()
    assert output_fields.proven_fields(module, source) == frozenset(f for f in found if not isinstance(f, tuple))
    assert output_fields.proven_callables(module, source) == frozenset(f[1] for f in found if isinstance(f, tuple))
    assert {"loss", "total", 0} <= output_fields.proven_fields(module, source)
    assert "criterion" in output_fields.proven_callables(module, source)


class _LooksUpNodesItBuilds(Rule):
    """Looks up a node it builds, drops it, then looks up another: the second may take the first's id."""

    code = "GRD995"
    seen = []

    def on_call(self, node, ctx):
        if ctx.value(node).kind != "optimizer":
            return
        built = cst.Name("w")
        _LooksUpNodesItBuilds.seen.append(ctx.value(built).kind)
        del built
        other = cst.Name("never_bound")
        _LooksUpNodesItBuilds.seen.append(ctx.value(other).kind)


def test_a_look_up_shared_by_the_handlers_of_a_hook_is_of_the_node_asked_not_of_its_id():
    _LooksUpNodesItBuilds.seen.clear()
    source = "import torch\nw = torch.zeros(2, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
    lint_text(source, "x.py", [_LooksUpNodesItBuilds, BY_CODE["GRD201"]])
    assert _LooksUpNodesItBuilds.seen == ["tensor", "unknown"]
