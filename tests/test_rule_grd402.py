"""GRD402 misspelled-requires-grad: assigning a misspelling of requires_grad freezes nothing.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD402`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD402"
case = case_maker(CODE)


POSITIVES = [
    case(
        "require-grad-in-parameters-loop",
        """\
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2))
        for p in model.parameters():
            p.require_grad = False  # expect: GRD402
        """,
        [5],
    ),
    case(
        "requires-grads-in-named-parameters-loop",
        """\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Linear(8, 32)
                self.classifier = nn.Linear(32, 2)


        model = Net()
        for name, p in model.named_parameters():
            if name.startswith("features."):
                p.requires_grads = False  # expect: GRD402
        """,
        [14],
    ),
    case(
        "requieres-grad-on-plain-tensor",
        """\
        import torch

        x = torch.randn(3)
        x.requieres_grad = True  # expect: GRD402
        """,
        [4],
    ),
    case(
        "requires-gradient-on-module",
        """\
        from torch import nn

        encoder = nn.GRU(8, 16)
        encoder.requires_gradient = False  # expect: GRD402
        """,
        [4],
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

            def freeze(self):
                self.w.require_grad = False  # expect: GRD402
        """,
        [11],
    ),
    case(
        "from-import-parameter-required-grad",
        """\
        import torch
        from torch.nn import Parameter

        bias = Parameter(torch.zeros(4))
        bias.required_grad = False  # expect: GRD402
        """,
        [5],
    ),
    case(
        "alias-T-reqires-grad-in-function",
        """\
        import torch as T


        def make_input():
            x = T.zeros(2, 3)
            x.reqires_grad = True  # expect: GRD402
            return x
        """,
        [6],
    ),
    case(
        "layer-weight-capitalised",
        """\
        import torch.nn as nn

        fc = nn.Linear(4, 4)
        fc.weight.Requires_Grad = False  # expect: GRD402
        fc.bias.requires_grad_ = False  # expect: GRD402
        """,
        [4, 5],
    ),
    case(
        "submodule-in-init",
        """\
        import torch.nn as nn


        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.backbone = nn.Linear(8, 8)
                self.backbone.require_grad = False  # expect: GRD402
                self.head = nn.Linear(8, 2)
        """,
        [8],
    ),
    case(
        "loop-over-model-parameters-of-nn-module-import",
        """\
        import torch.nn as nn
        import torch.optim as optim

        model = nn.Sequential(nn.Embedding(100, 16), nn.Linear(16, 4))
        for p in model[0].parameters():
            p.require_grads = False  # expect: GRD402
        optimizer = optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
        """,
        [6],
    ),
    case(
        "transposed-letters-requires-gard",
        """\
        import torch.nn as nn

        model = nn.Linear(8, 2)
        for p in model.parameters():
            p.requires_gard = False  # expect: GRD402
        """,
        [5],
    ),
    case(
        "same-typo-read-back-when-building-the-optimizer",
        """\
        import torch
        import torch.nn as nn
        import torch.optim as optim

        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
        for p in model.parameters():
            p.require_grad = False  # expect: GRD402
        for p in model[2].parameters():
            p.require_grad = True  # expect: GRD402
        optimizer = optim.SGD([p for p in model.parameters() if p.require_grad], lr=0.1)
        """,
        [7, 9],
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
                self.require_grad = False  # expect: GRD402

            def forward(self, x):
                return self.norm(self.proj(x))


        encoder = FrozenEncoder()
        """,
        [10],
    ),
]


NEGATIVES = [
    case(
        "correct-spelling",
        """\
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2))
        for p in model.parameters():
            p.requires_grad = False
        """,
    ),
    case(
        "config-namespace-require-grad-field",
        """\
        import types

        import torch.nn as nn

        cfg = types.SimpleNamespace(lr=0.1)
        cfg.require_grad = False
        model = nn.Linear(4, 2)
        model.requires_grad_(cfg.require_grad)
        """,
    ),
    case(
        "argparse-options-requires-grads",
        """\
        import argparse

        parser = argparse.ArgumentParser()
        opt = parser.parse_args([])
        opt.requires_grads = True
        print(opt)
        """,
    ),
    case(
        "config-class-with-require-grad",
        """\
        import torch
        import torch.nn as nn


        class TrainConfig:
            def __init__(self, require_grad=True):
                self.require_grad = require_grad


        config = TrainConfig()
        config.require_grad = False
        w = nn.Parameter(torch.randn(3), requires_grad=config.require_grad)
        """,
    ),
    case(
        "clearing-grad-and-similar-real-attributes",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        model(torch.randn(3, 4)).sum().backward()
        for p in model.parameters():
            p.grad = None
            p.requires_grad = True
        """,
    ),
    case(
        "dict-key-spelled-differently",
        """\
        import torch.nn as nn

        settings = {}
        settings["require_grad"] = False
        model = nn.Linear(4, 2)
        model.requires_grad_(settings["require_grad"])
        """,
    ),
    case(
        "unknown-function-parameter",
        """\
        def configure(layer_cfg):
            layer_cfg.require_grad = False
            return layer_cfg
        """,
    ),
    case(
        "method-call-not-assignment",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        w.requires_grad_(False)
        x = torch.zeros(3).requires_grad_()
        """,
    ),
    case(
        "distinct-attribute-names-on-module",
        """\
        import torch.nn as nn


        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.grad_scale = 1.0
                self.requires_grad_mask = None
                self.freeze_grad = False
        """,
    ),
    case(
        "module-stores-its-own-require-grad-flag",
        """\
        import torch
        import torch.nn as nn


        class Embedder(nn.Module):
            def __init__(self, vocab, dim, require_grad=True):
                super().__init__()
                self.require_grad = require_grad
                self.table = nn.Parameter(torch.randn(vocab, dim), requires_grad=self.require_grad)


        emb = Embedder(10, 4, require_grad=False)
        assert not emb.table.requires_grad
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
