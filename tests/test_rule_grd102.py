"""GRD102 rewrap-hides-cut: a graph value re-wrapped as a new leaf (requires_grad=True).

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD102`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD102"
case = case_maker(CODE)


POSITIVES = [
    case(
        "item-rewrapped-in-training-loop",
        """\
        import torch
        import torch.nn as nn
        import torch.optim as optim

        model = nn.Linear(5, 1)
        criterion = nn.MSELoss()
        optimizer = optim.SGD(model.parameters(), lr=0.1)
        x, y = torch.randn(64, 5), torch.randn(64, 1)
        for epoch in range(5):
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            train_loss = torch.tensor(loss.item(), requires_grad=True)  # expect: GRD102
            train_loss.backward()
            optimizer.step()
        """,
        [12],
    ),
    case(
        "module-output-rewrapped-directly",
        """\
        import torch
        from torch import nn

        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        out = net(torch.randn(2, 4))
        out = torch.tensor(out, requires_grad=True)  # expect: GRD102
        out.sum().backward()
        """,
        [6],
    ),
    case(
        "variable-from-torch-autograd-on-loss-data",
        """\
        import torch
        import torch.nn as nn
        from torch.autograd import Variable

        model = nn.Linear(3, 1)
        loss = model(torch.randn(8, 3)).pow(2).mean()
        loss = Variable(loss.data, requires_grad=True)  # expect: GRD102
        loss.backward()
        """,
        [7],
    ),
    case(
        "alias-T-rewraps-item",
        """\
        import torch as T

        w = T.randn(3, requires_grad=True)
        x = T.randn(10, 3)
        score = (x @ w).sigmoid().mean()
        objective = T.tensor(score.item(), requires_grad=True)  # expect: GRD102
        objective.backward()
        """,
        [6],
    ),
    case(
        "list-of-item-values-rewrapped",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        model = nn.Linear(4, 2)
        out = model(torch.randn(6, 4))
        l1 = F.mse_loss(out[:, 0], torch.zeros(6))
        l2 = out[:, 1].abs().mean()
        total = torch.tensor([l1.item(), l2.item()], requires_grad=True).sum()  # expect: GRD102
        total.backward()
        """,
        [9],
    ),
    case(
        "float-of-loss-rewrapped-in-function",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(3, 1)
        criterion = nn.L1Loss()


        def train_step(x, y):
            loss = criterion(model(x), y)
            wrapped = torch.tensor(float(loss), requires_grad=True)  # expect: GRD102
            wrapped.backward()
            return wrapped


        train_step(torch.randn(4, 3), torch.randn(4, 1))
        """,
        [10],
    ),
    case(
        "detached-output-rewrapped-by-qualified-variable",
        """\
        import torch
        import torch.nn as nn

        encoder = nn.Linear(6, 3)
        code = encoder(torch.randn(5, 6))
        code = torch.autograd.Variable(code.detach(), requires_grad=True)  # expect: GRD102
        code.norm().backward()
        """,
        [6],
    ),
    case(
        "trainer-method-with-model-from-init",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(4, 1)
                self.criterion = nn.MSELoss()
                self.optimizer = torch.optim.Adam(self.model.parameters())

            def step(self, x, y):
                self.optimizer.zero_grad()
                loss = self.criterion(self.model(x), y)
                loss = torch.tensor(loss.item(), requires_grad=True)  # expect: GRD102
                loss.backward()
                self.optimizer.step()


        Trainer().step(torch.randn(3, 4), torch.randn(3, 1))
        """,
        [14],
    ),
    case(
        "module-forward-rewraps-parameter-norm",
        """\
        import torch
        import torch.nn as nn


        class Regularised(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.scale = nn.Parameter(torch.ones(4))

            def forward(self, x):
                penalty = torch.tensor(self.scale.norm().item(), requires_grad=True)  # expect: GRD102
                return self.fc(x) * self.scale, penalty


        out, penalty = Regularised()(torch.randn(2, 4))
        """,
        [12],
    ),
    case(
        "value-computed-under-no-grad-rewrapped",
        """\
        import torch
        import torch.nn.functional as F

        w = torch.randn(3, requires_grad=True)
        x = torch.randn(8, 3)
        with torch.no_grad():
            pred = x @ w
        loss = torch.tensor(F.mse_loss(pred, torch.zeros(8)), requires_grad=True)  # expect: GRD102
        loss.backward()
        """,
        [8],
    ),
    case(
        "variable-of-a-model-output-rewrapped-as-a-leaf",
        """\
        import torch
        import torch.nn as nn
        from torch.autograd import Variable

        model = nn.Linear(3, 1)
        out = Variable(model(torch.randn(4, 3)), requires_grad=True)  # expect: GRD102
        out.sum().backward()
        """,
        [6],
    ),
    case(
        "mixed-detached-values-rewrapped-and-trained",
        """\
        import torch
        import torch.nn as nn
        from torch.autograd import Variable

        G = nn.Linear(2, 4)
        fake = G(torch.randn(8, 2))
        mixed = 0.5 * fake.data + 0.5 * torch.randn(8, 4)
        target = Variable(mixed, requires_grad=True)  # expect: GRD102
        target.sum().backward()
        """,
        [8],
    ),
    case(
        # a bug thread: the loss from a helper comes back cut, and the re-wrap silences the error;
        # whatever the helper returned, the backward() starts at the new leaf and trains nothing
        "loss-of-unknown-origin-re-wrapped-and-backpropagated",
        """\
        import torch


        def train(model, loader, optimizer, loss_fn):
            for x, y in loader:
                optimizer.zero_grad()
                loss = loss_fn(model(x), y)
                loss = torch.tensor(loss.item(), requires_grad=True)  # expect: GRD102
                loss.backward()
                optimizer.step()
        """,
        [8],
    ),
    case(
        "variable-of-data-of-a-helper-loss-backpropagated",
        """\
        from torch.autograd import Variable


        def step(net, batch, opt, compute_loss):
            loss = compute_loss(net, batch)
            loss = Variable(loss.data, requires_grad=True)  # expect: GRD102
            opt.zero_grad()
            loss.backward()
            opt.step()
        """,
        [6],
    ),
]

NEGATIVES = [
    case(
        "leaf-from-item-whose-own-gradient-is-read-after-a-backward-through-it",
        """\
        import torch


        def fit_scale(model, x):
            scale = torch.tensor(model(x).mean().item(), requires_grad=True)
            loss = (scale * x).pow(2).mean()
            loss.backward()
            return scale.grad
        """,
    ),
    case(
        "leaf-from-item-rebound-to-a-graph-result-before-its-backward",
        """\
        def train(model, loader, optimizer, criterion):
            for x, y in loader:
                base = torch.tensor(criterion(model(x), y).item(), requires_grad=True)
                base = base + criterion(model(x), y)
                optimizer.zero_grad()
                base.backward()
                optimizer.step()
        """,
    ),
    case(
        "backward-on-the-loss-itself",
        """\
        import torch
        import torch.nn as nn
        import torch.optim as optim

        model = nn.Linear(5, 1)
        criterion = nn.MSELoss()
        optimizer = optim.SGD(model.parameters(), lr=0.1)
        x, y = torch.randn(64, 5), torch.randn(64, 1)
        for epoch in range(5):
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            logged = torch.tensor(loss.item())
        """,
    ),
    case(
        "fresh-leaf-from-literal-data",
        """\
        import torch

        w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
        b = torch.tensor(0.0, requires_grad=True)
        x = torch.randn(10, 3)
        ((x @ w + b) ** 2).mean().backward()
        """,
    ),
    case(
        "leaf-from-item-of-data-statistic",
        """\
        import torch

        data = torch.randn(100)
        mu = torch.tensor(data.mean().item(), requires_grad=True)
        sigma = torch.tensor(data.std().item(), requires_grad=True)
        nll = (((data - mu) / sigma) ** 2 / 2 + sigma.log()).mean()
        nll.backward()
        """,
    ),
    case(
        "variable-imported-from-another-library",
        """\
        import torch
        import torch.nn as nn
        from mylib.autodiff import Variable

        model = nn.Linear(3, 1)
        loss = model(torch.randn(8, 3)).pow(2).mean()
        tracked = Variable(loss.data, requires_grad=True)
        loss.backward()
        """,
    ),
    case(
        "variable-wrapping-fresh-input-data",
        """\
        import torch
        from torch.autograd import Variable

        images = torch.rand(4, 3, 8, 8)
        images = Variable(images, requires_grad=True)
        (images ** 2).sum().backward()
        print(images.grad.shape)
        """,
    ),
    case(
        "adversarial-input-via-detach-requires-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(8, 2)
        x = torch.randn(4, 8)
        y = torch.randint(0, 2, (4,))
        x_adv = x.detach().clone().requires_grad_(True)
        loss = nn.functional.cross_entropy(model(x_adv), y)
        loss.backward()
        x_adv = x_adv + 0.01 * x_adv.grad.sign()
        """,
    ),
    case(
        "parameter-copied-from-detached-weights",
        """\
        import torch
        import torch.nn as nn

        teacher = nn.Linear(4, 4)
        student = nn.Linear(4, 4)
        student.weight = nn.Parameter(teacher.weight.detach().clone())
        student(torch.randn(2, 4)).sum().backward()
        """,
    ),
    case(
        "rewrap-without-requires-grad-for-logging",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(3, 1)
        loss = model(torch.randn(8, 3)).pow(2).mean()
        loss.backward()
        history = torch.tensor([loss.item()], requires_grad=False)
        snapshot = torch.tensor(loss.detach())
        """,
    ),
    case(
        "unknown-function-parameter-wrapped",
        """\
        import torch


        def as_leaf(values):
            return torch.tensor(values, requires_grad=True)


        leaf = as_leaf([1.0, 2.0])
        (leaf * 3).sum().backward()
        """,
    ),
    case(
        "tensor-that-never-required-grad-rewrapped",
        """\
        import torch

        noise = torch.randn(5)
        scaled = noise * 0.1
        z = torch.tensor(scaled, requires_grad=True)
        z.pow(2).sum().backward()
        """,
    ),
    case(
        "legacy-variable-of-data-of-plain-input",
        """\
        import torch
        from torch.autograd import Variable

        x = torch.randn(4, 3)
        x = Variable(x.data, requires_grad=True)
        (x ** 2).sum().backward()
        print(x.grad)
        """,
    ),
    case(
        "gradient-penalty-leaf-differentiated-on-purpose",
        """\
        import torch
        import torch.nn as nn
        from torch.autograd import Variable
        from torch.autograd import grad as torch_grad

        G = nn.Linear(2, 4)
        D = nn.Linear(4, 1)
        real = torch.randn(8, 4)
        fake = G(torch.randn(8, 2))
        alpha = torch.rand(8, 1)
        interpolated = alpha * real.data + (1 - alpha) * fake.data
        interpolated = Variable(interpolated, requires_grad=True)
        prob = D(interpolated)
        gradients = torch_grad(outputs=prob, inputs=interpolated, grad_outputs=torch.ones_like(prob), create_graph=True)[0]
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
