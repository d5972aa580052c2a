"""GRD401 module-requires-grad-attr: `model.requires_grad = False` on an nn.Module freezes nothing.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD401`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD401"
case = case_maker(CODE)


POSITIVES = [
    case(
        "submodule-of-a-model-from-another-file-known-by-its-use",
        # ProtoContra-SFDA trainers: the model comes from get_model() in another file; reading
        # self.model.outc.conv.weight shows outc holds a layer, so outc is a module
        """\
        import torch
        from models import get_model


        class Trainer:
            def initialize(self, opt):
                self.model = get_model(opt)
                self.prototypes = self.model.outc.conv.weight.view(4, 8)
                self.model.outc.requires_grad = False  # expect: GRD401
                self.optimizer = torch.optim.Adam(self.model.parameters())


        def freeze_head(net):
            net.head.requires_grad = False  # expect: GRD401
            return [p for p in net.head.parameters() if p.requires_grad]
        """,
        [9, 14],
    ),
    case(
        "a-model-parameter-known-as-a-module-by-its-parameters",
        # a helper of a training script: `model` comes from the caller, and its parameters()
        # are handed to the optimizer, so it is a module
        """\
        import torch


        def build_optimizer(model, lr=1e-3, freeze=True):
            if freeze:
                model.requires_grad = False  # expect: GRD401
            trainable = [p for p in model.parameters() if p.requires_grad]
            return torch.optim.SGD(trainable, lr=lr)


        def freeze_all(nets):
            for net in nets:
                net.requires_grad = False  # expect: GRD401
                print(sum(p.numel() for p in net.parameters()))
        """,
        [6, 13],
    ),
    case(
        "a-slice-of-the-children-list-frozen-by-attribute",
        """\
        import torch.nn as nn

        backbone = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 8, 3), nn.Flatten())
        layers = list(backbone.children())[:-2]
        for layer in layers:
            layer.requires_grad = False  # expect: GRD401
        """,
        [6],
    ),
    case(
        "children-of-a-network-built-by-name",
        """\
        import torch.nn as nn
        import torchvision


        class ResnetEncoder(nn.Module):
            def __init__(self, arch="resnet34", frozen=True, cut_layers=2):
                super().__init__()
                resnet = torchvision.models.__dict__[arch](pretrained=True)
                modules = list(resnet.children())[:-cut_layers]
                if frozen:
                    for param in modules:
                        param.requires_grad = False  # expect: GRD401
                self.encoder = nn.Sequential(*modules)
        """,
        [12],
    ),
    case(
        "submodule-registered-with-add-module",
        """\
        import torch.nn as nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.add_module("backbone", nn.Linear(4, 4))
                self.register_module("head", nn.Linear(4, 2))

            def freeze(self):
                self.backbone.requires_grad = False  # expect: GRD401
                self.head.requires_grad = False  # expect: GRD401
        """,
        [10, 11],
    ),
    case(
        "module-level-builtin-layer",
        """\
        import torch.nn as nn

        encoder = nn.Linear(16, 8)
        encoder.requires_grad = False  # expect: GRD401
        """,
        [4],
    ),
    case(
        "instance-of-module-subclass",
        """\
        import torch
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Linear(4, 4)

            def forward(self, x):
                return self.body(x)


        model = Net()
        model.requires_grad = False  # expect: GRD401
        """,
        [15],
    ),
    case(
        "loop-over-modules",
        """\
        import torch.nn as nn

        model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU())
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.requires_grad = False  # expect: GRD401
        """,
        [6],
    ),
    case(
        "loop-over-named-children",
        """\
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
        for name, child in model.named_children():
            if name != "2":
                child.requires_grad = False  # expect: GRD401
        """,
        [6],
    ),
    case(
        "submodule-frozen-in-init",
        """\
        import torch
        import torch.nn as nn


        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.backbone = nn.Sequential(nn.Linear(20, 64), nn.ReLU())
                self.backbone.requires_grad = False  # expect: GRD401
                self.fc = nn.Linear(64, 3)

            def forward(self, x):
                return self.fc(self.backbone(x))
        """,
        [9],
    ),
    case(
        # the constructor's flag does nothing else: this assignment was meant to freeze
        "constructor-flag-set-on-the-module-only",
        """\
        import torch.nn as nn


        class Encoder(nn.Module):
            def __init__(self, requires_grad=False):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.requires_grad = requires_grad  # expect: GRD401
        """,
        [8],
    ),
    case(
        "submodule-attribute-of-instance",
        """\
        import torch.nn as nn


        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.backbone = nn.Linear(20, 64)
                self.fc = nn.Linear(64, 3)


        model = Classifier()
        model.backbone.requires_grad = False  # expect: GRD401
        """,
        [12],
    ),
    case(
        "alias-T-lstm-in-function",
        """\
        import torch as T


        def build():
            lstm = T.nn.LSTM(4, 8)
            lstm.requires_grad = False  # expect: GRD401
            return lstm
        """,
        [6],
    ),
    case(
        "unfreeze-attempt-true",
        """\
        import torch.nn as nn

        head = nn.Linear(8, 2)
        head.requires_grad_(False)
        head.requires_grad = True  # expect: GRD401
        """,
        [5],
    ),
    case(
        "from-import-module-class-and-flag-variable",
        """\
        from torch.nn import Embedding

        freeze = True
        emb = Embedding(100, 16)
        emb.requires_grad = not freeze  # expect: GRD401
        """,
        [5],
    ),
    case(
        "method-freezing-self-submodule-outside-init",
        """\
        import torch.nn as nn


        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = nn.Linear(8, 8)
                self.decoder = nn.Linear(8, 8)

            def freeze_encoder(self):
                self.encoder.requires_grad = False  # expect: GRD401
        """,
        [11],
    ),
    case(
        "module-tries-to-freeze-itself-in-init",
        """\
        import torch.nn as nn


        class FrozenEncoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.proj = nn.Linear(16, 16)
                self.norm = nn.LayerNorm(16)
                # a pretrained encoder: keep it fixed
                self.requires_grad = False  # expect: GRD401

            def forward(self, x):
                return self.norm(self.proj(x))


        encoder = FrozenEncoder()
        """,
        [10],
    ),
]


NEGATIVES = [
    case(
        "a-plain-name-with-no-module-only-use",
        # `cfg.requires_grad` is a setting read by code in another file; `x` may be a tensor
        """\
        import torch


        def configure(cfg, x):
            cfg.requires_grad = False
            x.requires_grad = True
            return cfg, x * 2
        """,
    ),
    case(
        "a-name-whose-kind-the-code-tests",
        # a helper taking a Parameter or a module: each arm handles its own kind
        """\
        import torch.nn as nn


        def freeze(target):
            if isinstance(target, nn.Parameter):
                target.requires_grad = False
            elif isinstance(target, nn.Module):
                for param in target.parameters():
                    param.requires_grad = False


        def unfreeze(owner):
            if hasattr(owner.head, "parameters"):
                for param in owner.head.parameters():
                    param.requires_grad = True
            else:
                owner.head.requires_grad = True
        """,
    ),
    case(
        "self-of-a-class-whose-base-is-unknown",
        # the base class (another library's) may read its own `requires_grad` setting
        """\
        import torch
        from somewhere import Layer


        class Frozen(Layer):
            def __init__(self):
                super().__init__()
                self.requires_grad = False
                self.count = sum(1 for _ in self.parameters())
        """,
    ),
    case(
        "attribute-of-a-model-from-another-file-not-known-as-a-module",
        """\
        import torch
        from models import get_model


        class Trainer:
            def initialize(self, opt):
                self.model = get_model(opt)
                self.model.pos_embed.requires_grad = False
                self.model.cls_token.requires_grad = False
                self.scale = self.model.pos_embed.shape[-1]
                self.model.head.weight.requires_grad = False


        def configure(net, cfg):
            cfg.loss.requires_grad = False
            return cfg.loss.weight


        def flagged(net):
            net.encoder.requires_grad = False
            w = net.encoder.layer.weight.shape
            return net.encoder if net.encoder.requires_grad else w
        """,
    ),
    case(
        # speechbrain lobes/features.py Fbank: the constructor's flag freezes what it builds
        "constructor-flag-recorded-and-passed-on",
        """\
        import torch.nn as nn


        class Filterbank(nn.Module):
            def __init__(self, n_mels, freeze=True):
                super().__init__()
                self.fc = nn.Linear(1, n_mels)
                self.fc.requires_grad_(not freeze)


        class Fbank(nn.Module):
            def __init__(self, n_mels=40, requires_grad=False):
                super().__init__()
                self.requires_grad = requires_grad
                self.bank = Filterbank(n_mels, freeze=not requires_grad)
        """,
    ),
    case(
        "parameters-of-a-slice-of-the-children-list",
        """\
        import torch.nn as nn
        import torchvision

        resnet = torchvision.models.resnet18()
        for child in list(resnet.children())[:-1]:
            for param in child.parameters():
                param.requires_grad = False
            child.requires_grad_(False)
        """,
    ),
    case(
        "a-slice-of-the-parameter-list",
        """\
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
        for param in list(model.parameters())[:-2]:
            param.requires_grad = False
        """,
    ),
    case(
        "requires-grad-underscore-method",
        """\
        import torch.nn as nn

        encoder = nn.Linear(16, 8)
        encoder.requires_grad_(False)
        """,
    ),
    case(
        "parameter-loop-sets-the-tensor-attribute",
        """\
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
        for p in model.parameters():
            p.requires_grad = False
        """,
    ),
    case(
        "layer-weight-tensor",
        """\
        import torch.nn as nn

        fc = nn.Linear(8, 2)
        fc.weight.requires_grad = False
        fc.bias.requires_grad = False
        """,
    ),
    case(
        "modules-loop-freezing-weights",
        """\
        import torch.nn as nn

        model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU())
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.requires_grad = False
                m.bias.requires_grad = False
                m.requires_grad_(False)
        """,
    ),
    case(
        "plain-tensor",
        """\
        import torch

        x = torch.randn(3)
        x.requires_grad = True
        (x * 2).sum().backward()
        """,
    ),
    case(
        "argparse-namespace-field",
        """\
        import argparse

        import torch.nn as nn

        parser = argparse.ArgumentParser()
        parser.add_argument("--lr", type=float, default=0.1)
        opt = parser.parse_args([])
        opt.requires_grad = False
        model = nn.Linear(4, 2)
        model.requires_grad_(opt.requires_grad)
        """,
    ),
    case(
        "config-class-instance",
        """\
        import torch.nn as nn


        class LayerSpec:
            def __init__(self, width):
                self.width = width
                self.requires_grad = True


        spec = LayerSpec(16)
        spec.requires_grad = False
        layer = nn.Linear(spec.width, spec.width)
        layer.requires_grad_(spec.requires_grad)
        """,
    ),
    case(
        "unknown-function-parameter",
        """\
        def mark_frozen(node):
            node.requires_grad = False
            return node
        """,
    ),
    case(
        "children-loop-with-method",
        """\
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
        for i, child in enumerate(model.children()):
            if i < 2:
                child.requires_grad_(False)
        """,
    ),
    case(
        "self-parameter-in-module-method",
        """\
        import torch
        import torch.nn as nn


        class Scale(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(torch.ones(3))
                self.w.requires_grad = False

            def unfreeze(self):
                self.w.requires_grad = True
        """,
    ),
    case(
        "module-stores-its-own-flag-and-reads-it",
        """\
        import torch
        import torch.nn as nn


        class Embedder(nn.Module):
            def __init__(self, vocab, dim, requires_grad=True):
                super().__init__()
                self.requires_grad = requires_grad
                self.table = nn.Parameter(torch.randn(vocab, dim), requires_grad=self.requires_grad)

            def forward(self, idx):
                return self.table[idx]


        emb = Embedder(10, 4, requires_grad=False)
        assert not emb.table.requires_grad
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
