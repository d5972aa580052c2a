"""GRD203 for a write through ``.data`` inside a module's forward, after an op of that forward
saved the parameter: ``cos = F.linear(x, self.weight)`` then ``self.weight.data.copy_(F.normalize(...))``
(a PyTorch port of AMSoftmax #1's in-forward weight normalisation). The backward() of the output
runs in the caller, with the overwritten values: silently wrong gradients for the input (torch 2.13:
x.grad off by 12 in the positive). Rebinding ``self.weight.data = ...`` leaves the saved tensor its
old storage (gradients unchanged), and a write before the op, of a buffer, or in another method, is
not this either.
"""

from snippets import case_maker, rule_tests

CODE = "GRD203"
case = case_maker(CODE)

POSITIVES = [
    case(
        "class-weights-renormalised-after-the-logits",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(5, 8))

            def forward(self, x):
                cos = F.linear(F.normalize(x, dim=1), self.weight)
                self.weight.data.copy_(F.normalize(self.weight.data, dim=1))  # expect: GRD203
                return cos


        head = Head()
        x = torch.randn(4, 8, requires_grad=True)
        head(x).sum().backward()
        """,
        [13],
    ),
]


NEGATIVES = [
    case(
        "renormalised-by-rebinding-data-after-the-logits",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(5, 8))

            def forward(self, x):
                cos = F.linear(F.normalize(x, dim=1), self.weight)
                self.weight.data = F.normalize(self.weight.data, dim=1)
                return cos


        Head()(torch.randn(4, 8, requires_grad=True)).sum().backward()
        """,
    ),
    case(
        "renormalised-before-the-op",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(5, 8))

            def forward(self, x):
                self.weight.data = F.normalize(self.weight.data, dim=1)
                return F.linear(F.normalize(x, dim=1), self.weight)


        Head()(torch.randn(4, 8, requires_grad=True)).sum().backward()
        """,
    ),
    case(
        "renormalised-by-a-method-after-the-step",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(5, 8))

            def forward(self, x):
                return F.linear(F.normalize(x, dim=1), self.weight)

            def renorm(self):
                cos = F.linear(torch.eye(8), self.weight)
                self.weight.data = F.normalize(self.weight.data, dim=1)
                return cos


        head = Head()
        opt = torch.optim.SGD(head.parameters(), lr=0.1)
        head(torch.randn(4, 8)).sum().backward()
        opt.step()
        head.renorm()
        """,
    ),
    case(
        "running-statistics-buffer-written",
        """\
        import torch
        import torch.nn as nn


        class Scaler(nn.Module):
            def __init__(self):
                super().__init__()
                self.register_buffer("mean", torch.zeros(8))
                self.fc = nn.Linear(8, 1)

            def forward(self, x):
                out = self.fc(x - self.mean)
                self.mean.data = 0.9 * self.mean.data + 0.1 * x.mean(0)
                return out


        Scaler()(torch.randn(4, 8)).sum().backward()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
