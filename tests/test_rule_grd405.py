"""GRD405 unfrozen-backbone: an optimizer over part of a model whose other parameters still require grad.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD405`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

import textwrap


from snippets import case_maker, rule_tests

CODE = "GRD405"
case = case_maker(CODE)


_CLASSIFIER = """\
import torch
import torch.nn as nn
import torch.optim as optim


class Classifier(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.fc(self.backbone(x))


torch.manual_seed(0)
x = torch.randn(64, 20)
y = torch.randint(0, 3, (64,))
model = Classifier()
criterion = nn.CrossEntropyLoss()
"""  # 20 lines: snippets built on it continue at line 21

_TRAIN = """\
for epoch in range(3):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
"""


def classifier_then(rest, train=True):
    """The Classifier program above, then ``rest``, then (by default) a training loop over model(x)."""
    return _CLASSIFIER + textwrap.dedent(rest) + (_TRAIN if train else "")


POSITIVES = [
    case(
        "last-member-of-a-sequential",
        # discuss t/58156: "only train the last layer" by handing the optimizer model[-1] alone
        """\
        import torch
        import torch.nn as nn
        import torch.optim as optim

        model = nn.Sequential(nn.Linear(100, 256), nn.ReLU(), nn.Linear(256, 10))
        optimizer = optim.SGD(model[-1].parameters(), lr=1.0)  # expect: GRD405
        criterion = nn.CrossEntropyLoss()
        for step in range(5):
            x, y = torch.randn(32, 100), torch.randint(0, 10, (32,))
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        """,
        [6],
    ),
    case(
        "fixture-shape-head-optimizer",
        classifier_then(
            """\
            optimizer = optim.SGD(model.fc.parameters(), lr=0.1)  # expect: GRD405
            """
        ),
        [21],
    ),
    case(
        "params-keyword-and-scheduler",
        classifier_then(
            """\
            optimizer = torch.optim.Adam(params=model.fc.parameters(), lr=1e-3)  # expect: GRD405
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1)
            """
        ),
        [21],
    ),
    case(
        "inside-a-main-function",
        """\
        import torch
        from torch import nn, optim


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = nn.Linear(8, 16)
                self.head = nn.Linear(16, 2)

            def forward(self, x):
                return self.head(torch.relu(self.encoder(x)))


        def main():
            model = Net()
            opt = optim.Adam(model.head.parameters(), lr=1e-3)  # expect: GRD405
            for step in range(3):
                x, y = torch.randn(8, 8), torch.randint(0, 2, (8,))
                opt.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                opt.step()


        main()
        """,
        [17],
    ),
    case(
        "alias-T-adamw-on-classifier",
        """\
        import torch as T


        class Net(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.features = T.nn.Conv1d(1, 4, 3)
                self.classifier = T.nn.Linear(24, 2)

            def forward(self, x):
                return self.classifier(self.features(x).flatten(1))


        net = Net()
        optimizer = T.optim.AdamW(net.classifier.parameters(), lr=1e-3)  # expect: GRD405
        for _ in range(2):
            optimizer.zero_grad()
            net(T.randn(4, 1, 8)).sum().backward()
            optimizer.step()
        """,
        [15],
    ),
    case(
        "nested-head-part",
        """\
        import torch
        import torch.nn as nn


        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.proj = nn.Linear(16, 16)
                self.out = nn.Linear(16, 2)

            def forward(self, h):
                return self.out(torch.relu(self.proj(h)))


        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Linear(8, 16)
                self.head = Head()

            def forward(self, x):
                return self.head(self.body(x))


        model = Model()
        optimizer = torch.optim.SGD(model.head.out.parameters(), lr=0.1)  # expect: GRD405
        loss = model(torch.randn(4, 8)).pow(2).mean()
        loss.backward()
        optimizer.step()
        """,
        [26],
    ),
    case(
        "trainer-class-holding-model-and-optimizer",
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.backbone = nn.Linear(8, 8)
                self.fc = nn.Linear(8, 2)

            def forward(self, x):
                return self.fc(self.backbone(x))


        class Trainer:
            def __init__(self):
                self.model = Net()
                self.opt = torch.optim.SGD(self.model.fc.parameters(), lr=0.1)  # expect: GRD405

            def step(self, x, y):
                self.opt.zero_grad()
                loss = nn.functional.cross_entropy(self.model(x), y)
                loss.backward()
                self.opt.step()


        Trainer().step(torch.randn(4, 8), torch.randint(0, 2, (4,)))
        """,
        [18],
    ),
    case(
        "rmsprop-then-model-train",
        classifier_then(
            """\
            optimizer = optim.RMSprop(model.fc.parameters(), lr=1e-3)  # expect: GRD405
            model.train()
            """
        ),
        [21],
    ),
    case(
        "from-import-optimizer-class",
        """\
        import torch
        import torch.nn as nn
        from torch.optim import SGD


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = nn.LSTM(4, 8, batch_first=True)
                self.decoder = nn.Linear(8, 4)

            def forward(self, x):
                out, _ = self.encoder(x)
                return self.decoder(out)


        model = Net()
        optimizer = SGD(model.decoder.parameters(), lr=0.1)  # expect: GRD405
        for step in range(2):
            optimizer.zero_grad()
            model(torch.randn(2, 5, 4)).pow(2).mean().backward()
            optimizer.step()
        """,
        [18],
    ),
    case(
        "only-the-head-is-set-trainable",
        classifier_then(
            """\
            for p in model.fc.parameters():
                p.requires_grad = True
            optimizer = optim.SGD(model.fc.parameters(), lr=0.1)  # expect: GRD405
            """
        ),
        [23],
    ),
    case(
        "lightning-style-configure-optimizers",
        """\
        import torch
        import torch.nn as nn


        class LitClassifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.backbone = nn.Sequential(nn.Linear(20, 32), nn.ReLU())
                self.fc = nn.Linear(32, 3)

            def forward(self, x):
                return self.fc(self.backbone(x))

            def training_step(self, x, y):
                return nn.functional.cross_entropy(self(x), y)

            def configure_optimizers(self):
                return torch.optim.Adam(self.fc.parameters(), lr=1e-3)  # expect: GRD405
        """,
        [18],
    ),
]


NEGATIVES = [
    case(
        "sequential-frozen-but-its-last-member",
        """\
        import torch
        import torch.nn as nn
        import torch.optim as optim

        model = nn.Sequential(nn.Linear(100, 256), nn.ReLU(), nn.Linear(256, 10))
        for p in model[0].parameters():
            p.requires_grad = False
        optimizer = optim.SGD(model[-1].parameters(), lr=1.0)
        criterion = nn.CrossEntropyLoss()
        for step in range(5):
            x, y = torch.randn(32, 100), torch.randint(0, 10, (32,))
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "last-module-of-a-python-list-trained-alone",
        # a plain list is not the model: what else runs is not known
        """\
        import torch
        import torch.nn as nn
        import torch.optim as optim

        layers = [nn.Linear(100, 256), nn.Linear(256, 10)]
        optimizer = optim.SGD(layers[-1].parameters(), lr=1.0)
        for step in range(5):
            x = torch.randn(32, 256)
            optimizer.zero_grad()
            layers[-1](x).sum().backward()
            optimizer.step()
        """,
    ),
    case(
        "backbone-frozen-by-loop",
        classifier_then(
            """\
            for p in model.backbone.parameters():
                p.requires_grad = False
            optimizer = optim.SGD(model.fc.parameters(), lr=0.1)
            """
        ),
    ),
    case(
        "whole-model-frozen-then-head-unfrozen",
        classifier_then(
            """\
            model.requires_grad_(False)
            model.fc.requires_grad_(True)
            optimizer = optim.SGD(model.fc.parameters(), lr=0.1)
            """
        ),
    ),
    case(
        "gan-two-optimizers-cover-the-model",
        """\
        import torch
        import torch.nn as nn


        class GAN(nn.Module):
            def __init__(self):
                super().__init__()
                self.generator = nn.Sequential(nn.Linear(4, 8), nn.Tanh())
                self.discriminator = nn.Sequential(nn.Linear(8, 1))

            def forward(self, z):
                return self.discriminator(self.generator(z))


        gan = GAN()
        opt_g = torch.optim.Adam(gan.generator.parameters(), lr=2e-4)
        opt_d = torch.optim.Adam(gan.discriminator.parameters(), lr=2e-4)
        for step in range(2):
            opt_g.zero_grad()
            gan(torch.randn(8, 4)).mean().backward()
            opt_g.step()
        """,
    ),
    case(
        "parameter-groups-with-different-learning-rates",
        classifier_then(
            """\
            optimizer = optim.SGD(
                [
                    {"params": model.backbone.parameters(), "lr": 1e-4},
                    {"params": model.fc.parameters()},
                ],
                lr=1e-2,
            )
            """
        ),
    ),
    case(
        "optimizer-over-the-whole-model",
        classifier_then(
            """\
            optimizer = optim.Adam(model.parameters(), lr=1e-3)
            """
        ),
    ),
    case(
        "two-optimizers-backbone-and-head",
        classifier_then(
            """\
            opt_backbone = optim.SGD(model.backbone.parameters(), lr=1e-4)
            optimizer = optim.SGD(model.fc.parameters(), lr=1e-2)
            """
        ),
    ),
    case(
        "backbone-detached-and-eval-under-inference-mode",
        classifier_then(
            """\
            optimizer = optim.SGD(model.fc.parameters(), lr=0.1)
            for epoch in range(3):
                optimizer.zero_grad()
                feats = model.backbone(x).detach()
                loss = criterion(model.fc(feats), y)
                loss.backward()
                optimizer.step()
            model.eval()
            with torch.inference_mode():
                accuracy = (model(x).argmax(1) == y).float().mean()
            """,
            train=False,
        ),
    ),
    case(
        "backbone-under-no-grad",
        classifier_then(
            """\
            optimizer = optim.SGD(model.fc.parameters(), lr=0.1)
            for epoch in range(3):
                optimizer.zero_grad()
                with torch.no_grad():
                    feats = model.backbone(x)
                criterion(model.fc(feats), y).backward()
                optimizer.step()
            """,
            train=False,
        ),
    ),
    case(
        "freeze-helper-called-on-the-backbone",
        classifier_then(
            """\
            def freeze(module):
                for p in module.parameters():
                    p.requires_grad = False


            freeze(model.backbone)
            optimizer = optim.SGD(model.fc.parameters(), lr=0.1)
            """
        ),
    ),
    case(
        "conditional-freeze-from-config",
        classifier_then(
            """\
            import argparse

            parser = argparse.ArgumentParser()
            parser.add_argument("--freeze-backbone", action="store_true")
            args = parser.parse_args([])
            if args.freeze_backbone:
                model.backbone.requires_grad_(False)
            optimizer = optim.SGD(model.fc.parameters(), lr=0.1)
            """
        ),
    ),
    case(
        "unknown-model-in-function",
        """\
        import torch
        import torch.nn as nn


        def fit(model, batches):
            optimizer = torch.optim.SGD(model.fc.parameters(), lr=0.1)
            for x, y in batches:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
        """,
    ),
    case(
        "head-is-the-only-parameterised-part",
        """\
        import torch
        import torch.nn as nn


        class Probe(nn.Module):
            def __init__(self):
                super().__init__()
                self.pool = nn.AdaptiveAvgPool1d(4)
                self.act = nn.ReLU()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(self.act(self.pool(x)))


        model = Probe()
        optimizer = torch.optim.SGD(model.fc.parameters(), lr=0.1)
        for step in range(2):
            optimizer.zero_grad()
            model(torch.randn(3, 16)).sum().backward()
            optimizer.step()
        """,
    ),
    case(
        "lightning-style-backbone-frozen-in-init",
        """\
        import torch
        import torch.nn as nn


        class LitClassifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.backbone = nn.Sequential(nn.Linear(20, 32), nn.ReLU())
                self.backbone.requires_grad_(False)
                self.fc = nn.Linear(32, 3)

            def forward(self, x):
                return self.fc(self.backbone(x))

            def training_step(self, x, y):
                return nn.functional.cross_entropy(self(x), y)

            def configure_optimizers(self):
                return torch.optim.Adam(self.fc.parameters(), lr=1e-3)
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)


def test_a_member_of_a_container_is_named_as_written():
    from gradlint.engine import lint_text
    from gradlint.rules import BY_CODE

    source = textwrap.dedent(POSITIVES[0].values[0])
    (finding,) = lint_text(source, "snippet.py", [BY_CODE[CODE]])
    assert "updates only `model[-1]`" in finding.message and "`model[-1].requires_grad_(True)`" in finding.message
