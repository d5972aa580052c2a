"""GRD503 on a parameter read from ``dict(model.named_parameters())`` (androidkt's "Can't call
numpy() on Tensor that requires grad": a weight plotted from the dict by its name). Each value of
that dict is a parameter of the model, a leaf that requires grad while the model is trainable. A
detached read, a frozen model, or the state_dict's values (detached) stay silent.
"""

from snippets import case_maker, rule_tests

CODE = "GRD503"
case = case_maker(CODE)


def plot(read, freeze=""):
    return (
        """\
import torch.nn as nn


def plot():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
"""
        + freeze
        + """\
    weights = dict(model.named_parameters())
    w = weights["0.weight"]
"""
        + read
    )


POSITIVES = [
    case("numpy-of-a-named-parameter", plot("    return w.numpy()  # expect: GRD503\n"), [8]),
    case(
        "numpy-of-a-subscript",
        plot("    return weights[\"2.bias\"].numpy()  # expect: GRD503\n"),
        [8],
    ),
]

NEGATIVES = [
    case("detached-first", plot("    return w.detach().numpy()\n")),
    case("frozen-model", plot("    return w.numpy()\n", freeze="    model.requires_grad_(False)\n")),
    case(
        "state-dict-values",
        plot("    return dict(model.state_dict())[\"0.weight\"].numpy()\n"),
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
