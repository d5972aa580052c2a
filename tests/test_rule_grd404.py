"""GRD404 head-frozen: a new layer assigned onto a model before a loop freezing all its parameters.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD404`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

import textwrap


from snippets import case_maker, rule_tests

CODE = "GRD404"
case = case_maker(CODE)


_CLASSIFIER = """\
import torch
import torch.nn as nn
import torch.optim as optim


class Classifier(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.fc(self.backbone(x))


model = Classifier()
"""  # 16 lines: snippets built on it continue at line 17


def classifier_then(rest):
    """The Classifier program above followed by ``rest``."""
    return _CLASSIFIER + textwrap.dedent(rest)


POSITIVES = [
    case(
        "fixture-shape-parameters-loop",
        classifier_then(
            """\
            model.fc = nn.Linear(32, 3)  # expect: GRD404
            for p in model.parameters():
                p.requires_grad = False
            optimizer = optim.SGD(model.fc.parameters(), lr=0.1)
            x, y = torch.randn(8, 20), torch.randint(0, 3, (8,))
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
            """
        ),
        [17],
    ),
    case(
        "requires-grad-underscore-on-the-model",
        classifier_then(
            """\
            model.fc = nn.Linear(32, 3)  # expect: GRD404
            model.requires_grad_(False)
            """
        ),
        [17],
    ),
    case(
        "named-parameters-loop",
        classifier_then(
            """\
            model.fc = nn.Linear(32, 5)  # expect: GRD404
            for name, param in model.named_parameters():
                param.requires_grad = False
            """
        ),
        [17],
    ),
    case(
        "requires-grad-underscore-on-each-parameter",
        classifier_then(
            """\
            model.fc = nn.Linear(32, 5)  # expect: GRD404
            for param in model.parameters():
                param.requires_grad_(False)
            """
        ),
        [17],
    ),
    case(
        "sequential-head-in-function",
        """\
        import torch
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Linear(8, 16)
                self.classifier = nn.Linear(16, 10)

            def forward(self, x):
                return self.classifier(self.features(x))


        def build(n_classes):
            model = Net()
            model.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(16, n_classes))  # expect: GRD404
            for p in model.parameters():
                p.requires_grad = False
            return model
        """,
        [17],
    ),
    case(
        "two-new-heads",
        """\
        import torch.nn as nn


        class TwoHeads(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Linear(8, 8)
                self.cls = nn.Linear(8, 2)
                self.reg = nn.Linear(8, 1)


        model = TwoHeads()
        model.cls = nn.Linear(8, 5)  # expect: GRD404
        model.reg = nn.Linear(8, 3)  # expect: GRD404
        model.requires_grad_(False)
        """,
        [13, 14],
    ),
    case(
        "builtin-sequential-model",
        """\
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(8, 8), nn.ReLU())
        model.out = nn.Linear(8, 2)  # expect: GRD404
        for p in model.parameters():
            p.requires_grad = False
        """,
        [4],
    ),
    case(
        "alias-T-and-module-from-import",
        """\
        import torch as T
        from torch.nn import Linear


        class Net(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.body = Linear(8, 8)
                self.head = Linear(8, 4)


        net = Net()
        net.head = Linear(8, 2)  # expect: GRD404
        for w in net.parameters():
            w.requires_grad = False
        """,
        [13],
    ),
    case(
        "unfreeze-of-another-layer-does-not-help",
        classifier_then(
            """\
            model.fc = nn.Linear(32, 3)  # expect: GRD404
            for p in model.parameters():
                p.requires_grad = False
            for p in model.backbone.parameters():
                p.requires_grad = True
            """
        ),
        [17],
    ),
    case(
        "new-layer-held-in-a-name-first",
        classifier_then(
            """\
            new_head = nn.Linear(32, 3)
            model.fc = new_head  # expect: GRD404
            for p in model.parameters():
                p.requires_grad = False
            """
        ),
        [18],
    ),
]


NEGATIVES = [
    case(
        "freeze-first-then-new-head",
        classifier_then(
            """\
            for p in model.parameters():
                p.requires_grad = False
            model.fc = nn.Linear(32, 3)
            optimizer = optim.SGD(model.fc.parameters(), lr=0.1)
            """
        ),
    ),
    case(
        "head-unfrozen-by-loop-after",
        classifier_then(
            """\
            model.fc = nn.Linear(32, 3)
            for p in model.parameters():
                p.requires_grad = False
            for p in model.fc.parameters():
                p.requires_grad = True
            """
        ),
    ),
    case(
        "head-unfrozen-by-method-after",
        classifier_then(
            """\
            model.fc = nn.Linear(32, 3)
            model.requires_grad_(False)
            model.fc.requires_grad_(True)
            """
        ),
    ),
    case(
        "conditional-freeze-skips-the-head",
        classifier_then(
            """\
            model.fc = nn.Linear(32, 3)
            for name, p in model.named_parameters():
                if not name.startswith("fc."):
                    p.requires_grad = False
            """
        ),
    ),
    case(
        "only-the-backbone-is-frozen",
        classifier_then(
            """\
            model.fc = nn.Linear(32, 3)
            for p in model.backbone.parameters():
                p.requires_grad = False
            """
        ),
    ),
    case(
        "unfreeze-helper-called-on-the-head",
        classifier_then(
            """\
            def set_trainable(module):
                for p in module.parameters():
                    p.requires_grad = True


            model.fc = nn.Linear(32, 3)
            model.requires_grad_(False)
            set_trainable(model.fc)
            """
        ),
    ),
    case(
        "head-replaced-again-after-freezing",
        classifier_then(
            """\
            model.fc = nn.Linear(32, 10)
            model.requires_grad_(False)
            model.fc = nn.Linear(32, 3)
            """
        ),
    ),
    case(
        "layers-assigned-in-init",
        """\
        import torch.nn as nn


        class Finetune(nn.Module):
            def __init__(self, base):
                super().__init__()
                self.base = nn.Linear(8, 8)
                for p in self.base.parameters():
                    p.requires_grad = False
                self.head = nn.Linear(8, 2)
        """,
    ),
    case(
        "non-module-attribute-before-freezing",
        classifier_then(
            """\
            model.num_classes = 3
            model.fc.out_features = 3
            model.requires_grad_(False)
            """
        ),
    ),
    case(
        "unknown-model-from-function-parameter",
        """\
        import torch.nn as nn


        def prepare(model, n_classes):
            model.fc = nn.Linear(32, n_classes)
            for p in model.parameters():
                p.requires_grad = False
            return model
        """,
    ),
    case(
        "freeze-flag-not-a-literal",
        classifier_then(
            """\
            train_backbone = False
            model.fc = nn.Linear(32, 3)
            for p in model.parameters():
                p.requires_grad = train_backbone
            """
        ),
    ),
    case(
        "parameter-free-identity-replaces-the-head",
        classifier_then(
            """\
            model.fc = nn.Identity()
            model.requires_grad_(False)
            probe = nn.Linear(32, 3)
            optimizer = optim.SGD(probe.parameters(), lr=0.1)
            with torch.no_grad():
                feats = model(torch.randn(4, 20))
            loss = nn.functional.cross_entropy(probe(feats), torch.tensor([0, 1, 2, 0]))
            loss.backward()
            """
        ),
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
