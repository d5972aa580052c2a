"""GRD302 leaf-lost-by-op: an op applied in the same expression that creates a leaf.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD302`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD302"
case = case_maker(CODE)


POSITIVES = [
    case(
        "view-of-a-variable-made-to-require-grad",
        """\
        import torch
        from torch.autograd import Variable

        a = Variable(torch.Tensor([1, 2, 3])).view(1, 3)
        b = Variable(torch.Tensor([4, 5, 6]), requires_grad=True).view(3, 1)  # expect: GRD302
        a.mm(b).sum().backward()
        """,
        [5],
    ),
    case(
        "double-after-factory",
        """\
        import torch

        features = torch.randn(5, requires_grad=True).double()  # expect: GRD302
        weights = torch.linspace(-1.0, 1.0, 5, dtype=torch.float64)
        torch.tanh(features @ weights).backward()
        print(features.grad)
        """,
        [3],
    ),
    case(
        "cuda-after-factory",
        """\
        import torch

        w = torch.randn(3, 3, requires_grad=True).cuda()  # expect: GRD302
        """,
        [3],
    ),
    case(
        "to-device-after-factory-in-loop-setup",
        """\
        import torch

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        x = torch.randn(32, 3, device=device)
        w = torch.zeros(3, 1, requires_grad=True).to(device)  # expect: GRD302
        for step in range(3):
            loss = (x @ w).pow(2).mean()
            loss.backward()
        """,
        [5],
    ),
    case(
        "scaled-initialisation",
        """\
        import torch

        W = torch.randn(784, 10, requires_grad=True) * 0.01  # expect: GRD302
        b = torch.zeros(10, requires_grad=True)
        """,
        [3],
    ),
    case(
        "number-on-the-left-of-the-product",
        """\
        import torch

        std = 0.02
        emb = std * torch.randn(100, 16, requires_grad=True)  # expect: GRD302
        """,
        [4],
    ),
    case(
        "view-after-factory",
        """\
        import torch

        t = torch.linspace(0, 1, 50, requires_grad=True).view(-1, 1)  # expect: GRD302
        """,
        [3],
    ),
    case(
        "parameter-moved-in-module-init",
        """\
        import torch
        import torch.nn as nn

        device = "cpu"


        class Scale(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.gain = nn.Parameter(torch.ones(n)).to(device)  # expect: GRD302

            def forward(self, x):
                return x * self.gain


        Scale(3)(torch.randn(2, 3))
        """,
        [10],
    ),
    case(
        "from-torch-nn-import-parameter-float",
        """\
        import torch
        from torch.nn import Parameter

        alpha = Parameter(torch.tensor(1, dtype=torch.float64)).float()  # expect: GRD302
        """,
        [4],
    ),
    case(
        "alias-T-reshape-after-factory-in-function",
        """\
        import torch as T


        def init_weights(n_in, n_out):
            w = T.rand(n_in * n_out, requires_grad=True).reshape(n_in, n_out)  # expect: GRD302
            return w


        init_weights(3, 2)
        """,
        [5],
    ),
    case(
        "trainer-init-builds-leaf-then-casts",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(4, 1)
                self.log_temp = torch.zeros(1, requires_grad=True).half()  # expect: GRD302
                self.optimizer = torch.optim.Adam(list(self.model.parameters()) + [self.log_temp])


        Trainer()
        """,
        [8],
    ),
    case(
        "two-ops-chained",
        """\
        import torch

        z = torch.empty(8, requires_grad=True).float().cuda()  # expect: GRD302
        """,
        [3],
    ),
    case(
        "annotated-assignment",
        """\
        import torch

        bias: torch.Tensor = torch.zeros(4, requires_grad=True).double()  # expect: GRD302
        """,
        [3],
    ),
    case(
        "requires-grad-underscore-then-op",
        """\
        import torch

        w = torch.zeros(3).requires_grad_().double()  # expect: GRD302
        (w * 2).sum().backward()
        print(w.grad)
        """,
        [3],
    ),
    case(
        "indexing-after-factory",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)[None]  # expect: GRD302
        """,
        [3],
    ),
    case(
        "tuple-assignment-of-two-lost-leaves",
        """\
        import torch

        w, b = (
            torch.randn(3, requires_grad=True).double(),  # expect: GRD302
            torch.zeros(1, requires_grad=True).double(),  # expect: GRD302
        )
        """,
        [4, 5],
    ),
    case(
        "list-comprehension-of-leaves-moved-to-the-device",
        """\
        import torch

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        scales = [torch.ones(2, requires_grad=True).to(device) for _ in range(4)]  # expect: GRD302
        optimizer = torch.optim.Adam(scales, lr=0.1)
        """,
        [4],
    ),
    case(
        "clone-of-a-leaf-whose-grad-the-function-reads-after-a-gradient-penalty",
        """\
        import torch
        from torch import autograd


        def penalty(netD, real, fake):
            alpha = torch.rand(real.size(0), 1)
            mixed = (alpha * real + (1 - alpha) * fake).requires_grad_().clone()  # expect: GRD302
            out = netD(mixed)
            grads = autograd.grad(outputs=out.sum(), inputs=mixed, create_graph=True)[0]
            print(mixed.grad)
            return ((grads.norm(2, dim=1) - 1) ** 2).mean()
        """,
        [7],
    ),
    case(
        # .float() of a float64 leaf converts it: a new non-leaf (checked)
        "float-of-a-float64-leaf",
        """\
        import torch
        import torch.nn as nn


        class Norm(nn.Module):
            def __init__(self, emb_dim):
                super().__init__()
                self.shift = nn.Parameter(torch.zeros(emb_dim, dtype=torch.float64)).float()  # expect: GRD302
                self.bias = torch.zeros(emb_dim, requires_grad=True).double()  # expect: GRD302
        """,
        [8, 9],
    ),
    case(
        # the same branches, but the placeholder's .grad is read: the leaf is lost
        "placeholder-whose-grad-is-read",
        """\
        import torch


        def fit(scores):
            if len(scores) == 0:
                bias = torch.zeros([], requires_grad=True).double()  # expect: GRD302
            else:
                bias = torch.stack(scores).mean()
            (bias * 2).backward()
            return bias.grad
        """,
        [6],
    ),
]


NEGATIVES = [
    case(
        # a leaf made on the CPU, moved to the CPU: `.to()` / `.cpu()` return the leaf itself
        "to-cpu-of-a-cpu-leaf",
        """\
        import torch

        def fit(device="cpu"):
            w = torch.randn(3, requires_grad=True).to("cpu")
            b = torch.zeros(1, requires_grad=True).cpu()
            v = torch.ones(2, requires_grad=True).to(device)
            (w.sum() + b + v.sum()).backward()
            print(w.grad, b.grad, v.grad)

        fit()
        """,
    ),
    case(
        "variable-of-a-view-is-the-leaf",
        """\
        import torch
        from torch.autograd import Variable

        b = Variable(torch.Tensor([4, 5, 6]).view(3, 1), requires_grad=True)
        c = Variable(torch.randn(3), requires_grad=False).view(3, 1)
        (b * c).sum().backward()
        """,
    ),
    case(
        "a-reduction-of-a-fresh-leaf-is-a-loss-not-a-parameter",
        """\
        import torch

        losses = [torch.randn(()) for _ in range(3)]
        total = torch.tensor(losses, requires_grad=True).sum()
        total.backward()
        """,
    ),
    case(
        "device-and-dtype-passed-to-the-factory",
        """\
        import torch

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        w = torch.randn(3, 3, device=device, dtype=torch.float64, requires_grad=True)
        w.sum().backward()
        print(w.grad)
        """,
    ),
    case(
        "scale-then-requires-grad",
        """\
        import torch

        W = (torch.randn(784, 10) * 0.01).requires_grad_()
        b = torch.randn(10).to("cpu").requires_grad_(True)
        t = torch.linspace(0, 1, 50).view(-1, 1).requires_grad_()
        """,
    ),
    case(
        "module-moved-to-device",
        """\
        import torch
        import torch.nn as nn

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = nn.Linear(4, 2).to(device)
        net = nn.Sequential(nn.Linear(4, 4), nn.ReLU()).double()
        """,
    ),
    case(
        "parameter-built-from-moved-tensor",
        """\
        import torch
        import torch.nn as nn

        device = "cpu"


        class Scale(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.gain = nn.Parameter(torch.ones(n).to(device))
                self.bias = nn.Parameter(torch.zeros(n, dtype=torch.float64).float())

            def forward(self, x):
                return x * self.gain + self.bias


        Scale(3).to(device)
        """,
    ),
    case(
        "moved-copy-in-a-separate-statement",
        """\
        import torch

        x = torch.randn(4, requires_grad=True)
        x_gpu = x.to("cpu")
        x_gpu.sum().backward()
        print(x.grad)
        """,
    ),
    case(
        "data-tensor-without-requires-grad",
        """\
        import torch

        images = torch.randn(8, 3, 32, 32).cuda() if torch.cuda.is_available() else torch.randn(8, 3, 32, 32)
        noise = torch.randn(8, 16, requires_grad=False).double() * 0.1
        """,
    ),
    case(
        "parameter-with-requires-grad-false-moved",
        """\
        import torch
        import torch.nn as nn

        table = nn.Parameter(torch.randn(10, 4), requires_grad=False).double()
        """,
    ),
    case(
        "factory-inside-a-call-argument",
        """\
        import torch
        import torch.nn as nn

        layer = nn.Linear(4, 4)
        x = torch.randn(2, 4, requires_grad=True)
        out = layer(torch.randn(2, 4, requires_grad=True))
        out.sum().backward()
        print(x.grad)
        """,
    ),
    case(
        "under-no-grad-with-requires-grad-reset",
        """\
        import torch

        with torch.no_grad():
            w = torch.randn(3, requires_grad=True) * 0.01
        w.requires_grad_()
        (w * 2).sum().backward()
        print(w.grad)
        """,
    ),
    case(
        "leaf-created-then-updated-with-scalar-in-place",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        with torch.no_grad():
            w.mul_(0.01)
        (w * 2).sum().backward()
        print(w.grad)
        """,
    ),
    case(
        "list-comprehension-of-leaves-made-on-the-device",
        """\
        import torch

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        scales = [torch.ones(2, requires_grad=True, device=device) for _ in range(4)]
        totals = [torch.ones(2, requires_grad=True).sum() for _ in range(4)]
        optimizer = torch.optim.Adam(scales, lr=0.1)
        """,
    ),
    case(
        "clone-of-a-leaf-only-differentiated-with-autograd-grad-in-a-gradient-penalty",
        """\
        import torch
        from torch import autograd


        def penalty(netD, real, fake):
            alpha = torch.rand(real.size(0), 1)
            interpolates = alpha * real + (1 - alpha) * fake
            interpolates = interpolates.requires_grad_().clone()
            out = netD(interpolates)
            grads = autograd.grad(outputs=out, inputs=interpolates, grad_outputs=torch.ones(out.size()),
                                  create_graph=True, retain_graph=True, only_inputs=True)[0]
            return ((grads.view(grads.size(0), -1).norm(2, dim=1) - 1) ** 2).mean()
        """,
    ),
    case(
        "copies-of-a-model-parameter-moved-to-its-device",
        """\
        import torch
        import torch.nn as nn

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = nn.Linear(4, 2).to(device)
        copies = [p.data.clone().requires_grad_().to(device) for p in model.parameters()]
        shadow = model.weight.detach().clone().requires_grad_().cuda() if torch.cuda.is_available() else None
        optimizer = torch.optim.Adam(copies, lr=0.1)
        """,
    ),
    case(
        # rasbt LLMs-from-scratch converting-gpt-to-llama2.ipynb: .float() of a float32 Parameter is
        # the Parameter itself (checked: it stays registered and a leaf)
        "float-of-a-float32-leaf-is-a-no-op",
        """\
        import torch
        import torch.nn as nn


        class RMSNorm(nn.Module):
            def __init__(self, emb_dim, eps=1e-5):
                super().__init__()
                self.eps = eps
                self.weight = nn.Parameter(torch.ones(emb_dim)).float()
                self.scale = torch.zeros(emb_dim, requires_grad=True, dtype=torch.float32).float()

            def forward(self, x):
                means = x.pow(2).mean(dim=-1, keepdim=True)
                return x * torch.rsqrt(means + self.eps) * self.weight * self.scale
        """,
    ),
    case(
        # NeMo multi_similarity_loss.py: a zero placeholder for an empty batch, the other branch
        # computes the loss; nobody reads the placeholder's .grad
        "zero-loss-placeholder-on-the-branch-without-terms",
        """\
        import torch


        def margin_loss(scores, margin=0.5):
            terms = [torch.relu(margin - s) for s in scores if s.numel()]
            if len(terms) == 0:
                loss = torch.zeros([], requires_grad=True).double()
            else:
                loss = torch.stack(terms).sum() / len(scores)
            return loss
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
