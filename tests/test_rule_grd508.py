"""GRD508 zero-grad-before-step: gradients cleared between backward() and step()."""

from textwrap import dedent

from snippets import case_maker, rule_tests

CODE = "GRD508"
case = case_maker(CODE)

SETUP = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
"""

POSITIVES = [
    case(
        "zero-grad-between-backward-and-step",
        SETUP
        + dedent("""\
        for step in range(5):
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.zero_grad()  # expect: GRD508
            optimizer.step()
        """),
        [9],
    ),
    case(
        "model-zero-grad-covers-the-optimizer",
        SETUP
        + dedent("""\
        loss = model(torch.randn(8, 4)).pow(2).mean()
        loss.backward()
        model.zero_grad()  # expect: GRD508
        optimizer.step()
        """),
        [8],
    ),
    case(
        "grad-scaler-step-after-the-clear",
        SETUP
        + dedent("""\
        scaler = torch.amp.GradScaler("cpu")
        for step in range(5):
            loss = model(torch.randn(8, 4)).pow(2).mean()
            scaler.scale(loss).backward()
            optimizer.zero_grad(set_to_none=True)  # expect: GRD508
            scaler.step(optimizer)
            scaler.update()
        """),
        [10],
    ),
    case(
        "trainer-method-with-attributes",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(3, 1)
                self.optimizer = torch.optim.Adam(self.model.parameters())

            def train_step(self, x, y):
                loss = nn.functional.mse_loss(self.model(x), y)
                loss.backward()
                self.optimizer.zero_grad()  # expect: GRD508
                self.optimizer.step()
                return loss.item()
        """,
        [13],
    ),
    case(
        "step-under-a-condition-after-an-unconditional-clear",
        SETUP
        + dedent("""\
        for i in range(8):
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.zero_grad()  # expect: GRD508
            if i % 2 == 1:
                optimizer.step()
        """),
        [9],
    ),
    case(
        "model-zero-grad-with-a-head-optimizer",
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
        model(torch.randn(2, 4)).sum().backward()
        model.zero_grad()  # expect: GRD508
        head_opt.step()
        """,
        [18],
    ),
    case(
        "gan-discriminator-cleared-after-its-backward",
        """\
        import torch
        import torch.nn as nn

        G = nn.Linear(2, 4)
        D = nn.Linear(4, 1)
        opt_d = torch.optim.Adam(D.parameters())
        for step in range(3):
            fake = G(torch.randn(8, 2))
            d_loss = D(torch.randn(8, 4)).mean() - D(fake.detach()).mean()
            d_loss.backward()
            D.zero_grad()  # expect: GRD508
            opt_d.step()
        """,
        [11],
    ),
    case(
        "two-backwards-then-clear-then-step",
        SETUP
        + dedent("""\
        out = model(torch.randn(8, 4))
        out.mean().backward(retain_graph=True)
        out.pow(2).mean().backward()
        optimizer.zero_grad()  # expect: GRD508
        optimizer.step()
        """),
        [9],
    ),
    case(
        "in-a-function-building-its-own-optimizer",
        """\
        import torch


        def fit(x, y):
            model = torch.nn.Linear(3, 1)
            opt = torch.optim.SGD(model.parameters(), lr=0.01)
            for _ in range(10):
                loss = ((model(x) - y) ** 2).mean()
                loss.backward()
                opt.zero_grad()  # expect: GRD508
                opt.step()
        """,
        [10],
    ),
    # reported at the clear, the line to move (lucidrains/byol-pytorch#93: `accelerator.backward(loss)`,
    # then `optimizer.zero_grad()`, then `optimizer.step()`)
    case(
        "trainer-clears-right-before-stepping",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self, net):
                self.net = net
                self.optimizer = torch.optim.Adam(net.parameters(), lr=3e-4)

            def fit(self, loader):
                for (images,) in loader:
                    loss = self.net(images).pow(2).mean()
                    loss.backward()
                    self.optimizer.zero_grad()  # expect: GRD508
                    self.optimizer.step()
        """,
        [14],
    ),
    case(
        # cleared through another name of the model (`model = self.model`): reported at the step
        "cleared-through-a-local-copy-of-the-field-is-reported-at-the-step",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(4, 1)
                self.opt = torch.optim.SGD(self.model.parameters(), lr=0.1)

            def train_step(self, x):
                model = self.model
                model(x).pow(2).mean().backward()
                model.zero_grad()
                self.opt.step()  # expect: GRD508
        """,
        [14],
    ),
]


NEGATIVES = [
    case(
        "second-backward-between-the-clear-and-the-step",
        SETUP
        + dedent("""\
        for step in range(5):
            warmup = model(torch.randn(8, 4)).pow(2).mean()
            warmup.backward()
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
        """),
    ),
    case(
        "clear-before-backward",
        SETUP
        + dedent("""\
        for step in range(5):
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
        """),
    ),
    case(
        "clear-after-step",
        SETUP
        + dedent("""\
        for step in range(5):
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        """),
    ),
    case(
        "another-model-cleared",
        """\
        import torch
        import torch.nn as nn

        encoder = nn.Linear(4, 4)
        decoder = nn.Linear(4, 4)
        opt = torch.optim.SGD(decoder.parameters(), lr=0.1)
        x = torch.randn(2, 4)
        loss = (decoder(encoder(x).detach()) - x).pow(2).mean()
        loss.backward()
        encoder.zero_grad()
        opt.step()
        """,
    ),
    case(
        "lbfgs-step-with-a-closure",
        SETUP
        + dedent("""\
        lbfgs = torch.optim.LBFGS(model.parameters())


        def closure():
            lbfgs.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            return loss


        model(torch.randn(8, 4)).sum().backward()
        lbfgs.zero_grad()
        lbfgs.step(closure)
        """),
    ),
    case(
        "clear-only-on-some-path",
        SETUP
        + dedent("""\
        for step in range(5):
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            if not torch.isfinite(loss):
                optimizer.zero_grad()
            optimizer.step()
        """),
    ),
    case(
        "accumulation-steps-then-clears",
        SETUP
        + dedent("""\
        for i in range(8):
            loss = model(torch.randn(8, 4)).pow(2).mean() / 4
            loss.backward()
            if (i + 1) % 4 == 0:
                optimizer.step()
                optimizer.zero_grad()
        """),
    ),
    case(
        "clear-and-step-with-no-backward-before",
        SETUP
        + dedent("""\
        optimizer.zero_grad()
        optimizer.step()
        """),
    ),
    case(
        "clear-in-a-helper-function",
        SETUP
        + dedent("""\


        def reset():
            optimizer.zero_grad()


        loss = model(torch.randn(8, 4)).pow(2).mean()
        loss.backward()
        reset()
        optimizer.step()
        """),
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
