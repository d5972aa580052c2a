"""GRD407 nothing-trainable: every parameter frozen and never unfrozen, then trained."""

from textwrap import dedent

from snippets import case_maker, rule_tests

CODE = "GRD407"
case = case_maker(CODE)

SETUP = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
x, y = torch.randn(4, 8), torch.randint(0, 2, (4,))
"""

POSITIVES = [
    case(
        "freeze-loop-then-backward",
        SETUP
        + dedent("""\
        for p in model.parameters():
            p.requires_grad = False  # expect: GRD407
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(3):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        """),
        [8],
    ),
    case(
        "requires-grad-false-on-the-module",
        SETUP
        + dedent("""\
        model.requires_grad_(False)  # expect: GRD407
        F.cross_entropy(model(x), y).backward()
        """),
        [7],
    ),
    case(
        "optimizer-over-the-frozen-model-while-another-tensor-trains",
        SETUP
        + dedent("""\
        model.requires_grad_(False)  # expect: GRD407
        temperature = torch.ones(1, requires_grad=True)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(3):
            loss = F.cross_entropy(model(x) / temperature, y)
            loss.backward()
            optimizer.step()
        """),
        [7],
    ),
    case(
        "inside-a-fine-tuning-function",
        """\
        import torch
        import torch.nn as nn


        def finetune(x, y):
            net = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))
            for param in net.parameters():
                param.requires_grad = False  # expect: GRD407
            loss = ((net(x) - y) ** 2).mean()
            loss.backward()
        """,
        [8],
    ),
    case(
        "named-parameters-freeze",
        SETUP
        + dedent("""\
        for name, param in model.named_parameters():
            param.requires_grad = False  # expect: GRD407
        criterion = nn.CrossEntropyLoss()
        criterion(model(x), y).backward()
        """),
        [8],
    ),
    case(
        "own-module-class",
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 1)

            def forward(self, x):
                return self.fc(x)


        net = Net()
        for p in net.parameters():
            p.requires_grad = False  # expect: GRD407
        out = net(torch.randn(2, 4))
        out.sum().backward()
        """,
        [16],
    ),
    case(
        "pretrained-model-from-timm",
        """\
        import timm
        import torch
        import torch.nn.functional as F

        model = timm.create_model("resnet18", pretrained=True, num_classes=10)
        for p in model.parameters():
            p.requires_grad = False  # expect: GRD407
        optimizer = torch.optim.Adam(model.parameters())
        logits = model(torch.randn(2, 3, 224, 224))
        loss = F.cross_entropy(logits, torch.tensor([1, 2]))
        loss.backward()
        optimizer.step()
        """,
        [7],
    ),
    case(
        "trainer-method-freezes-and-trains",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 1))

            def run(self, x):
                self.model.requires_grad_(False)  # expect: GRD407
                loss = self.model(x).pow(2).mean()
                loss.backward()
        """,
        [10],
    ),
    # reported at the freeze, the line to change, once for every backward() it leaves with nothing to train
    case(
        "one-freeze-two-losses-backpropagated",
        SETUP
        + dedent("""\
        for p in model.parameters():
            p.requires_grad = False  # expect: GRD407
        for step in range(3):
            F.cross_entropy(model(x), y).backward()
            (model(x) ** 2).mean().backward()
        """),
        [8],
    ),
    case(
        "freeze-in-the-constructor-of-a-trainer-with-two-training-methods",
        # AaronComo/LipFD#18: the trainer's __init__ freezes every parameter of its model
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
                self.model.requires_grad_(False)  # expect: GRD407
                self.optimizer = torch.optim.Adam(self.model.parameters())

            def fit_batch(self, x, y):
                loss = ((self.model(x) - y) ** 2).mean()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()

            def fit_pair(self, a, b):
                loss = (self.model(a) - self.model(b)).abs().mean()
                loss.backward()
        """,
        [8],
    ),
]


NEGATIVES = [
    case(
        "head-unfrozen-after-the-freeze",
        SETUP
        + dedent("""\
        for p in model.parameters():
            p.requires_grad = False
        for p in model[2].parameters():
            p.requires_grad = True
        F.cross_entropy(model(x), y).backward()
        """),
    ),
    case(
        "new-head-assigned-after-the-freeze",
        """\
        import torch
        import torch.nn as nn
        import torchvision

        model = torchvision.models.resnet18(weights=None)
        for p in model.parameters():
            p.requires_grad = False
        model.fc = nn.Linear(512, 10)
        loss = model(torch.randn(2, 3, 64, 64)).sum()
        loss.backward()
        """,
    ),
    case(
        "freeze-under-a-condition",
        SETUP
        + dedent("""\
        linear_probe = False
        if linear_probe:
            model.requires_grad_(False)
        F.cross_entropy(model(x), y).backward()
        """),
    ),
    case(
        "helper-given-the-model-may-unfreeze",
        SETUP
        + dedent("""\


        def unfreeze_last(net):
            net[2].requires_grad_(True)


        model.requires_grad_(False)
        unfreeze_last(model)
        F.cross_entropy(model(x), y).backward()
        """),
    ),
    case(
        "frozen-feature-extractor-and-trainable-head",
        SETUP
        + dedent("""\
        head = nn.Linear(2, 2)
        model.requires_grad_(False)
        optimizer = torch.optim.SGD(head.parameters(), lr=0.1)
        loss = F.cross_entropy(head(model(x)), y)
        loss.backward()
        optimizer.step()
        """),
    ),
    case(
        "freeze-with-a-computed-flag",
        SETUP
        + dedent("""\
        trainable = True
        for p in model.parameters():
            p.requires_grad = trainable
        F.cross_entropy(model(x), y).backward()
        """),
    ),
    case(
        "sub-module-unfrozen-with-requires-grad",
        SETUP
        + dedent("""\
        model.requires_grad_(False)
        model[2].requires_grad_(True)
        F.cross_entropy(model(x), y).backward()
        """),
    ),
    case(
        "head-assigned-before-the-freeze-is-grd404",
        """\
        import torch
        import torch.nn as nn
        import torchvision

        model = torchvision.models.resnet18(weights=None)
        model.fc = nn.Linear(512, 10)
        for p in model.parameters():
            p.requires_grad = False
        model(torch.randn(2, 3, 64, 64)).sum().backward()
        """,
    ),
    case(
        "input-requires-grad-so-backward-works",
        SETUP
        + dedent("""\
        model.requires_grad_(False)
        image = torch.randn(4, 8, requires_grad=True)
        loss = F.cross_entropy(model(image), y)
        loss.backward()
        """),
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
