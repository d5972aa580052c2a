"""GRD202 through an alias of an output its op saved: a view of it (``torch.tanh(h).view(...)``,
then ``-=`` on the view: self-corr-pose #5) and ``.detach()`` of it (pytorch #6990: the detached
tensor shares storage and version counter, so ``stats = gate.detach(); stats.clamp_()`` makes the
sigmoid's backward raise). Checked with torch 2.13. ``.clone()`` copies; a reshape may copy.
"""

from snippets import case_maker, rule_tests

CODE = "GRD202"
case = case_maker(CODE)


POSITIVES = [
    case(
        "tanh-output-viewed-then-centred-in-place",
        """\
        import torch
        import torch.nn as nn


        class ShapeHead(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 12)

            def forward(self, feat):
                delta = torch.tanh(self.fc(feat)).view(-1, 4, 3)
                delta -= delta.mean(1, keepdim=True)  # expect: GRD202
                return delta * 0.1


        ShapeHead()(torch.randn(2, 8)).sum().backward()
        """,
        [12],
    ),
    case(
        "sigmoid-gate-clamped-through-a-detached-alias",
        """\
        import torch
        import torch.nn as nn


        class Gated(nn.Module):
            def __init__(self):
                super().__init__()
                self.gate = nn.Linear(4, 4)

            def forward(self, x):
                gate = torch.sigmoid(self.gate(x))
                stats = gate.detach()
                stats.clamp_(0.05, 0.95)  # expect: GRD202
                return x * gate


        Gated()(torch.randn(3, 4)).sum().backward()
        """,
        [13],
    ),
]


NEGATIVES = [
    case(
        "detached-copy-written-in-place",
        """\
        import torch
        import torch.nn as nn

        fc = nn.Linear(4, 4)
        gate = torch.sigmoid(fc(torch.randn(3, 4)))
        stats = gate.detach().clone()
        stats.clamp_(0.05, 0.95)
        gate.sum().backward()
        """,
    ),
    case(
        "output-of-an-op-that-saves-no-output-viewed-and-written",
        """\
        import torch
        import torch.nn as nn

        fc = nn.Linear(8, 12)
        delta = fc(torch.randn(2, 8)).view(-1, 4, 3)
        delta -= delta.mean(1, keepdim=True)
        delta.sum().backward()
        """,
    ),
    case(
        "detached-under-no-grad-statistics",
        """\
        import torch
        import torch.nn as nn

        fc = nn.Linear(4, 4)
        gate = torch.sigmoid(fc(torch.randn(3, 4)))
        gate.sum().backward()
        stats = gate.detach()
        with torch.no_grad():
            stats.clamp_(0.05, 0.95)
        """,
    ),
    case(
        "sigmoid-detached-at-creation-then-written",
        """\
        import torch
        import torch.nn as nn

        fc = nn.Linear(4, 4)
        x = torch.randn(3, 4)
        mask = torch.sigmoid(fc(x)).detach()
        mask.clamp_(0.05, 0.95)
        (fc(x) * mask).sum().backward()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
