"""GRD403 requires-grad-comparison: `p.requires_grad == False` as a statement changes nothing.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD403`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD403"
case = case_maker(CODE)


POSITIVES = [
    case(
        "parameters-loop",
        """\
        import torch.nn as nn

        model = nn.Sequential(nn.Embedding(100, 16), nn.Linear(16, 4))
        for p in model[0].parameters():
            p.requires_grad == False  # expect: GRD403
        """,
        [5],
    ),
    case(
        "named-parameters-loop-with-condition",
        """\
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.embedding = nn.EmbeddingBag(100, 16)
                self.fc = nn.Linear(16, 4)


        model = Net()
        for name, p in model.named_parameters():
            if name.startswith("embedding"):
                p.requires_grad == False  # expect: GRD403
        """,
        [14],
    ),
    case(
        "layer-weight-compared-to-true",
        """\
        import torch.nn as nn

        fc = nn.Linear(4, 2)
        fc.weight.requires_grad_(False)
        fc.weight.requires_grad == True  # expect: GRD403
        """,
        [5],
    ),
    case(
        "self-parameter-in-method",
        """\
        import torch
        import torch.nn as nn


        class Scale(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(torch.ones(3))

            def freeze(self):
                self.w.requires_grad == False  # expect: GRD403
        """,
        [11],
    ),
    case(
        "bias-of-submodule-of-instance",
        """\
        import torch.nn as nn


        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 2)


        model = Head()
        model.fc.bias.requires_grad == False  # expect: GRD403
        """,
        [11],
    ),
    case(
        "alias-T-tensor-compared",
        """\
        import torch as T

        w = T.randn(3, requires_grad=True)
        w.requires_grad == False  # expect: GRD403
        loss = (w * 2).sum()
        """,
        [4],
    ),
    case(
        "in-function-on-unknown-module",
        """\
        def freeze(module):
            for p in module.parameters():
                p.requires_grad == False  # expect: GRD403
        """,
        [3],
    ),
    case(
        "under-no-grad-block",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 4)
        with torch.no_grad():
            model.weight.fill_(0.0)
            model.weight.requires_grad == False  # expect: GRD403
        """,
        [7],
    ),
    case(
        "one-line-if-suite-and-semicolon",
        """\
        from torch.nn import Parameter
        import torch

        a = Parameter(torch.zeros(2))
        b = Parameter(torch.zeros(2))
        freeze_a = True
        if freeze_a: a.requires_grad == False  # expect: GRD403
        b.requires_grad = True; b.requires_grad == False  # expect: GRD403
        """,
        [7, 8],
    ),
    case(
        "comparison-with-flag-variable-in-children-loop",
        """\
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
        trainable = False
        for child in model.children():
            for p in child.parameters():
                p.requires_grad == trainable  # expect: GRD403
        """,
        [7],
    ),
]


NEGATIVES = [
    case(
        "assert-statement",
        """\
        import torch.nn as nn

        model = nn.Linear(4, 2)
        model.requires_grad_(False)
        for p in model.parameters():
            assert p.requires_grad == False
        """,
    ),
    case(
        "if-test",
        """\
        import torch.nn as nn

        model = nn.Linear(4, 2)
        frozen = 0
        for p in model.parameters():
            if p.requires_grad == False:
                frozen += 1
        """,
    ),
    case(
        "assigned-comparison",
        """\
        import torch.nn as nn

        model = nn.Linear(4, 2)
        flags = []
        for p in model.parameters():
            is_frozen = p.requires_grad == False
            flags.append(is_frozen)
        """,
    ),
    case(
        "correct-assignment",
        """\
        import torch.nn as nn

        model = nn.Linear(4, 2)
        for p in model.parameters():
            p.requires_grad = False
        """,
    ),
    case(
        "comparison-passed-to-a-call",
        """\
        import torch.nn as nn

        model = nn.Linear(4, 2)
        print(all(p.requires_grad == False for p in model.parameters()))
        print(model.weight.requires_grad == True)
        """,
    ),
    case(
        "augmented-count",
        """\
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2))
        n_frozen = 0
        for p in model.parameters():
            n_frozen += p.requires_grad == False
        """,
    ),
    case(
        "returned-from-function",
        """\
        import torch


        def is_frozen(t):
            return t.requires_grad == False


        print(is_frozen(torch.zeros(1)))
        """,
    ),
    case(
        "unittest-assertion-call",
        """\
        import unittest

        import torch.nn as nn


        class FreezeTest(unittest.TestCase):
            def test_frozen(self):
                model = nn.Linear(4, 2)
                model.requires_grad_(False)
                self.assertTrue(model.weight.requires_grad == False)
        """,
    ),
    case(
        "short-circuit-with-side-effect",
        """\
        import warnings

        import torch.nn as nn

        model = nn.Linear(4, 2)
        model.weight.requires_grad == True and warnings.warn("weights are trainable")
        """,
    ),
    case(
        "other-attribute-compared-as-statement-in-repl-style",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        x.grad == None
        x.is_leaf == True
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
