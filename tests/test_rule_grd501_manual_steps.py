"""GRD501 on gradient descent written by hand: ``w -= lr * w.grad`` in a loop that never clears ``w.grad``.

``backward()`` adds to ``.grad``; an update that reads it in every iteration of a loop with no
``w.grad.zero_()`` (or ``w.grad = None``, ``model.zero_grad()``) applies the running sum of every
gradient so far, as a missing ``optimizer.zero_grad()`` does. The linear-regression-from-scratch
loop of tutorials and forum threads; PGD attacks that step ``delta.data`` from ``delta.grad``.
"""

from snippets import case_maker, rule_tests

CODE = "GRD501"
case = case_maker(CODE)

POSITIVES = [
    case(
        "leaves-updated-under-no-grad",
        """\
        import torch

        x = torch.randn(100, 3)
        y = x @ torch.tensor([1.0, 2.0, 3.0])
        w = torch.zeros(3, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        for epoch in range(100):
            loss = ((x @ w + b - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= 0.01 * w.grad  # expect: GRD501
                b -= 0.01 * b.grad  # expect: GRD501
        """,
        [11, 12],
    ),
    case(
        "parameters-updated-through-data",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(3, 1)
        for epoch in range(100):
            x, y = torch.randn(8, 3), torch.randn(8, 1)
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            for p in model.parameters():
                p.data -= 0.01 * p.grad.data  # expect: GRD501
        """,
        [10],
    ),
    case(
        "in-place-methods-and-data-assignment",
        """\
        import torch


        def fit(x, y, steps, lr):
            w = torch.randn(3, requires_grad=True)
            b = torch.randn(1, requires_grad=True)
            for _ in range(steps):
                loss = ((x @ w + b - y) ** 2).mean()
                loss.backward()
                w.data.sub_(lr * w.grad.data)  # expect: GRD501
                b.data = b.data - lr * b.grad  # expect: GRD501
            return w, b
        """,
        [10, 11],
    ),
    case(
        "batches-backpropagated-in-an-inner-loop-update-per-epoch",
        """\
        import torch

        w = torch.zeros(3, requires_grad=True)
        batches = [(torch.randn(4, 3), torch.randn(4)) for _ in range(5)]
        for epoch in range(10):
            for x, y in batches:
                loss = ((x @ w - y) ** 2).mean()
                loss.backward()
            with torch.no_grad():
                w.sub_(0.1 * w.grad)  # expect: GRD501
        """,
        [10],
    ),
    case(
        "params-listed-by-hand",
        """\
        import torch

        w1 = torch.randn(3, 4, requires_grad=True)
        w2 = torch.randn(4, 1, requires_grad=True)
        for step in range(100):
            x = torch.randn(8, 3)
            loss = (x @ w1 @ w2).pow(2).mean()
            loss.backward()
            with torch.no_grad():
                for w in [w1, w2]:
                    w -= 0.01 * w.grad  # expect: GRD501
        """,
        [11],
    ),
]

HELPER = """\
import torch


def sgd(params, lr):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad  # expect: GRD501
            CLEAR


X = torch.randn(100, 2)
y = X @ torch.tensor([2.0, -3.4]) + 4.2
w = torch.zeros(2, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for epoch in range(3):
    for i in range(0, 100, 10):
        loss = ((X[i:i + 10] @ w + b - y[i:i + 10]) ** 2).mean()
        loss.backward()
        sgd([w, b], 0.03)
        AFTER_STEP
"""

POSITIVES.append(
    # a d2l-style helper that forgets the clear: reported at its update
    case("a-helper-of-the-file-steps-without-clearing", HELPER.replace("CLEAR", "pass").replace("AFTER_STEP", "pass"), [7])
)

NEGATIVES = [
    case(
        "the-helper-clears",
        HELPER.replace("CLEAR", "param.grad.zero_()").replace("AFTER_STEP", "pass").replace("  # expect: GRD501", ""),
    ),
    case(
        "the-calling-loop-clears",
        HELPER.replace("CLEAR", "pass").replace("AFTER_STEP", "w.grad = b.grad = None").replace("  # expect: GRD501", ""),
    ),
    case(
        "a-helper-stepping-tensors-it-makes-itself",
        """\
        import torch


        def fit_once(x):
            w = torch.zeros(3, requires_grad=True)
            (x @ w).pow(2).mean().backward()
            with torch.no_grad():
                w -= 0.1 * w.grad
            return w


        for trial in range(5):
            loss = fit_once(torch.randn(8, 3)).sum()
        """,
    ),
    case(
        "cleared-after-the-update",
        """\
        import torch

        x = torch.randn(100, 3)
        y = x @ torch.tensor([1.0, 2.0, 3.0])
        w = torch.zeros(3, requires_grad=True)
        for epoch in range(100):
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= 0.01 * w.grad
                w.grad.zero_()
        """,
    ),
    case(
        "set-to-none-before-backward",
        """\
        import torch

        w = torch.zeros(3, requires_grad=True)
        for epoch in range(100):
            w.grad = None
            loss = (torch.randn(8, 3) @ w).pow(2).mean()
            loss.backward()
            with torch.no_grad():
                w -= 0.01 * w.grad
        """,
    ),
    case(
        "model-zero-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(3, 1)
        for epoch in range(100):
            model.zero_grad()
            loss = model(torch.randn(8, 3)).pow(2).mean()
            loss.backward()
            for p in model.parameters():
                p.data.add_(p.grad.data, alpha=-0.01)
        """,
    ),
    case(
        "grad-data-zeroed",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(3, 1)
        for epoch in range(100):
            loss = model(torch.randn(8, 3)).pow(2).mean()
            loss.backward()
            for p in model.parameters():
                p.data -= 0.01 * p.grad.data
                p.grad.data.zero_()
        """,
    ),
    case(
        "a-helper-of-the-file-steps-and-clears",
        """\
        import torch


        def sgd(params, lr):
            with torch.no_grad():
                for param in params:
                    param -= lr * param.grad
                    param.grad.zero_()


        w = torch.zeros(3, requires_grad=True)
        for epoch in range(100):
            loss = (torch.randn(8, 3) @ w).pow(2).mean()
            loss.backward()
            sgd([w], 0.01)
        """,
    ),
    case(
        "a-new-leaf-each-iteration",
        """\
        import torch

        x0 = torch.randn(3)
        for step in range(10):
            x = x0.clone().requires_grad_(True)
            loss = x.pow(2).sum()
            loss.backward()
            with torch.no_grad():
                x -= 0.1 * x.grad
            x0 = x.detach()
        """,
    ),
    case(
        "gradients-from-autograd-grad-are-not-accumulated",
        """\
        import torch

        w = torch.zeros(3, requires_grad=True)
        for epoch in range(100):
            loss = (torch.randn(8, 3) @ w).pow(2).mean()
            (g,) = torch.autograd.grad(loss, w)
            with torch.no_grad():
                w -= 0.01 * g
        """,
    ),
    case(
        "a-single-update-outside-any-loop",
        """\
        import torch

        w = torch.zeros(3, requires_grad=True)
        loss = (torch.randn(8, 3) @ w).pow(2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
        """,
    ),
    case(
        "update-with-gradients-on-raises-first-grd201-says-so",
        """\
        import torch

        w = torch.zeros(3, requires_grad=True)
        for epoch in range(100):
            loss = (torch.randn(8, 3) @ w).pow(2).mean()
            loss.backward()
            w -= 0.01 * w.grad
        """,
    ),
    case(
        "ema-of-weights-reads-no-gradient",
        """\
        import copy
        import torch
        import torch.nn as nn

        model = nn.Linear(3, 1)
        ema = copy.deepcopy(model)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(100):
            opt.zero_grad()
            model(torch.randn(8, 3)).pow(2).mean().backward()
            opt.step()
            for e, p in zip(ema.parameters(), model.parameters()):
                e.data.mul_(0.99).add_(0.01 * p.data)
        """,
    ),
    case(
        "the-tensor-rebuilt-in-each-iteration",
        """\
        import torch

        for trial in range(5):
            w = torch.zeros(3, requires_grad=True)
            loss = (torch.randn(8, 3) @ w).pow(2).mean()
            loss.backward()
            with torch.no_grad():
                w -= 0.01 * w.grad
        """,
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
