"""GRD202 across loop iterations: what one iteration saved for backward is still saved when the
next one starts, so an in-place write there raises at backward (the in-place thread of
yongfengli.tk, 2018: ``b[i] = b[i] + 1`` in a loop that multiplies by ``b``). Rebinding the name
first, or a backward() that frees the graph, ends it.
"""

from snippets import case_maker, rule_tests

CODE = "GRD202"
case = case_maker(CODE)


POSITIVES = [
    case(
        "row-written-after-the-previous-iteration-multiplied-by-it",
        """\
        import torch
        import torch.nn as nn


        class Recur(nn.Module):
            def __init__(self, n=6):
                super().__init__()
                self.param = nn.Parameter(torch.randn(n, n) * 0.1)

            def forward(self, a):
                y = 0
                b = torch.mm(self.param, a)
                for i in range(b.shape[0]):
                    b[i] = b[i] + 1  # expect: GRD202
                    y = y + torch.mm(self.param, b)
                return y


        Recur()(torch.randn(6, 1)).sum().backward()
        """,
        [14],
    ),
    case(
        "activation-output-scaled-at-the-top-of-the-next-step",
        """\
        import torch

        w = torch.randn(4, 4, requires_grad=True)
        h = torch.randn(2, 4)
        total = 0
        for t in range(3):
            h.mul_(0.5)  # expect: GRD202
            h = torch.sigmoid(h @ w)
            total = total + h.sum()
        total.backward()
        """,
        [7],
    ),
]


NEGATIVES = [
    case(
        "graph-backpropagated-before-the-write",
        """\
        import torch

        w = torch.randn(6, 6, requires_grad=True)
        b = torch.randn(6, 1)
        for step in range(3):
            y = torch.mm(w, b)
            y.sum().backward()
            b[0] = b[0] + 1
        """,
    ),
    case(
        "name-rebound-before-the-write",
        """\
        import torch

        w = torch.randn(6, 6, requires_grad=True)
        a = torch.randn(6, 1)
        y = 0
        for i in range(3):
            b = torch.mm(w, a)
            b[i] = b[i] + 1
            y = y + torch.mm(w, b)
        y.sum().backward()
        """,
    ),
    case(
        "writes-in-a-loop-before-anything-saves-it",
        """\
        import torch

        w = torch.randn(6, 6, requires_grad=True)
        b = torch.mm(w, torch.randn(6, 1))
        for i in range(3):
            b[i] = b[i] + 1
        y = torch.mm(w, b)
        y.sum().backward()
        """,
    ),
    case(
        "outputs-filled-step-by-step",
        """\
        import torch
        import torch.nn as nn

        cell = nn.GRUCell(3, 5)
        x = torch.randn(4, 2, 3)
        h = torch.zeros(2, 5)
        outputs = torch.zeros(4, 2, 5)
        for t in range(4):
            h = cell(x[t], h)
            outputs[t] = h
        outputs.sum().backward()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
