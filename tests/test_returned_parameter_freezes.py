"""GRD407 when a project helper freezes the model it is given and returns it, and the caller binds
the result anew: ``model = load_pretrained(model, state)``. The freeze of the argument, replayed at
the call, must survive the rebinding: the returned parameter is the same object
(``returned_freezes``, a parameter returned as it came)."""

from snippets import case_maker, rule_tests

CODE = "GRD407"
case = case_maker(CODE)

_HEAD = """\
        import copy

        import torch
        import torch.nn as nn


        class PointNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.backbone = nn.Sequential(nn.Linear(3, 16), nn.ReLU())
                self.classifier = nn.Linear(16, 4)

            def forward(self, x):
                return self.classifier(self.backbone(x))


        def fit(net, opt):
            for _ in range(2):
                opt.zero_grad()
                nn.functional.cross_entropy(net(torch.randn(8, 3)), torch.randint(0, 4, (8,))).backward()
                opt.step()

"""

POSITIVES = [
    case(
        "helper-freezes-its-argument-and-the-caller-rebinds-the-name",
        _HEAD
        + """\

        def load_pretrained(model, state):
            model.load_state_dict(state, strict=False)
            for p in model.parameters():
                p.requires_grad = False  # expect: GRD407
            return model


        def main():
            model = PointNet()
            model = load_pretrained(model, {})
            opt = torch.optim.SGD(model.parameters(), lr=0.1)
            fit(model, opt)


        main()
        """,
        [27],
    ),
    case(
        "helper-freezes-its-argument-bound-to-another-name",
        _HEAD
        + """\

        def frozen(model):
            model.requires_grad_(False)  # expect: GRD407
            return model


        def main():
            net = frozen(PointNet())
            opt = torch.optim.SGD(net.parameters(), lr=0.1)
            fit(net, opt)


        main()
        """,
        [25],
    ),
]

NEGATIVES = [
    case(
        "helper-freezes-only-the-backbone-of-its-argument",
        _HEAD
        + """\

        def load_pretrained(model, state):
            model.load_state_dict(state, strict=False)
            for p in model.backbone.parameters():
                p.requires_grad = False
            return model


        def main():
            model = load_pretrained(PointNet(), {})
            opt = torch.optim.SGD(model.parameters(), lr=0.1)
            fit(model, opt)


        main()
        """,
    ),
    case(
        "caller-unfreezes-the-head-after-the-helper",
        _HEAD
        + """\

        def load_pretrained(model, state):
            for p in model.parameters():
                p.requires_grad = False
            return model


        def main():
            model = load_pretrained(PointNet(), {})
            for p in model.classifier.parameters():
                p.requires_grad = True
            opt = torch.optim.SGD(model.parameters(), lr=0.1)
            fit(model, opt)


        main()
        """,
    ),
    case(
        "helper-freezes-and-returns-a-copy-the-student-trains",
        _HEAD
        + """\

        def frozen_teacher(model):
            teacher = copy.deepcopy(model)
            teacher.requires_grad_(False)
            return teacher


        def main():
            model = PointNet()
            teacher = frozen_teacher(model)
            opt = torch.optim.SGD(model.parameters(), lr=0.1)
            fit(model, opt)


        main()
        """,
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
