"""The shared analysis: what it establishes about values, scopes and grad modes."""

import textwrap

import libcst as cst
import pytest

from gradlint.analysis import Analyzer
from gradlint.engine import lint_text
from gradlint.rule import Rule


class Probe(Rule):
    """Records the value of every ``probe(expr)`` call's argument."""

    code = "GRD900"

    def __init__(self):
        self.seen = []

    def on_call(self, node, ctx):
        if isinstance(node.func, cst.Name) and node.func.value == "probe":
            self.seen.append((ctx.value(node.args[0].value), ctx.grad_enabled))


def probe(source):
    rule = Probe()
    Analyzer([rule], lambda *args: None).run(cst.parse_module(textwrap.dedent(source)))
    return rule.seen


@pytest.mark.parametrize(
    "imports,expr",
    [
        ("import torch", "torch.nn.Parameter(torch.zeros(3))"),
        ("import torch as T", "T.nn.Parameter(T.zeros(3))"),
        ("import torch.nn as nn\nimport torch", "nn.Parameter(torch.zeros(3))"),
        ("from torch import nn, zeros", "nn.Parameter(zeros(3))"),
        ("from torch.nn import Parameter\nimport torch", "Parameter(torch.zeros(3))"),
        ("from torch.nn.parameter import Parameter as P\nimport torch", "P(torch.zeros(3))"),
        ("import torch", "torch.randn(3, requires_grad=True)"),
        ("from torch.autograd import Variable\nimport torch", "Variable(torch.zeros(3), requires_grad=True)"),
    ],
)
def test_leaves_through_import_aliases(imports, expr):
    [(value, _)] = probe(f"{imports}\nprobe({expr})\n")
    assert value.is_leaf_grad


def test_an_unrelated_parameter_class_is_unknown():
    [(value, _)] = probe("from mylib import Parameter\nprobe(Parameter(3))\n")
    assert value.kind == "unknown"


@pytest.mark.parametrize("call", ["torch.load('model.pt')", "torch.compile(step)", "torch.manual_seed(0)", "torch.device('cpu')"])
def test_torch_functions_that_return_no_tensor_are_unknown(call):
    """torch.load gives back whatever was saved (a model, a leaf that requires grad): not a tensor without grad."""
    [(value, _)] = probe(f"import torch\nnet = torch.nn.Linear(2, 2)\nstep = lambda x: net(x)\nprobe({call})\n")
    assert value.kind == "unknown"


@pytest.mark.parametrize(
    "call",
    [
        "torch.compile(net)",
        "torch.nn.DataParallel(net)",
        "DDP(net, device_ids=[0])",
        "torch.nn.SyncBatchNorm.convert_sync_batchnorm(net)",
        "torch.nn.DataParallel(net).module",
    ],
)
def test_a_wrapped_model_is_the_model(call):
    """Its parameters are the model's and its output is the model's output."""
    [(value, _), (model, _)] = probe(
        f"""
        import torch
        from torch.nn.parallel import DistributedDataParallel as DDP
        net = torch.nn.Linear(2, 2)
        probe({call})
        probe(net)
        """
    )
    assert value == model and value.kind == "module" and value.params is True


def test_ops_make_non_leaves_and_detach_cuts():
    seen = probe(
        """
        import torch
        w = torch.randn(3, requires_grad=True)
        y = w * 2
        probe(y)
        probe(y.detach())
        probe(y.item())
        probe(y.sum())
        """
    )
    assert seen[0][0].is_nonleaf_grad
    assert seen[1][0].grad is False and seen[1][0].cut
    assert seen[2][0].kind == "number" and seen[2][0].cut
    assert seen[3][0].is_nonleaf_grad


@pytest.mark.parametrize(
    "wrapper,mode",
    [
        ("with torch.no_grad():", False),
        ("with torch.inference_mode():", False),
        ("with torch.set_grad_enabled(False):", False),
        ("with torch.set_grad_enabled(training):", None),
        ("with torch.enable_grad():", True),
        ("if True:", True),
    ],
)
def test_grad_mode_of_with_blocks(wrapper, mode):
    seen = probe(
        f"""
        import torch
        w = torch.randn(3, requires_grad=True)
        {wrapper}
            y = w * 2
            probe(y)
        probe(w * 2)
        """
    )
    assert seen[0][1] is mode
    assert seen[0][0].grad is (False if mode is False else mode)
    assert seen[1][1] is True


def test_decorated_functions_run_without_grad():
    seen = probe(
        """
        import torch
        model = torch.nn.Linear(2, 2)

        @torch.no_grad()
        def evaluate(x):
            probe(model(x))

        @torch.inference_mode
        def predict(x):
            probe(model(x))

        def train(x):
            probe(model(x))
        """
    )
    assert [mode for _, mode in seen] == [False, False, True]
    assert [value.grad for value, _ in seen] == [False, False, True]


def test_function_only_called_under_no_grad_runs_with_gradients_off():
    seen = probe(
        """
        import torch
        model = torch.nn.Linear(2, 2)

        def evaluate(x):
            probe(model(x))

        with torch.no_grad():
            evaluate(torch.randn(1, 2))
        """
    )
    assert seen == [(seen[0][0], False)]
    assert seen[0][0].grad is False


def test_function_called_with_and_without_grad_is_walked_in_each_mode():
    seen = probe(
        """
        import torch
        model = torch.nn.Linear(2, 2)

        def run(x):
            probe(model(x))

        run(torch.randn(1, 2))
        with torch.no_grad():
            run(torch.randn(1, 2))
        """
    )
    assert [mode for _, mode in seen] == [True, False]
    assert [value.grad for value, _ in seen] == [True, False]


def test_function_called_under_no_grad_from_an_unwalked_place_has_unknown_mode():
    seen = probe(
        """
        import torch
        model = torch.nn.Linear(2, 2)

        def evaluate(x):
            probe(model(x))

        evaluate(torch.randn(1, 2))
        with torch.no_grad():
            later = lambda: evaluate(torch.randn(1, 2))
        """
    )
    assert [mode for _, mode in seen] == [None]


def test_a_method_call_under_no_grad_names_no_function_of_the_file():
    # `model.train()` inside the validation's no_grad block calls nn.Module.train, not `def train`
    seen = probe(
        """
        import torch
        model = torch.nn.Linear(2, 2)

        def train(x):
            probe(model(x))
            with torch.no_grad():
                model.eval()
                model.train()

        train(torch.randn(1, 2))
        """
    )
    assert [mode for _, mode in seen] == [True]


def test_a_method_called_under_no_grad_has_unknown_mode_a_function_of_that_name_does_not():
    seen = probe(
        """
        import torch
        model = torch.nn.Linear(2, 2)

        def evaluate(x):
            probe(model(x))

        class Runner:
            def evaluate(self, x):
                probe(model(x))

        def check(runner):
            with torch.no_grad():
                runner.evaluate(torch.randn(1, 2))
        """
    )
    assert [mode for _, mode in seen] == [True, None]


def test_set_grad_enabled_statement_switches_the_rest_of_the_scope():
    seen = probe(
        """
        import torch
        w = torch.ones(2, requires_grad=True)
        probe(w * 1)
        torch.set_grad_enabled(False)
        probe(w * 1)
        """
    )
    assert [mode for _, mode in seen] == [True, False]


def test_self_attributes_from_init_are_known_in_methods():
    seen = probe(
        """
        import torch.nn as nn
        import torch

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.scale = nn.Parameter(torch.ones(3))
                self.fc = nn.Linear(3, 3)

            def forward(self, x):
                probe(self.scale)
                probe(self.fc)
                probe(self.fc(x))
                probe(self)
                return self.fc(x) * self.scale

        net = Net()
        probe(net)
        probe(net(torch.zeros(1, 3)))
        """
    )
    values = [value for value, _ in seen]
    assert values[0].is_leaf_grad
    assert values[1].kind == "module" and values[1].params is True
    assert values[2].is_nonleaf_grad
    assert values[3].kind == "module" and values[3].params is True
    assert values[4].kind == "module" and values[4].params is True
    # forward returns one tensor, so the output is a plain non-leaf grad tensor
    assert values[5].is_nonleaf_grad


def test_loop_carried_values_are_seen_at_the_loop_head():
    seen = probe(
        """
        import torch
        w = torch.randn(3, requires_grad=True)
        prev = torch.zeros(3)
        for step in range(3):
            probe(prev)
            probe(w)
            prev = w * 2
            w = w - 0.1 * w
        """
    )
    prev, w = seen[0][0], seen[1][0]
    # prev holds a graph value from the second iteration on: not established either way
    assert prev.grad is None
    # w is a leaf on the first iteration only
    assert w.grad is True and w.leaf is None and w.may_leaf


def test_branches_join_to_what_both_agree_on():
    seen = probe(
        """
        import torch
        x = torch.randn(3, requires_grad=True)
        if x.sum() > 0:
            y = x * 2
        else:
            y = x * 3
        probe(y)
        if x.sum() > 0:
            z = x * 2
        else:
            z = x.detach()
        probe(z)
        """
    )
    assert seen[0][0].is_nonleaf_grad
    assert seen[1][0].grad is None


def test_a_branch_that_returns_does_not_reach_the_join():
    seen = probe(
        """
        import torch
        def f(flag):
            y = torch.zeros(3, requires_grad=True)
            if flag:
                y = y.detach()
                return y
            probe(y)
        """
    )
    assert seen[0][0].is_leaf_grad


def test_parameters_of_a_frozen_module_are_unknown():
    seen = probe(
        """
        import torch.nn as nn
        model = nn.Linear(2, 2)
        for p in model.parameters():
            probe(p)
        model.requires_grad_(False)
        for p in model.parameters():
            probe(p)
        """
    )
    assert seen[0][0].is_leaf_grad
    assert seen[1][0].grad is None


def test_a_crashing_rule_is_reported_as_grd002_and_others_still_run():
    from gradlint.rules import BY_CODE

    class Crashes(Rule):
        code = "GRD999"

        def on_call(self, node, ctx):
            raise ValueError("boom")

    findings = lint_text(
        "import torch\nw = torch.zeros(2, requires_grad=True)\nw.add_(1)\n",
        "x.py",
        [Crashes, BY_CODE["GRD201"]],
    )
    assert [(f.code, f.line) for f in findings] == [("GRD002", 1), ("GRD201", 3)]
    assert "GRD999" in findings[0].message and "boom" in findings[0].message


def test_deeply_nested_code_is_an_error_not_a_crash():
    source = "import torch\nx = " + "(" * 300 + "1" + ")" * 300 + "\n"
    findings = lint_text(source, "deep.py", [__import__("gradlint.rules", fromlist=["BY_CODE"]).BY_CODE["GRD101"]])
    assert all(f.code in ("GRD001", "GRD002") for f in findings)


def test_tuples_and_zip_unpack_position_by_position():
    seen = probe(
        """
        import torch
        import torch.nn as nn
        w = torch.randn(3, requires_grad=True)
        a, b = w * 2, w.detach()
        probe(a)
        probe(b)
        online, target = nn.Linear(2, 2), nn.Linear(2, 2)
        for t, o in zip(target.parameters(), [1, 2]):
            probe(t)
            probe(o)
        """
    )
    values = [value for value, _ in seen]
    assert values[0].is_nonleaf_grad
    assert values[1].grad is False and values[1].cut
    assert values[2].is_leaf_grad
    assert values[3].kind == "number"


def test_classes_defined_later_are_known_to_constructors_and_cycles_end():
    """`__init__` runs when an object is made, after the module defined every class it names,
    also when those classes name each other."""
    seen = probe(
        """
        import torch
        import torch.nn as nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = A()

            def forward(self, x):
                return self.a(x)

        class A(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)

            def forward(self, x):
                return self.fc(x)

        class B(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = A()

        probe(Model()(torch.randn(1, 2)))
        probe(B().a)
        """
    )
    assert [value.is_nonleaf_grad for value, _ in seen] == [True, False]
    assert seen[1][0].kind == "module" and seen[1][0].cls.name == "A"
    cycle = probe(
        '''
        import torch.nn as nn

        class A(nn.Module):
            def __init__(self):
                super().__init__()
                self.b = B() if False else nn.Linear(2, 2)

        class B(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = A()

        probe(A())
        '''
    )
    assert cycle[0][0].kind == "module"
