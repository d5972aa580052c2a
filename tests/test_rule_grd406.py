"""GRD406 freeze-undone: a partial freeze undone by a later unfreeze of every parameter, before training."""

from textwrap import dedent

from snippets import case_maker, rule_tests

CODE = "GRD406"
case = case_maker(CODE)

MODEL = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(8, 8), nn.ReLU())
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        return self.head(self.backbone(x))


model = Net()
"""


#: a constructor that freezes its backbone under a flag that defaults to True
TAGGER = """\
import torch
import torch.nn as nn


class Tagger(nn.Module):
    def __init__(self, backbone, n_tags, freeze_backbone=True):
        super().__init__()
        self.backbone = backbone
        self.head = nn.Linear(256, n_tags)
        if freeze_backbone:
            for p in self.backbone.parameters():
                p.requires_grad = False

    def forward(self, x):
        return self.head(self.backbone(x))


"""

POSITIVES = [
    case(
        "freeze-in-the-constructor-undone-by-an-unfreeze-loop-over-the-instance",
        # the constructor froze `self.backbone` (its default flag): `tagger.backbone` is frozen at the call
        TAGGER + dedent("""\
        def build(backbone, n_tags):
            tagger = Tagger(backbone, n_tags)
            for p in tagger.parameters():
                p.requires_grad = True  # expect: GRD406
            return tagger, torch.optim.SGD(tagger.parameters(), lr=0.1)
        """),
        lines=(21,),
    ),
    case(
        "sub-module-frozen-then-every-parameter-unfrozen",
        MODEL
        + dedent("""\
        model.backbone.requires_grad_(False)
        for p in model.parameters():
            p.requires_grad = True  # expect: GRD406
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        """),
        [18],
    ),
    case(
        "conditional-freeze-then-requires-grad-true-on-the-model",
        MODEL
        + dedent("""\
        for name, p in model.named_parameters():
            if name.startswith("backbone"):
                p.requires_grad = False
        model.requires_grad_(True)  # expect: GRD406
        """),
        [19],
    ),
    case(
        "freeze-loop-then-requires-grad-with-no-argument",
        MODEL
        + dedent("""\
        for p in model.backbone.parameters():
            p.requires_grad = False
        model.requires_grad_()  # expect: GRD406
        """),
        [18],
    ),
    case(
        "inside-a-setup-function",
        MODEL
        + dedent("""\


        def build():
            net = Net()
            net.backbone.requires_grad_(False)
            for param in net.parameters():
                param.requires_grad = True  # expect: GRD406
            return net
        """),
        [22],
    ),
    case(
        "weight-frozen-through-its-attribute",
        MODEL
        + dedent("""\
        model.head.weight.requires_grad = False
        model.requires_grad_(True)  # expect: GRD406
        """),
        [17],
    ),
    case(
        "in-the-module-init",
        """\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = nn.Linear(8, 8)
                self.decoder = nn.Linear(8, 8)
                self.encoder.requires_grad_(False)
                for p in self.parameters():
                    p.requires_grad = True  # expect: GRD406
        """,
        [11],
    ),
    case(
        "named-parameters-both-times",
        MODEL
        + dedent("""\
        for name, param in model.named_parameters():
            if "head" not in name:
                param.requires_grad = False
        for name, param in model.named_parameters():
            param.requires_grad = True  # expect: GRD406
        """),
        [20],
    ),
    case(
        "freeze-under-a-flag-undone-unconditionally",
        MODEL
        + dedent("""\
        freeze_backbone = True
        if freeze_backbone:
            model.backbone.requires_grad_(False)
        model.requires_grad_(True)  # expect: GRD406
        """),
        [19],
    ),
    # reported at the statement that sets the flag, not at the loop's `for` header (the line a reader
    # names: ultralytics/yolov5#1213, "all parameters have been set as requires_grad=True")
    case(
        "unfreeze-loop-that-also-sorts-the-parameters-into-groups",
        MODEL
        + dedent("""        freeze = ["backbone."]
        for k, v in model.named_parameters():
            if any(x in k for x in freeze):
                v.requires_grad = False
        decay, no_decay = [], []
        for k, v in model.named_parameters():
            v.requires_grad = True  # expect: GRD406
            if k.endswith(".bias"):
                no_decay.append(v)
            else:
                decay.append(v)
        """),
        [22],
    ),
    case(
        "unfreeze-loop-calling-requires-grad-underscore-on-each-parameter",
        MODEL
        + dedent("""        model.backbone.requires_grad_(False)
        for p in model.parameters():
            p.requires_grad_(True)  # expect: GRD406
        """),
        [18],
    ),
]


NEGATIVES = [
    case(
        "freeze-in-the-constructor-then-only-the-head-unfrozen",
        TAGGER + dedent("""\
        def build(backbone, n_tags):
            tagger = Tagger(backbone, n_tags)
            tagger.head.requires_grad_(True)
            return tagger
        """),
    ),
    case(
        "constructor-told-not-to-freeze-then-everything-unfrozen",
        TAGGER + dedent("""\
        def build(backbone, n_tags):
            tagger = Tagger(backbone, n_tags, freeze_backbone=False)
            tagger.requires_grad_(True)
            return tagger
        """),
    ),
    case(
        "freeze-in-the-constructor-undone-after-training-the-head",
        # gradual unfreezing: the head trained first
        TAGGER + dedent("""\
        def fit(backbone, n_tags, loader):
            tagger = Tagger(backbone, n_tags)
            opt = torch.optim.SGD(tagger.head.parameters(), lr=0.1)
            for x, y in loader:
                opt.zero_grad()
                nn.functional.cross_entropy(tagger(x), y).backward()
                opt.step()
            tagger.requires_grad_(True)
            return tagger
        """),
    ),
    case(
        "gradual-unfreezing-after-training",
        MODEL
        + dedent("""\
        model.backbone.requires_grad_(False)
        optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
        for step in range(3):
            optimizer.zero_grad()
            model(torch.randn(2, 8)).sum().backward()
            optimizer.step()
        model.requires_grad_(True)
        """),
    ),
    case(
        "only-the-head-unfrozen",
        MODEL
        + dedent("""\
        model.backbone.requires_grad_(False)
        for p in model.head.parameters():
            p.requires_grad = True
        """),
    ),
    case(
        "unfreeze-under-a-condition",
        MODEL
        + dedent("""\
        full_finetune = False
        model.backbone.requires_grad_(False)
        if full_finetune:
            model.requires_grad_(True)
        """),
    ),
    case(
        "freeze-all-then-unfreeze-all",
        MODEL
        + dedent("""\
        model.requires_grad_(False)
        model.requires_grad_(True)
        """),
    ),
    case(
        "unfreeze-in-another-function",
        MODEL
        + dedent("""\


        def freeze(net):
            net.backbone.requires_grad_(False)


        def unfreeze(net):
            for p in net.parameters():
                p.requires_grad = True
        """),
    ),
    case(
        "another-model-unfrozen",
        MODEL
        + dedent("""\
        teacher = Net()
        model.backbone.requires_grad_(False)
        teacher.requires_grad_(True)
        """),
    ),
    case(
        "a-training-helper-runs-in-between",
        MODEL
        + dedent("""\


        def fit(net, epochs):
            pass


        model.backbone.requires_grad_(False)
        fit(model, epochs=1)
        model.requires_grad_(True)
        """),
    ),
    case(
        "unfreeze-before-the-freeze",
        MODEL
        + dedent("""\
        for p in model.parameters():
            p.requires_grad = True
        model.backbone.requires_grad_(False)
        """),
    ),
    case(
        "unfreeze-with-a-computed-flag",
        MODEL
        + dedent("""\
        train_all = False
        model.backbone.requires_grad_(False)
        for p in model.parameters():
            p.requires_grad = train_all
        """),
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
