"""GRD304 requires-grad-on-data: requires_grad=True on tensors used only as model inputs or targets (info).

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD304`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD304"
case = case_maker(CODE)


POSITIVES = [
    case(
        "input-batch-fed-to-model-in-training-loop",
        """\
        import torch
        import torch.nn as nn
        import torch.optim as optim

        x = torch.randn(64, 10, requires_grad=True)  # expect: GRD304
        y = torch.randn(64, 1)
        model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
        criterion = nn.MSELoss()
        optimizer = optim.Adam(model.parameters(), lr=1e-2)
        for epoch in range(5):
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        """,
        [5],
    ),
    case(
        "input-and-target-both-flagged",
        """\
        import torch
        from torch import nn

        model = nn.Linear(4, 1)
        criterion = nn.L1Loss()
        inputs = torch.rand(16, 4, requires_grad=True)  # expect: GRD304
        targets = torch.rand(16, 1, requires_grad=True)  # expect: GRD304
        out = model(inputs)
        loss = criterion(out, targets)
        loss.backward()
        """,
        [6, 7],
    ),
    case(
        "alias-T-input-to-conv",
        """\
        import torch as T

        conv = T.nn.Conv2d(3, 8, 3)
        images = T.randn(2, 3, 16, 16, requires_grad=True)  # expect: GRD304
        features = conv(images)
        features.mean().backward()
        """,
        [4],
    ),
    case(
        "inside-a-training-function",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(8, 2)
        criterion = nn.CrossEntropyLoss()


        def train_step():
            batch = torch.randn(32, 8, requires_grad=True)  # expect: GRD304
            labels = torch.randint(0, 2, (32,))
            loss = criterion(model(batch), labels)
            loss.backward()


        train_step()
        """,
        [9],
    ),
    case(
        "trainer-method-with-model-from-init",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(5, 1)
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)

            def fit(self):
                x = torch.ones(10, 5, requires_grad=True)  # expect: GRD304
                for step in range(3):
                    self.optimizer.zero_grad()
                    out = self.model(x)
                    out.pow(2).mean().backward()
                    self.optimizer.step()


        Trainer().fit()
        """,
        [11],
    ),
    case(
        "input-to-custom-nn-module-subclass",
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 8)
                self.fc2 = nn.Linear(8, 1)

            def forward(self, x):
                return self.fc2(torch.relu(self.fc1(x)))


        net = Net()
        sample = torch.zeros(1, 4, requires_grad=True)  # expect: GRD304
        net(sample).sum().backward()
        """,
        [16],
    ),
    case(
        "data-tensor-from-literal-list",
        """\
        import torch
        import torch.nn as nn

        xor_net = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
        X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], requires_grad=True)  # expect: GRD304
        Y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
        loss = nn.functional.mse_loss(xor_net(X), Y)
        loss.backward()
        """,
        [5],
    ),
    case(
        "input-fed-to-model-in-several-places",
        """\
        import torch
        import torch.nn as nn

        encoder = nn.Linear(6, 3)
        decoder = nn.Linear(3, 6)
        recon_loss = nn.MSELoss()
        x = torch.randn(12, 6, requires_grad=True)  # expect: GRD304
        for step in range(2):
            z = encoder(x)
            loss = recon_loss(decoder(z), x)
            loss.backward()
        """,
        [7],
    ),
    case(
        "module-level-and-function-scopes-each-flagged",
        """\
        import torch
        import torch.nn as nn

        layer = nn.Linear(3, 3)
        probe = torch.randn(1, 3, requires_grad=True)  # expect: GRD304
        layer(probe)


        def check():
            probe = torch.randn(1, 3, requires_grad=True)  # expect: GRD304
            return layer(probe)


        check()
        """,
        [5, 10],
    ),
    case(
        "requires-grad-underscore-on-input-data",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(10, 1)
        x = torch.randn(64, 10)
        x.requires_grad_()  # expect: GRD304
        loss = model(x).pow(2).mean()
        loss.backward()
        """,
        [6],
    ),
    case(
        "requires-grad-attribute-on-input-data",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(10, 1)
        x = torch.randn(64, 10)
        x.requires_grad = True  # expect: GRD304
        model(x).sum().backward()
        """,
        [6],
    ),
    case(
        "model-forward-counts-as-a-model-call",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(10, 1)
        x = torch.randn(64, 10, requires_grad=True)  # expect: GRD304
        model.forward(x).sum().backward()
        """,
        [5],
    ),
    case(
        "grad-is-none-check-is-not-a-use",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        x = torch.randn(8, 4, requires_grad=True)  # expect: GRD304
        for step in range(3):
            model(x).sum().backward()
            if x.grad is None:
                print("no gradient reached the input")
        """,
        [5],
    ),
    case(
        "grad-is-not-none-check-in-a-function",
        """\
        import torch
        import torch.nn as nn


        def train(model):
            batch = torch.rand(2, 4, requires_grad=True)  # expect: GRD304
            loss = model(batch).mean()
            loss.backward()
            return None is not batch.grad


        train(nn.Linear(4, 2))
        """,
        [6],
    ),
]


NEGATIVES = [
    case(
        "saliency-reads-input-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 3))
        x = torch.randn(1, 10, requires_grad=True)
        score = model(x)[0, 2]
        score.backward()
        saliency = x.grad.abs()
        """,
    ),
    case(
        "fgsm-adversarial-example",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        model = nn.Linear(8, 3)
        images = torch.rand(4, 8, requires_grad=True)
        labels = torch.randint(0, 3, (4,))
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        adversarial = (images + 0.01 * images.grad.sign()).clamp(0, 1)
        """,
    ),
    case(
        "gradient-penalty-with-autograd-grad",
        """\
        import torch
        import torch.nn as nn

        critic = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
        z = torch.randn(8, 4, requires_grad=True)
        out = critic(z)
        g = torch.autograd.grad(out.sum(), z, create_graph=True)[0]
        penalty = ((g.norm(dim=1) - 1) ** 2).mean()
        penalty.backward()
        """,
    ),
    case(
        "input-optimised-for-style-transfer",
        """\
        import torch
        import torch.nn as nn

        features = nn.Conv2d(3, 4, 3)
        img = torch.rand(1, 3, 16, 16, requires_grad=True)
        opt = torch.optim.Adam([img], lr=0.01)
        for step in range(3):
            opt.zero_grad()
            loss = features(img).pow(2).mean()
            loss.backward()
            opt.step()
        """,
    ),
    case(
        "pinn-derivative-of-output-wrt-input",
        """\
        import torch
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
        t = torch.rand(100, 1, requires_grad=True)
        u = net(t)
        du_dt = torch.autograd.grad(u, t, torch.ones_like(u), create_graph=True)[0]
        residual = (du_dt + u).pow(2).mean()
        residual.backward()
        """,
    ),
    case(
        "weights-created-with-requires-grad",
        """\
        import torch

        x = torch.randn(16, 3)
        w = torch.randn(3, 1, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        loss = (x @ w + b).pow(2).mean()
        loss.backward()
        """,
    ),
    case(
        "data-created-without-requires-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(10, 1)
        x = torch.randn(64, 10)
        y = torch.randn(64, 1)
        nn.functional.mse_loss(model(x), y).backward()
        """,
    ),
    case(
        "learnable-embedding-passed-to-model-and-optimiser",
        """\
        import torch
        import torch.nn as nn

        decoder = nn.Linear(8, 4)
        codes = torch.randn(10, 8, requires_grad=True)
        optimizer = torch.optim.Adam([codes] + list(decoder.parameters()))
        for step in range(3):
            optimizer.zero_grad()
            loss = decoder(codes).pow(2).mean()
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "input-grad-read-inside-a-function",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(10, 3)
        x = torch.randn(1, 10, requires_grad=True)
        score = model(x)[0, 2]


        def saliency():
            score.backward()
            return x.grad.abs()


        print(saliency())
        """,
    ),
    case(
        "name-rebound-to-plain-data-before-use",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        x = torch.randn(8, 4, requires_grad=True)
        x = torch.randn(8, 4)
        model(x).sum().backward()
        """,
    ),
    case(
        "requires-grad-underscore-then-grad-read",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(10, 1)
        x = torch.randn(64, 10)
        x.requires_grad_()
        model(x).sum().backward()
        print(x.grad.abs().mean())
        """,
    ),
    case(
        "requires-grad-false-is-not-marking",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(10, 1)
        x = torch.randn(64, 10)
        x.requires_grad_(False)
        model(x).sum().backward()
        """,
    ),
    case(
        "parameter-requires-grad-set-again",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(10, 1)
        w = nn.Parameter(torch.randn(10, 1))
        w.requires_grad = True
        model(torch.randn(2, 10) @ w.expand(10, 10)).sum().backward()
        """,
    ),
    case(
        "grad-read-after-a-none-check",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        x = torch.randn(8, 4, requires_grad=True)
        model(x).sum().backward()
        if x.grad is not None:
            saliency = x.grad.abs()
        """,
    ),
    case(
        "none-check-on-another-attribute",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        x = torch.randn(8, 4, requires_grad=True)
        model(x).sum().backward()
        if x.grad_fn is None:
            print("x is a leaf")
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
