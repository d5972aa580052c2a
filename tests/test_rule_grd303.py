"""GRD303 leaf-rebound: a leaf name rebound to a graph result.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD303`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD303"
case = case_maker(CODE)


POSITIVES = [
    case(
        "a-variable-made-to-require-grad-rebound-to-its-conversion",
        """\
        import torch
        from torch.autograd import Variable

        w = Variable(torch.randn(3), requires_grad=True)
        w = w.double()  # expect: GRD303
        """,
        [5],
    ),
    case(
        "manual-gradient-step-in-module-level-loop",
        """\
        import torch
        import torch.nn.functional as F

        x = torch.randn(128, 2)
        y = (x[:, 0] - 2 * x[:, 1] > 0).float()
        w = torch.zeros(2, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        lr = 0.5
        for step in range(100):
            loss = F.binary_cross_entropy_with_logits(x @ w + b, y)
            loss.backward()
            w = w - lr * w.grad  # expect: GRD303
            b = b - lr * b.grad  # expect: GRD303
        """,
        [12, 13],
    ),
    case(
        "owned-leaf-scaled-out-of-place",
        """\
        import torch

        eta = torch.ones(3, requires_grad=True)
        eta = eta * 2  # expect: GRD303
        (eta ** 2).sum().backward()
        print(eta.grad)
        """,
        [4],
    ),
    case(
        "alias-T-leaf-rebound-in-while-loop",
        """\
        import torch as T

        theta = T.randn(4, requires_grad=True)
        step = 0
        while step < 10:
            loss = (theta ** 2).sum()
            loss.backward()
            theta = theta - 0.1 * theta.grad  # expect: GRD303
            step += 1
        """,
        [8],
    ),
    case(
        "requires-grad-underscore-leaf-rebound-in-function",
        """\
        import torch


        def fit(x, y, steps=20):
            w = torch.zeros(x.shape[1]).requires_grad_()
            for _ in range(steps):
                loss = ((x @ w - y) ** 2).mean()
                loss.backward()
                w = w.sub(0.01 * w.grad)  # expect: GRD303
            return w


        fit(torch.randn(16, 3), torch.randn(16))
        """,
        [9],
    ),
    case(
        "trainer-attribute-leaf-rebound-in-method",
        """\
        import torch


        class Trainer:
            def __init__(self):
                self.w = torch.zeros(3, requires_grad=True)
                self.lr = 0.1

            def step(self, x, y):
                loss = ((x @ self.w - y) ** 2).mean()
                loss.backward()
                self.w = self.w - self.lr * self.w.grad  # expect: GRD303


        t = Trainer()
        t.step(torch.randn(4, 3), torch.randn(4))
        """,
        [12],
    ),
    case(
        "parameter-from-torch-nn-rebound-with-weight-decay",
        """\
        import torch
        from torch.nn import Parameter

        w = Parameter(torch.randn(5))
        x = torch.randn(20, 5)
        for epoch in range(3):
            loss = (x @ w).pow(2).mean()
            loss.backward()
            w = w * (1 - 1e-4) - 0.05 * w.grad  # expect: GRD303
        """,
        [9],
    ),
    case(
        "owned-leaf-clamped-out-of-place",
        """\
        import torch

        log_sigma = torch.zeros(1, requires_grad=True)
        log_sigma = log_sigma.clamp(-5.0, 5.0)  # expect: GRD303
        nll = (torch.randn(10) ** 2 / (2 * log_sigma.exp() ** 2)).mean() + log_sigma.sum()
        nll.backward()
        """,
        [4],
    ),
    case(
        "module-parameter-attribute-rebound-in-nn-module-method",
        """\
        import torch
        import torch.nn as nn


        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.scale = nn.Parameter(torch.ones(3))

            def forward(self, x):
                return x * self.scale

            def manual_update(self, lr):
                self.scale = self.scale - lr * self.scale.grad  # expect: GRD303


        m = Model()
        m(torch.randn(2, 3)).sum().backward()
        m.manual_update(0.1)
        """,
        [14],
    ),
    case(
        "nested-loops-rebinding-two-leaves",
        """\
        import torch

        w1 = torch.randn(4, 8, requires_grad=True)
        w2 = torch.randn(8, 1, requires_grad=True)
        data = [(torch.randn(16, 4), torch.randn(16, 1)) for _ in range(3)]
        for epoch in range(2):
            for xb, yb in data:
                loss = ((torch.relu(xb @ w1) @ w2 - yb) ** 2).mean()
                loss.backward()
                w1 = w1 - 0.01 * w1.grad  # expect: GRD303
                w2 = w2 - 0.01 * w2.grad  # expect: GRD303
        """,
        [10, 11],
    ),
    case(
        "dtype-conversion-as-its-own-statement",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        w = w.double()  # expect: GRD303
        """,
        [4],
    ),
    case(
        "to-device-and-dtype",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        w = w.to("cpu", torch.float16)  # expect: GRD303
        """,
        [4],
    ),
    case(
        # a sum started on a leaf whose gradient the code then reads: the leaf is lost
        "sum-started-on-a-leaf-whose-grad-is-read",
        """\
        import torch

        bias = torch.zeros(1, requires_grad=True)
        net = torch.nn.Linear(3, 1)
        for x in [torch.randn(2, 3)]:
            bias = bias + net(x).mean()  # expect: GRD303
        bias.sum().backward()
        print(bias.grad)
        """,
        [6],
    ),
    case(
        "type-to-a-double-tensor",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        w = w.type(torch.DoubleTensor)  # expect: GRD303
        """,
        [4],
    ),
    case(
        # the leaf is made once, before the rounds: the next round optimises the non-leaf
        "leaf-made-before-the-rounds-rebound-after-each-optimisation",
        """\
        import torch


        def objective(x):
            return (x - 0.3).pow(2).sum()


        X = torch.rand(4, 2, requires_grad=True)
        optimizer = torch.optim.Adam([X], lr=0.1)
        for round_ in range(3):
            for i in range(50):
                loss = objective(torch.sigmoid(X))
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
            X = torch.sigmoid(X) * 2.0 - 1.0  # expect: GRD303
        """,
        [16],
    ),
    case(
        # read out after training, then its gradient is read: the leaf is lost
        "leaf-read-out-then-its-grad-read",
        """\
        import torch

        X = torch.rand(4, 2, requires_grad=True)
        optimizer = torch.optim.SGD([X], lr=0.1)
        for i in range(5):
            loss = (X ** 2).sum()
            loss.backward()
            optimizer.step()
        X = torch.sigmoid(X)  # expect: GRD303
        print(X.grad)
        """,
        [9],
    ),
    case(
        # a CPU-made leaf moved to a device written as CUDA is a copy, as with .cuda() (pytorch#13112)
        "cpu-leaf-rebound-to-its-copy-on-a-cuda-device",
        """\
        import torch

        device = torch.device("cuda:0")
        w = torch.randn(3, requires_grad=True)
        w = w.to(device)  # expect: GRD303
        """,
        [5],
    ),
]


NEGATIVES = [
    case(
        # lightly wmse_loss.py: a leaf only starts the sum, so that the loss requires grad even
        # when no term is added; its own gradient is never read
        "leaf-that-only-starts-a-sum-of-loss-terms",
        """\
        import torch
        import torch.nn as nn


        class WMSELoss(nn.Module):
            def __init__(self, loss_fn, iters):
                super().__init__()
                self.loss_f = loss_fn
                self.iters = iters

            def forward(self, z, n):
                loss = torch.tensor(0.0, device=z.device, requires_grad=True)
                for _ in range(self.iters):
                    for i in range(n - 1):
                        loss = loss + self.loss_f(z[i], z[i + 1])
                loss = loss / (self.iters * n)
                return loss
        """,
    ),
    case(
        "in-place-update-under-no-grad",
        """\
        import torch
        import torch.nn.functional as F

        x = torch.randn(128, 2)
        y = (x[:, 0] > 0).float()
        w = torch.zeros(2, requires_grad=True)
        for step in range(100):
            loss = F.binary_cross_entropy_with_logits(x @ w, y)
            loss.backward()
            with torch.no_grad():
                w -= 0.5 * w.grad
            w.grad = None
        """,
    ),
    case(
        "functional-update-detached-into-a-new-leaf",
        """\
        import torch

        x, y = torch.randn(16, 3), torch.randn(16)
        w = torch.zeros(3, requires_grad=True)
        for _ in range(10):
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()
            w = (w - 0.01 * w.grad).detach().requires_grad_()
        """,
    ),
    case(
        "rebound-under-no-grad-then-requires-grad",
        """\
        import torch

        x, y = torch.randn(16, 3), torch.randn(16)
        w = torch.zeros(3, requires_grad=True)
        for _ in range(10):
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w = w - 0.01 * w.grad
            w.requires_grad_(True)
        """,
    ),
    case(
        "weight-norm-on-an-alias-of-a-module-parameter",
        """\
        import torch
        import torch.nn as nn


        class WNLinear(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)

            def forward(self, x):
                weight = self.fc.weight
                weight = weight / weight.norm(dim=1, keepdim=True)
                return x @ weight.t() + self.fc.bias


        WNLinear()(torch.randn(2, 4)).sum().backward()
        """,
    ),
    case(
        "hidden-state-rebound-each-step",
        """\
        import torch

        w = torch.randn(4, 4, requires_grad=True)
        h = torch.zeros(4)
        for t in range(5):
            h = torch.tanh(w @ h + 1.0)
        h.sum().backward()
        print(w.grad.shape)
        """,
    ),
    case(
        "data-tensor-rebound",
        """\
        import torch

        x = torch.randn(8, 3)
        x = x * 2 - 1
        x = x.to("cpu")
        w = torch.randn(3, requires_grad=True)
        (x @ w).sum().backward()
        """,
    ),
    case(
        "optimizer-updates-model-parameters",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(3):
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
            loss = loss.detach()
        """,
    ),
    case(
        "fresh-leaf-recreated-each-iteration",
        """\
        import torch

        for trial in range(3):
            w = torch.randn(3, requires_grad=True)
            loss = (w ** 2).sum()
            loss.backward()
            w = torch.randn(3, requires_grad=True)
        """,
    ),
    case(
        "grad-read-into-a-new-name",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        (w ** 2).sum().backward()
        w_next = w - 0.1 * w.grad
        print(w_next, w.grad)
        """,
    ),
    case(
        "unknown-function-parameter-rebound",
        """\
        import torch


        def sgd(w, g, lr=0.1):
            w = w - lr * g
            return w


        print(sgd(torch.ones(3), torch.ones(3)))
        """,
    ),
    case(
        "pgd-attack-step-under-no-grad",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        model = nn.Linear(8, 3)
        x = torch.randn(4, 8)
        y = torch.randint(0, 3, (4,))
        eps, alpha = 0.1, 0.02
        x_adv = x.clone().detach().requires_grad_(True)
        for _ in range(5):
            loss = F.cross_entropy(model(x_adv), y)
            loss.backward()
            with torch.no_grad():
                x_adv = x_adv + alpha * x_adv.grad.sign()
                x_adv = torch.min(torch.max(x_adv, x - eps), x + eps)
            x_adv.requires_grad_(True)
        """,
    ),
    case(
        "float-on-a-float32-leaf-is-the-same-tensor",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        w = w.float()
        """,
    ),
    case(
        # a device chosen at run time may be the CPU, where .to() returns the leaf itself
        "to-a-device-chosen-at-run-time-stays-unknown",
        """\
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
        w = torch.randn(3, requires_grad=True)
        w = w.to(device)
        """,
    ),
    case(
        "double-on-a-float64-leaf",
        """\
        import torch

        v = torch.randn(3, dtype=torch.float64, requires_grad=True)
        v = v.double()
        """,
    ),
    case(
        # botorch hentropy_search.ipynb: the design X, a fresh leaf in each round, is read out
        # after the loop that optimised it; nothing reads X.grad afterwards
        "leaf-read-out-after-the-loop-that-optimised-it",
        """\
        import torch


        def objective(x):
            return (x - 0.3).pow(2).sum()


        designs = []
        for round_ in range(3):
            X = torch.rand(4, 2, requires_grad=True)
            optimizer = torch.optim.Adam([X], lr=0.1)
            for i in range(50):
                loss = objective(torch.sigmoid(X))
                X.grad, = torch.autograd.grad(loss, [X])
                optimizer.step()
                optimizer.zero_grad()
            X = torch.sigmoid(X) * 2.0 - 1.0
            designs.append(X.detach())
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
