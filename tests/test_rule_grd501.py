"""GRD501 missing-zero-grad: a training loop that calls backward() and step() but never clears gradients.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD501`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD501"
case = case_maker(CODE)


POSITIVES = [
    case(
        "trainer-clears-another-model-than-the-one-its-optimizer-trains",
        # the optimizer trains the constructor's `model` (self.model); only self.teacher is cleared
        """\
        import torch
        import torch.nn as nn


        class Distiller:
            def __init__(self, model, teacher):
                self.model = model
                self.teacher = teacher
                self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

            def train(self, batches):
                for x, y in batches:
                    loss = nn.functional.mse_loss(self.model(x), self.teacher(x).detach())
                    loss.backward()
                    self.optimizer.step()  # expect: GRD501
                    self.teacher.zero_grad()


        Distiller(nn.Linear(4, 1), nn.Linear(4, 1)).train([(torch.randn(2, 4), torch.randn(2, 1))])
        """,
        [15],
    ),
    case(
        "train-function-steps-an-optimizer-parameter-it-never-clears",
        # nothing in the file calls train(): only the parameter's name and its step() after
        # backward() say it is an optimizer (TennisCourtDetector base_trainer.py)
        """\
        import torch.nn.functional as F

        def train(model, train_loader, optimizer, criterion, device):
            model.train()
            for batch in train_loader:
                out = model(batch[0].to(device))
                loss = criterion(F.sigmoid(out), batch[1].to(device))
                loss.backward()
                optimizer.step()  # expect: GRD501

        class Trainer:
            def __init__(self, model, optimizer_G):
                self.model = model
                self.optimizer_G = optimizer_G

            def fit(self, loader):
                for x, y in loader:
                    loss = (self.model(x) - y).pow(2).mean()
                    loss.backward()
                    self.optimizer_G.step()  # expect: GRD501
        """,
        [9, 20],
    ),
    case(
        "zero-grad-referenced-without-parentheses-in-a-train-function",
        """\
        def train_one_epoch(model, optimizer, data_loader, device):
            for image, target in data_loader:
                losses = model(image.to(device), target)
                total_loss = sum(losses.values())
                total_loss.backward()
                optimizer.step()  # expect: GRD501
                optimizer.zero_grad
        """,
        [6],
    ),
    case(
        "loss-unpacked-from-an-unresolved-helper",
        """\
        import torch
        from mylib import compute

        def train(model, loader, optimizer: torch.optim.Optimizer):
            for x, y in loader:
                loss, logs = compute(model, x, y)
                loss.backward()
                optimizer.step()  # expect: GRD501
        """,
        [8],
    ),
    case(
        "mixed-precision-branch-clears-the-plain-branch-does-not",
        """\
        import torch
        import torch.nn as nn

        def train_one_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer, scaler, amp: bool):
            for x, y in loader:
                loss = (model(x) - y).pow(2).mean()
                if amp:
                    optimizer.zero_grad()
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
                else:
                    loss.backward()
                    optimizer.step()  # expect: GRD501
        """,
        [14],
    ),
    case(
        "module-level-loop-without-zero-grad",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.optim as optim

        x = torch.randn(32, 4)
        y = torch.randn(32, 1)
        model = nn.Linear(4, 1)
        optimizer = optim.SGD(model.parameters(), lr=0.05)
        for step in range(10):
            loss = F.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()  # expect: GRD501
        """,
        [13],
    ),
    case(
        "nested-epoch-and-batch-loops",
        """\
        import torch
        from torch import nn, optim

        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
        criterion = nn.MSELoss()
        optimizer = optim.Adam(model.parameters(), lr=1e-3)
        batches = [(torch.randn(4, 8), torch.randn(4, 1)) for _ in range(5)]
        for epoch in range(3):
            for xb, yb in batches:
                loss = criterion(model(xb), yb)
                loss.backward()
                optimizer.step()  # expect: GRD501
        """,
        [12],
    ),
    case(
        "alias-T-while-loop",
        """\
        import torch as T

        net = T.nn.Linear(3, 1)
        opt = T.optim.SGD(net.parameters(), lr=0.1)
        step = 0
        while step < 5:
            loss = net(T.randn(8, 3)).pow(2).mean()
            loss.backward()
            opt.step()  # expect: GRD501
            step += 1
        """,
        [9],
    ),
    case(
        "trainer-class-with-model-and-optimizer-in-init",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self, lr):
                self.model = nn.Linear(10, 2)
                self.criterion = nn.CrossEntropyLoss()
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=lr)

            def train(self, loader):
                for x, y in loader:
                    loss = self.criterion(self.model(x), y)
                    loss.backward()
                    self.optimizer.step()  # expect: GRD501


        Trainer(0.1).train([(torch.randn(4, 10), torch.randint(0, 2, (4,)))])
        """,
        [15],
    ),
    case(
        "gan-generator-optimizer-never-cleared",
        """\
        import torch
        import torch.nn as nn

        G = nn.Sequential(nn.Linear(2, 4), nn.Tanh())
        D = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
        bce = nn.BCELoss()
        opt_d = torch.optim.Adam(D.parameters())
        opt_g = torch.optim.Adam(G.parameters())
        for step in range(3):
            fake = G(torch.randn(8, 2))
            opt_d.zero_grad()
            d_loss = bce(D(torch.randn(8, 4)), torch.ones(8, 1)) + bce(D(fake.detach()), torch.zeros(8, 1))
            d_loss.backward()
            opt_d.step()
            g_loss = bce(D(fake), torch.ones(8, 1))
            g_loss.backward()
            opt_g.step()  # expect: GRD501
        """,
        [17],
    ),
    case(
        "zero-grad-on-a-different-model",
        """\
        import torch
        import torch.nn as nn

        encoder = nn.Linear(6, 3)
        decoder = nn.Linear(3, 6)
        opt = torch.optim.SGD(decoder.parameters(), lr=0.1)
        for step in range(4):
            encoder.zero_grad()
            x = torch.randn(5, 6)
            loss = (decoder(encoder(x).detach()) - x).pow(2).mean()
            loss.backward()
            opt.step()  # expect: GRD501
        """,
        [12],
    ),
    case(
        "zero-grad-only-before-the-loop-in-function",
        """\
        import torch
        import torch.nn as nn


        def train(model, data, epochs=3):
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            optimizer.zero_grad()
            for epoch in range(epochs):
                for x, y in data:
                    loss = nn.functional.mse_loss(model(x), y)
                    loss.backward()
                    optimizer.step()  # expect: GRD501


        train(nn.Linear(2, 1), [(torch.randn(4, 2), torch.randn(4, 1))])
        """,
        [12],
    ),
    case(
        "from-torch-import-optim-manual-leaves",
        """\
        import torch
        from torch import optim

        w = torch.randn(3, requires_grad=True)
        x, y = torch.randn(16, 3), torch.randn(16)
        sgd = optim.SGD([w], lr=0.01)
        for it in range(20):
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()
            sgd.step()  # expect: GRD501
        """,
        [10],
    ),
    case(
        "nn-module-subclass-with-its-own-fit-method",
        """\
        import torch
        import torch.nn as nn


        class Regressor(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 1)

            def forward(self, x):
                return self.fc(x)

            def fit(self, x, y, steps=10):
                optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
                for _ in range(steps):
                    loss = ((self(x) - y) ** 2).mean()
                    loss.backward()
                    optimizer.step()  # expect: GRD501


        Regressor().fit(torch.randn(8, 3), torch.randn(8, 1))
        """,
        [18],
    ),
    case(
        "conditional-step-without-any-clear",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        batches = [torch.randn(8, 4) for _ in range(16)]
        for i, xb in enumerate(batches):
            loss = model(xb).pow(2).mean() / 4
            loss.backward()
            if (i + 1) % 4 == 0:
                optimizer.step()  # expect: GRD501
        """,
        [11],
    ),
    case(
        "zero-grad-once-per-epoch-step-every-batch",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        batches = [torch.randn(8, 4) for _ in range(4)]
        for epoch in range(3):
            optimizer.zero_grad()
            for xb in batches:
                loss = model(xb).pow(2).mean()
                loss.backward()
                optimizer.step()  # expect: GRD501
        """,
        [12],
    ),
    case(
        "amp-grad-scaler-loop-without-zero-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scaler = torch.amp.GradScaler("cpu")
        for step in range(5):
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = model(torch.randn(4, 4)).pow(2).mean()
            scaler.scale(loss).backward()
            scaler.step(optimizer)  # expect: GRD501
            scaler.update()
        """,
        [11],
    ),
]


NEGATIVES = [
    case(
        # pyro contrib/oed/eig.py: a library helper named for what it does clears the gradients
        "gradients-cleared-by-a-library-helper",
        """\
        import pyro
        import torch


        def opt_loss(design, loss_fn, num_steps, optim):
            params = None
            for step in range(num_steps):
                if params is not None:
                    pyro.infer.util.zero_grads(params)
                agg_loss, params = loss_fn(design)
                agg_loss.backward()
                optim(params)
                optim.step()
        """,
    ),
    case(
        "trainer-optimizer-over-constructor-argument-cleared-through-the-field",
        # the optimizer is built over the argument `model`, which __init__ stores as self.model:
        # self.model.zero_grad() clears it (transformers Trainer before #6999, corpus5 k16)
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self, model, lr):
                self.model = model
                self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr)

            def training_step(self, model, inputs):
                model.train()
                loss = nn.functional.mse_loss(model(inputs["x"]), inputs["y"])
                loss.backward()
                return loss.detach()

            def train(self, dataset):
                for inputs in dataset:
                    self.training_step(self.model, inputs)
                    self.optimizer.step()
                    self.model.zero_grad()


        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        Trainer(model, 1e-3).train([{"x": torch.randn(2, 4), "y": torch.randn(2, 1)}])
        """,
    ),
    case(
        "trainer-clears-through-a-local-alias-of-the-model-field",
        # `model = self.model` in train(): model.zero_grad() clears the optimizer built over
        # the constructor argument stored as self.model
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self, model, args):
                self.model = model
                self.args = args
                self.optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)

            def training_step(self, model, inputs):
                model.train()
                loss = nn.functional.mse_loss(model(inputs["x"]), inputs["y"])
                loss.backward()
                return loss.detach()

            def train(self, dataset):
                model = self.model
                model.zero_grad()
                for step, inputs in enumerate(dataset):
                    self.training_step(model, inputs)
                    if (step + 1) % self.args["accumulate"] == 0:
                        self.optimizer.step()
                        model.zero_grad()


        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        Trainer(model, {"accumulate": 2}).train([{"x": torch.randn(2, 4), "y": torch.randn(2, 1)}])
        """,
    ),
    case(
        "stepped-names-that-are-no-optimizer-or-clear-elsewhere",
        """\
        def train(model, loader, optimizer, scheduler, opt):
            for x, y in loader:
                loss = model(x, y)
                loss.backward()
                optimizer.step()
                model.zero_grad()
                scheduler.step()

        def fit(model, loader, lr_opt_scheduler, sched_opt):
            for x, y in loader:
                model(x, y).backward()
                lr_opt_scheduler.step()
                sched_opt.step()

        def lbfgs(model, loader, optimizer):
            for x, y in loader:
                def closure():
                    optimizer.zero_grad()
                    loss = model(x, y)
                    loss.backward()
                    return loss
                optimizer.step(closure)

        def evaluate(model, loader, optimizer):
            for x, y in loader:
                print(model(x, y).item())
                optimizer.step()
        """,
    ),
    case(
        "a-scheduler-steps-in-the-loop-and-the-optimizer-clears",
        """\
        def train(model, optimizer, scheduler, loader):
            for x, y in loader:
                loss = model(x, y)
                loss.backward()
                scheduler.step()
            optimizer.step()
            optimizer.zero_grad()
        """,
    ),
    case(
        "hand-written-layers-backpropagate-with-an-argument",
        """\
        import torch
        from mylib import Dense, SGD

        layer = Dense(4, 2)
        opt = torch.optim.SGD(torch.nn.Linear(4, 2).parameters(), lr=0.1)
        for x in range(3):
            out = layer.forward(x)
            layer.backward(out - 1)
            opt.step()
        """,
    ),
    case(
        "both-branches-clear-or-a-window-steps-conditionally",
        """\
        import torch
        import torch.nn as nn

        def train_one_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer, scaler, amp: bool):
            for x, y in loader:
                loss = (model(x) - y).pow(2).mean()
                optimizer.zero_grad()
                if amp:
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
                else:
                    loss.backward()
                    optimizer.step()

        def accumulate(model: nn.Module, loader, optimizer: torch.optim.Optimizer, k: int):
            for i, (x, y) in enumerate(loader):
                loss = (model(x) - y).pow(2).mean() / k
                loss.backward()
                if (i + 1) % k == 0:
                    optimizer.step()
                    optimizer.zero_grad()
                elif i == 0:
                    optimizer.zero_grad()
        """,
    ),
    case(
        "amp-grad-scaler-loop-with-zero-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scaler = torch.amp.GradScaler("cpu")
        for step in range(5):
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = model(torch.randn(4, 4)).pow(2).mean()
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        """,
    ),
    case(
        "zero-grad-every-iteration",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        for step in range(10):
            optimizer.zero_grad()
            loss = F.mse_loss(model(torch.randn(32, 4)), torch.randn(32, 1))
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "deliberate-gradient-accumulation",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        accum_steps = 4
        batches = [torch.randn(8, 4) for _ in range(16)]
        for i, xb in enumerate(batches):
            loss = model(xb).pow(2).mean() / accum_steps
            loss.backward()
            if (i + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
        """,
    ),
    case(
        "model-zero-grad-covers-the-optimizer",
        """\
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(5):
            model.zero_grad()
            loss = model(torch.randn(4, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "grads-set-to-none-by-hand",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(5):
            loss = model(torch.randn(4, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
            for p in model.parameters():
                p.grad = None
        """,
    ),
    case(
        "gan-each-network-clears-its-own-gradients",
        """\
        import torch
        import torch.nn as nn

        G = nn.Sequential(nn.Linear(2, 4), nn.Tanh())
        D = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
        bce = nn.BCELoss()
        opt_d = torch.optim.Adam(D.parameters())
        opt_g = torch.optim.Adam(G.parameters())
        for step in range(3):
            fake = G(torch.randn(8, 2))
            D.zero_grad()
            d_loss = bce(D(torch.randn(8, 4)), torch.ones(8, 1)) + bce(D(fake.detach()), torch.zeros(8, 1))
            d_loss.backward()
            opt_d.step()
            G.zero_grad()
            g_loss = bce(D(fake), torch.ones(8, 1))
            g_loss.backward()
            opt_g.step()
        """,
    ),
    case(
        "trainer-clears-with-set-to-none",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(10, 2)
                self.optimizer = torch.optim.Adam(self.model.parameters())

            def train(self, loader):
                for x, y in loader:
                    self.optimizer.zero_grad(set_to_none=True)
                    loss = nn.functional.cross_entropy(self.model(x), y)
                    loss.backward()
                    self.optimizer.step()


        Trainer().train([(torch.randn(4, 10), torch.randint(0, 2, (4,)))])
        """,
    ),
    case(
        "lbfgs-closure-clears-gradients",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(3, 1)
        x, y = torch.randn(16, 3), torch.randn(16, 1)
        optimizer = torch.optim.LBFGS(model.parameters())


        def closure():
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            return loss


        for step in range(5):
            optimizer.step(closure)
        """,
    ),
    case(
        "manual-leaf-grads-zeroed",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        optimizer = torch.optim.SGD([w, b], lr=0.01)
        x, y = torch.randn(16, 3), torch.randn(16)
        for it in range(20):
            loss = ((x @ w + b - y) ** 2).mean()
            loss.backward()
            optimizer.step()
            w.grad.zero_()
            b.grad.zero_()
        """,
    ),
    case(
        "model-zero-grad-covers-a-head-optimizer",
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Linear(4, 4)
                self.head = nn.Linear(4, 1)

            def forward(self, x):
                return self.head(self.body(x))


        model = Net()
        head_opt = torch.optim.SGD(model.head.parameters(), lr=0.1)
        for step in range(3):
            model.zero_grad()
            model(torch.randn(2, 4)).sum().backward()
            head_opt.step()
        """,
    ),
    case(
        "one-optimizer-over-two-modules-each-cleared",
        """\
        import torch
        import torch.nn as nn

        backbone = nn.Linear(4, 4)
        head = nn.Linear(4, 2)
        optimizer = torch.optim.SGD(list(backbone.parameters()) + list(head.parameters()), lr=0.1)
        for step in range(3):
            backbone.zero_grad()
            head.zero_grad()
            loss = head(backbone(torch.randn(2, 4))).sum()
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "evaluation-loop-after-training-has-no-step",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(3):
            optimizer.zero_grad()
            model(torch.randn(2, 4)).sum().backward()
            optimizer.step()
        for step in range(3):
            x = torch.randn(2, 4, requires_grad=True)
            model(x).sum().backward()
            print(x.grad)
        """,
    ),
    case(
        "full-batch-accumulation-over-an-epoch",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        batches = [torch.randn(8, 4) for _ in range(4)]
        for epoch in range(3):
            optimizer.zero_grad()
            for xb in batches:
                loss = model(xb).pow(2).mean() / len(batches)
                loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "gradients-cleared-by-a-helper-function",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)


        def reset_gradients():
            for p in model.parameters():
                p.grad = None


        for step in range(5):
            reset_gradients()
            loss = model(torch.randn(4, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)


# ---- gradients cleared on some paths through the loop only (path-sensitive)

PATH_POSITIVES = [
    case(
        "zero-grad-in-one-branch-step-always",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for step, (x, y) in enumerate([(torch.randn(2, 4), torch.randn(2, 1))] * 4):
            if step % 2 == 0:
                opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()  # expect: GRD501
        """,
        lines=(11,),
    ),
    case(
        "zero-grad-only-on-the-else-path",
        """\
        import torch
        import torch.nn as nn

        def train(model, loader, optimizer, warmup):
            for i, (x, y) in enumerate(loader):
                if i < warmup:
                    pass
                else:
                    optimizer.zero_grad()
                loss = ((model(x) - y) ** 2).mean()
                loss.backward()
                optimizer.step()  # expect: GRD501

        net = nn.Linear(4, 1)
        train(net, [(torch.randn(2, 4), torch.randn(2, 1))], torch.optim.SGD(net.parameters(), lr=0.1), 2)
        """,
        lines=(12,),
    ),
]

PATH_NEGATIVES = [
    case(
        "accumulation-window-clears-at-its-start-and-steps-at-its-end",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for i, (x, y) in enumerate([(torch.randn(2, 4), torch.randn(2, 1))] * 8):
            if i % 4 == 0:
                opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean() / 4
            loss.backward()
            if (i + 1) % 4 == 0:
                opt.step()
        """,
    ),
    case(
        "clear-in-both-branches",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for i, (x, y) in enumerate([(torch.randn(2, 4), torch.randn(2, 1))] * 4):
            if i % 2:
                opt.zero_grad()
            else:
                model.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
        """,
    ),
    case(
        "clear-after-the-step",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in [(torch.randn(2, 4), torch.randn(2, 1))] * 4:
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            opt.zero_grad()
        """,
    ),
    case(
        "clear-by-a-helper-at-the-top",
        """\
        import torch
        import torch.nn as nn

        def reset(o):
            o.zero_grad()

        model = nn.Linear(4, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in [(torch.randn(2, 4), torch.randn(2, 1))] * 4:
            reset(opt)
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
        """,
    ),
    case(
        "model-zero-grad-clears-the-optimizer-the-model-keeps-on-itself",
        """\
        import torch
        import torch.nn as nn


        class Recommender(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.fc = nn.Linear(n, 1)
                self.loss_function = nn.MSELoss()
                self.optimizer = torch.optim.Adam(self.parameters(), lr=0.1)

            def forward(self, x):
                return self.fc(x)


        def train_epoch(model, batches):
            for x, y in batches:
                model.zero_grad()
                loss = model.loss_function(model(x), y)
                loss.backward()
                model.optimizer.step()


        train_epoch(Recommender(3), [(torch.randn(4, 3), torch.randn(4, 1))])
        """,
    ),
]

test_fires_on_uncleared_paths, test_silent_when_every_path_clears = rule_tests(CODE, PATH_POSITIVES, PATH_NEGATIVES)
