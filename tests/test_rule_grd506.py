"""GRD506 deprecated-variable: torch.autograd.Variable(...) calls (info).

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD506`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD506"
case = case_maker(CODE)


POSITIVES = [
    case(
        "from-torch-autograd-import-variable-in-training-loop",
        """\
        import torch
        import torch.nn as nn
        from torch.autograd import Variable

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(3):
            inputs = Variable(torch.randn(8, 4))  # expect: GRD506
            targets = Variable(torch.randn(8, 1))  # expect: GRD506
            optimizer.zero_grad()
            loss = ((model(inputs) - targets) ** 2).mean()
            loss.backward()
            optimizer.step()
        """,
        [8, 9],
    ),
    case(
        "qualified-torch-autograd-variable-with-requires-grad",
        """\
        import torch

        w = torch.autograd.Variable(torch.randn(3), requires_grad=True)  # expect: GRD506
        (w * 2).sum().backward()
        """,
        [3],
    ),
    case(
        "alias-T",
        """\
        import torch as T

        x = T.autograd.Variable(T.ones(2, 2))  # expect: GRD506
        """,
        [3],
    ),
    case(
        "module-alias-of-torch-autograd",
        """\
        import torch
        import torch.autograd as ag

        x = ag.Variable(torch.zeros(4), requires_grad=True)  # expect: GRD506
        """,
        [4],
    ),
    case(
        "renamed-import",
        """\
        import torch
        from torch.autograd import Variable as V

        h0 = V(torch.zeros(1, 1, 8))  # expect: GRD506
        """,
        [4],
    ),
    case(
        "import-from-the-variable-submodule",
        """\
        import torch
        from torch.autograd.variable import Variable

        t = Variable(torch.randn(2))  # expect: GRD506
        """,
        [4],
    ),
    case(
        "inside-nn-module-forward",
        """\
        import torch
        import torch.nn as nn
        from torch.autograd import Variable


        class RNN(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.GRU(4, 8, batch_first=True)

            def forward(self, x):
                h0 = Variable(torch.zeros(1, x.size(0), 8))  # expect: GRD506
                out, _ = self.rnn(x, h0)
                return out


        RNN()(torch.randn(2, 3, 4))
        """,
        [12],
    ),
    case(
        "trainer-method-wraps-batch",
        """\
        import torch
        import torch.nn as nn
        from torch.autograd import Variable


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(10, 2)
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)

            def step(self, x, y):
                x = Variable(x)  # expect: GRD506
                self.optimizer.zero_grad()
                loss = nn.functional.cross_entropy(self.model(x), y)
                loss.backward()
                self.optimizer.step()


        Trainer().step(torch.randn(4, 10), torch.randint(0, 2, (4,)))
        """,
        [12],
    ),
    case(
        "in-a-helper-function-and-a-comprehension",
        """\
        import torch
        from torch.autograd import Variable


        def to_var(t, volatile=False):
            return Variable(t, volatile=volatile)  # expect: GRD506


        batch = [Variable(t) for t in torch.randn(3, 2)]  # expect: GRD506
        """,
        [6, 9],
    ),
]


NEGATIVES = [
    case(
        "modern-tensor-requires-grad",
        """\
        import torch

        w = torch.randn(3).requires_grad_()
        x = torch.randn(3, requires_grad=True)
        (w * x).sum().backward()
        """,
    ),
    case(
        "variable-imported-from-another-library",
        """\
        import torch
        from mylib.autodiff import Variable

        v = Variable(torch.randn(3), requires_grad=True)
        """,
    ),
    case(
        "tensorflow-variable",
        """\
        import tensorflow as tf
        import torch

        v = tf.Variable(tf.zeros([3]))
        t = torch.zeros(3)
        """,
    ),
    case(
        "locally-defined-variable-class",
        """\
        import torch


        class Variable:
            def __init__(self, name, value):
                self.name = name
                self.value = value


        x = Variable("x", torch.zeros(2))
        """,
    ),
    case(
        "variable-referenced-but-not-called",
        """\
        import torch
        from torch.autograd import Variable


        def check(x: Variable) -> bool:
            return isinstance(x, Variable)


        print(check(torch.zeros(1)))
        """,
    ),
    case(
        "other-torch-autograd-apis",
        """\
        import torch
        from torch.autograd import Function, grad


        class Square(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g


        x = torch.randn(3, requires_grad=True)
        (gx,) = grad(Square.apply(x).sum(), x)
        """,
    ),
    case(
        "attribute-named-variable-on-an-object",
        """\
        import torch


        class Registry:
            def Variable(self, value):
                return value


        reg = Registry()
        v = reg.Variable(torch.zeros(2))
        """,
    ),
    case(
        "import-shadowed-by-a-local-function",
        """\
        import torch
        from torch.autograd import Variable


        def Variable(t, **kwargs):
            return t


        x = Variable(torch.zeros(2))
        """,
    ),
    case(
        "sympy-style-symbolic-variable",
        """\
        import torch
        import pyomo.environ as pyo

        m = pyo.ConcreteModel()
        m.x = pyo.Var()
        m.y = pyo.Variable() if hasattr(pyo, "Variable") else None
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)


def test_summary_message_and_page_say_what_variable_does():
    """Under torch 2.13 ``Variable(t)`` is ``t.detach()``: nothing the user reads may call it a no-op."""
    import textwrap

    from gradlint.docs import render_rule
    from gradlint.engine import lint_text
    from gradlint.rules import BY_CODE

    rule = BY_CODE[CODE]
    source = "from torch.autograd import Variable\nimport torch\nx = Variable(torch.randn(2))\n"
    (finding,) = lint_text(textwrap.dedent(source), "snippet.py", [rule])
    for text in (rule.summary, finding.message, render_rule(rule)):
        assert "t.detach()" in text
        assert "no-op wrapper" not in text and "has been a no-op" not in text
