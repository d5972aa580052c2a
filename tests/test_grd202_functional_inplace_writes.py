"""GRD202 for a functional in-place write (``F.dropout(h, p, inplace=True)``, ``F.relu(h,
inplace=True)``) to a tensor an earlier op saved for backward (the output of
a sigmoid): backward raises "modified by an inplace operation" (checked with torch 2.13; the
dreamgonfly/GAN-tutorial #1 discriminator's in-place dropout). A dropout with ``training=False``
writes nothing, a linear layer's output is not saved, and nothing is saved under no_grad.
"""

from snippets import case_maker, rule_tests

CODE = "GRD202"
case = case_maker(CODE)


def script(make, write, wrap=""):
    return (
        """\
import torch
import torch.nn as nn
import torch.nn.functional as F

fc = nn.Linear(4, 3)
x = torch.randn(2, 4)
"""
        + wrap
        + f"h = {make}\n"
        + write
        + "\nh.sum().backward()\n"
    )


POSITIVES = [
    case("dropout-inplace", script("torch.sigmoid(fc(x))", "F.dropout(h, 0.3, True, inplace=True)  # expect: GRD202"), [8]),
    case("relu-inplace-keyword", script("torch.tanh(fc(x))", "F.relu(h, inplace=True)  # expect: GRD202"), [8]),
    case(
        "dropout-rebound",
        script("torch.sigmoid(fc(x))", "h = F.dropout(h, p=0.5, inplace=True)  # expect: GRD202"),
        [8],
    ),
]

NEGATIVES = [
    case("dropout-not-training", script("torch.sigmoid(fc(x))", "F.dropout(h, 0.3, False, inplace=True)")),
    case("dropout-training-keyword-false", script("torch.sigmoid(fc(x))", "F.dropout(h, 0.3, training=False, inplace=True)")),
    case("linear-output-not-saved", script("fc(x)", "F.relu(h, inplace=True)")),
    case("out-of-place", script("torch.sigmoid(fc(x))", "h = F.dropout(h, 0.3)")),
    case(
        # pytorch #727: the in-place relu on the leaf raises (GRD201), the dropout after it is not reached
        "after-a-write-that-raised",
        script("x.clone().detach().requires_grad_(True)", "h = F.relu(h, inplace=True)\nh = F.dropout(h, p=0.1, inplace=True)"),
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
