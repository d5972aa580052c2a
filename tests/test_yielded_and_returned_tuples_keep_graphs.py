"""What a generator yields, and each position of a tuple a helper returns, keeps the graphs of the
arguments it was computed from, in the caller's names (``return_deps.through_results``): labels made
once from weights that require grad (``Y = X @ true_w``), sliced per batch by ``yield X[j], Y[j]`` or
``return X[j], Y[j]``, carry that graph into each backward(), and the second iteration raises "Trying
to backward through the graph a second time" under torch 2.13 (GRD504). Each position carries only
its own arguments' graphs: a fresh forward beside a logged slice of a graph is not built on it."""

from snippets import case_maker, rule_tests

case = case_maker("GRD504")

GENERATOR = """\
import torch


def synthetic_regression(n=256):
    features = torch.randn(n, 3)
    true_w = torch.tensor([[2.0], [-1.0], [0.5]], requires_grad=True)
    targets = features @ true_w + 0.01 * torch.randn(n, 1)
    return features, targets


def minibatches(features, targets, size):
    order = torch.randperm(features.shape[0])
    for start in range(0, features.shape[0], size):
        rows = order[start:start + size]
        yield features[rows], targets[rows]


def fit(epochs=2, lr=0.03):
    features, targets = synthetic_regression()
    w = torch.zeros(3, 1, requires_grad=True)
    for epoch in range(epochs):
        for x, y in minibatches(features, targets, 32):
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()  # expect: GRD504
            with torch.no_grad():
                w -= lr * w.grad
                w.grad.zero_()


fit()
"""
UNMARKED = GENERATOR.replace("  # expect: GRD504", "")

POSITIVES = [
    case("generator_yields_slices_of_a_graph_built_before_the_loop", GENERATOR, lines=(24,)),
    case(
        "helper_returns_a_tuple_of_slices",
        """\
import torch
import torch.nn as nn


def batch_at(inputs, targets, i, size=16):
    return inputs[i * size:(i + 1) * size], targets[i * size:(i + 1) * size]


def main():
    teacher = nn.Linear(8, 1)
    inputs = torch.randn(64, 8)
    targets = teacher(inputs)
    student = nn.Linear(8, 1)
    optimizer = torch.optim.SGD(student.parameters(), lr=0.1)
    for i in range(4):
        x, y = batch_at(inputs, targets, i)
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(student(x), y)
        loss.backward()  # expect: GRD504
        optimizer.step()


main()
""",
        lines=(19,),
    ),
]

NEGATIVES = [
    case(
        "labels_made_under_no_grad",
        UNMARKED.replace(
            "    targets = features @ true_w + 0.01 * torch.randn(n, 1)",
            "    with torch.no_grad():\n        targets = features @ true_w + 0.01 * torch.randn(n, 1)",
        ),
    ),
    case(
        "yielded_labels_detached",
        UNMARKED.replace("yield features[rows], targets[rows]", "yield features[rows], targets[rows].detach()"),
    ),
    case(
        "graph_slice_at_another_position_only_logged",
        """\
import torch
import torch.nn as nn


def step_outputs(model, x, reference, i):
    return model(x), reference[i]


def main():
    encoder = nn.Linear(8, 4)
    inputs = torch.randn(5, 8)
    reference = encoder(inputs)
    model = nn.Linear(8, 4)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for i in range(5):
        out, ref = step_outputs(model, inputs[i], reference, i)
        optimizer.zero_grad()
        loss = (out - 1.0).pow(2).mean()
        loss.backward()
        optimizer.step()
        print(i, loss.item(), ref.detach().norm().item())


main()
""",
    ),
    case(
        "generator_yields_a_fresh_forward",
        """\
import torch
import torch.nn as nn


def predictions(model, loader):
    for x, y in loader:
        yield model(x), y


def main():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loader = [(torch.randn(6, 4), torch.randn(6, 1)) for _ in range(3)]
    for epoch in range(2):
        for out, y in predictions(model, loader):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(out, y)
            loss.backward()
            optimizer.step()


main()
""",
    ),
]

test_fires, test_silent = rule_tests("GRD504", POSITIVES, NEGATIVES)
