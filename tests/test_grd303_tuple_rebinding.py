"""GRD303 for a leaf rebound inside a tuple assignment written element for element
(``x, target = x.cuda(), target.cuda()``): each name is rebound to its own element, as in two
statements (pytorch/pytorch #12627's saliency script, corpus_threads16 p27). Before, the rule
looked only at plain-name targets, so the tuple form of ``x = x.cuda()`` went unreported."""

from snippets import case_maker, rule_tests

CODE = "GRD303"
case = case_maker(CODE)

POSITIVES = [
    case(
        "leaf-and-target-moved-together",
        """\
        import torch
        import torch.nn as nn

        def saliency(model, image, label):
            image = torch.rand(1, 3, 8, 8, requires_grad=True)
            image, label = image.cuda(), label.cuda()  # expect: GRD303
            loss = nn.functional.cross_entropy(model(image), label)
            loss.backward()
            return image.grad
        """,
        [6],
    ),
    case(
        "manual-update-with-a-decaying-step-size",
        """\
        import torch

        w = torch.zeros(3, requires_grad=True)
        lr = 0.1
        x, y = torch.randn(16, 3), torch.randn(16)
        for step in range(10):
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()
            w, lr = w - lr * w.grad, lr * 0.9  # expect: GRD303
        """,
        [9],
    ),
]

NEGATIVES = [
    case(
        "inputs-without-grad-moved-together",
        """\
        import torch
        import torch.nn as nn

        def step(model, image, label):
            image, label = image.cuda(), label.cuda()
            loss = nn.functional.cross_entropy(model(image), label)
            loss.backward()
            return loss.item()
        """,
    ),
    case(
        "manual-update-under-no-grad",
        """\
        import torch

        w = torch.zeros(3, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        x, y = torch.randn(16, 3), torch.randn(16)
        for step in range(10):
            loss = ((x @ w + b - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w, b = w - 0.1 * w.grad, b - 0.1 * b.grad
            w.requires_grad_()
            b.requires_grad_()
        """,
    ),
    case(
        "swap-of-two-leaves",
        """\
        import torch

        a = torch.zeros(3, requires_grad=True)
        b = torch.ones(3, requires_grad=True)
        a, b = b, a
        (a * b).sum().backward()
        print(a.grad, b.grad)
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
