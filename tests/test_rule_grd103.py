"""GRD103 backward-on-detached: .backward() on a value computed only from detached data.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD103`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD103"
case = case_maker(CODE)


POSITIVES = [
    case(
        "prediction-detached-before-the-loss-with-targets-from-a-data-loader",
        """\
        import torch
        import torch.nn as nn
        from torch.utils.data import DataLoader, TensorDataset
        from tqdm import tqdm

        model = nn.Linear(3, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = DataLoader(TensorDataset(torch.randn(8, 3), torch.randn(8, 1)), batch_size=2)
        for epoch in range(2):
            for step, (x, y) in enumerate(tqdm(loader)):
                pred = model(x).detach()
                loss = nn.functional.mse_loss(pred, y)
                opt.zero_grad()
                loss.backward()  # expect: GRD103
                opt.step()
            for batch in loader:
                out = model(batch[0]).argmax(dim=1).float()
                loss = ((out - batch[1].squeeze(1)) ** 2).mean()
                loss.backward()  # expect: GRD103
        """,
        [14, 19],
    ),
    case(
        "loss-from-detached-probabilities-in-loop",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.optim as optim

        x = torch.randn(64, 10)
        y = (x[:, :1] > 0).float()
        model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1))
        optimizer = optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(5):
            optimizer.zero_grad()
            probs = torch.sigmoid(model(x)).detach()
            loss = F.binary_cross_entropy(probs, y)
            loss.backward()  # expect: GRD103
            optimizer.step()
        """,
        [14],
    ),
    case(
        "loss-from-data-attribute",
        """\
        import torch
        from torch import nn

        model = nn.Linear(3, 1)
        x, y = torch.randn(8, 3), torch.randn(8, 1)
        out = model(x).data
        loss = ((out - y) ** 2).mean()
        loss.backward()  # expect: GRD103
        """,
        [8],
    ),
    case(
        "forward-under-no-grad-then-functional-loss",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        model = nn.Linear(4, 2)
        x = torch.randn(5, 4)
        target = torch.randint(0, 2, (5,))
        with torch.no_grad():
            logits = model(x)
        loss = F.cross_entropy(logits, target)
        loss.backward()  # expect: GRD103
        """,
        [11],
    ),
    case(
        "tensor-rebuilt-from-item",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(3, 1)
        loss = model(torch.randn(4, 3)).abs().mean()
        scalar = torch.tensor(loss.item())
        scalar.backward()  # expect: GRD103
        """,
        [7],
    ),
    case(
        "alias-T-functional-on-detached-prediction",
        """\
        import torch as T

        w = T.randn(3, requires_grad=True)
        x = T.randn(16, 3)
        y = T.randn(16)
        pred = (x @ w).detach()
        loss = T.nn.functional.mse_loss(pred, y)
        loss.backward()  # expect: GRD103
        """,
        [8],
    ),
    case(
        "trainer-method-detaches-model-output",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(8, 3)
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)

            def train_step(self, x):
                self.optimizer.zero_grad()
                logits = self.model(x).detach()
                loss = F.cross_entropy(logits, torch.zeros(len(x), dtype=torch.long))
                loss.backward()  # expect: GRD103
                self.optimizer.step()


        Trainer().train_step(torch.randn(4, 8))
        """,
        [15],
    ),
    case(
        "module-parameter-read-through-data-in-method",
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(torch.randn(4))

            def forward(self, x):
                return x @ self.w

            def regularise(self):
                penalty = self.w.data.pow(2).sum()
                penalty.backward()  # expect: GRD103


        Net().regularise()
        """,
        [15],
    ),
    case(
        "autograd-backward-on-detached-loss-in-function",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(2, 1)
        targets = torch.randn(5, 1)


        def fit(x):
            err = model(x).detach() - targets
            loss = (err ** 2).mean()
            torch.autograd.backward(loss)  # expect: GRD103


        fit(torch.randn(5, 2))
        """,
        [11],
    ),
    case(
        "float-values-combined-into-a-loss",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        out = model(torch.randn(3, 4))
        a = float(out[:, 0].mean())
        b = out[:, 1].mean().item()
        loss = torch.tensor(a) + torch.tensor(b)
        loss.backward()  # expect: GRD103
        """,
        [9],
    ),
    case(
        "forward-under-no-grad-inside-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        x = torch.randn(6, 4)
        for step in range(3):
            with torch.no_grad():
                pred = model(x)
            loss = pred.pow(2).mean()
            loss.backward()  # expect: GRD103
        """,
        [10],
    ),
    case(
        "criterion-module-on-no-grad-output",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        criterion = nn.MSELoss()
        x, y = torch.randn(8, 4), torch.randn(8, 1)
        with torch.no_grad():
            out = model(x)
            loss = criterion(out, y)
        loss.backward()  # expect: GRD103
        """,
        [10],
    ),
    case(
        "backward-inside-no-grad-decorated-function",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        model = nn.Linear(4, 1)
        x, y = torch.randn(8, 4), torch.randn(8, 1)


        @torch.no_grad()
        def update():
            loss = F.mse_loss(model(x), y)
            loss.backward()  # expect: GRD103


        update()
        """,
        [12],
    ),
]


NEGATIVES = [
    case(
        "targets-from-an-unknown-iterable-may-require-grad",
        """\
        import torch
        import torch.nn as nn
        from torch.utils.data import DataLoader

        model = nn.Linear(3, 1)
        teacher_outputs = [(torch.randn(2, 3), model(torch.randn(2, 3))) for _ in range(3)]
        for x, target in teacher_outputs:
            loss = ((model(x).detach() - target) ** 2).mean()
            loss.backward()
        loader = DataLoader(list(range(8)), batch_size=2)
        for x, y in loader:
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
        """,
    ),
    case(
        "detach-only-the-metric",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.optim as optim

        x = torch.randn(64, 10)
        y = (x[:, :1] > 0).float()
        model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1))
        optimizer = optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(5):
            optimizer.zero_grad()
            probs = torch.sigmoid(model(x))
            accuracy = ((probs.detach() > 0.5).float() == y).float().mean()
            loss = F.binary_cross_entropy(probs, y)
            loss.backward()
            optimizer.step()
            print(accuracy.item(), loss.item())
        """,
    ),
    case(
        "gan-discriminator-on-fake-detach",
        """\
        import torch
        import torch.nn as nn

        G = nn.Sequential(nn.Linear(2, 4), nn.Tanh())
        D = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
        bce = nn.BCELoss()
        opt_d = torch.optim.Adam(D.parameters())
        opt_g = torch.optim.Adam(G.parameters())
        for step in range(3):
            real = torch.randn(8, 4)
            fake = G(torch.randn(8, 2))
            opt_d.zero_grad()
            d_loss = bce(D(real), torch.ones(8, 1)) + bce(D(fake.detach()), torch.zeros(8, 1))
            d_loss.backward()
            opt_d.step()
            opt_g.zero_grad()
            g_loss = bce(D(fake), torch.ones(8, 1))
            g_loss.backward()
            opt_g.step()
        """,
    ),
    case(
        "distillation-teacher-under-no-grad",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        teacher = nn.Linear(8, 4)
        student = nn.Linear(8, 4)
        x = torch.randn(16, 8)
        with torch.no_grad():
            soft = F.softmax(teacher(x), dim=-1)
        loss = F.kl_div(F.log_softmax(student(x), dim=-1), soft, reduction="batchmean")
        loss.backward()
        """,
    ),
    case(
        "dqn-target-detached-prediction-kept",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        q_net = nn.Linear(4, 2)
        target_net = nn.Linear(4, 2)
        s, s2 = torch.randn(8, 4), torch.randn(8, 4)
        a = torch.randint(0, 2, (8, 1))
        r = torch.randn(8)
        target = (r + 0.99 * target_net(s2).max(1)[0]).detach()
        q = q_net(s).gather(1, a).squeeze(1)
        loss = F.smooth_l1_loss(q, target)
        loss.backward()
        """,
    ),
    case(
        "adversarial-input-detached-then-requires-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(8, 2)
        x = torch.randn(4, 8)
        y = torch.randint(0, 2, (4,))
        x_adv = x.detach().clone().requires_grad_()
        loss = nn.functional.cross_entropy(model(x_adv), y)
        loss.backward()
        """,
    ),
    case(
        "loss-item-logged-after-backward",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(3, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        running = 0.0
        for step in range(4):
            optimizer.zero_grad()
            loss = model(torch.randn(8, 3)).pow(2).mean()
            loss.backward()
            optimizer.step()
            running += loss.item()
        """,
    ),
    case(
        "gradient-penalty-with-create-graph",
        """\
        import torch
        import torch.nn as nn

        critic = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
        x = torch.randn(6, 4, requires_grad=True)
        out = critic(x)
        grads = torch.autograd.grad(out.sum(), x, create_graph=True)[0]
        penalty = ((grads.norm(dim=1) - 1) ** 2).mean()
        penalty.backward()
        """,
    ),
    case(
        "detached-data-term-plus-graph-term",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        x = torch.randn(8, 4)
        baseline = model(x).detach().mean()
        loss = (model(x) - baseline).pow(2).mean()
        loss.backward()
        """,
    ),
    case(
        "enable-grad-inside-no-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        x = torch.randn(8, 4)
        with torch.no_grad():
            with torch.enable_grad():
                loss = model(x).pow(2).mean()
        loss.backward()
        """,
    ),
    case(
        "loss-from-unknown-helper",
        """\
        import torch
        from losses import compute_loss

        w = torch.randn(3, requires_grad=True)
        loss = compute_loss(w.detach())
        loss.backward()
        """,
    ),
    case(
        "truncated-bptt-detached-hidden-state",
        """\
        import torch
        import torch.nn as nn

        cell = nn.GRUCell(4, 4)
        h = torch.zeros(1, 4)
        for chunk in torch.randn(5, 1, 4):
            h = cell(chunk, h.detach())
            loss = h.pow(2).sum()
            loss.backward()
        """,
    ),
    case(
        "policy-gradient-with-item-advantage",
        """\
        import torch
        import torch.nn as nn

        policy = nn.Linear(4, 2)
        value = nn.Linear(4, 1)
        state = torch.randn(4)
        logp = torch.log_softmax(policy(state), dim=-1)[0]
        advantage = 1.0 - value(state).item()
        loss = -logp * advantage
        loss.backward()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
