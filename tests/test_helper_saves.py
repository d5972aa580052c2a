"""What a helper's graph saved, in the caller's names: ``loss = calc_loss(xb, yb, weights, bias)``
whose weight penalty ``(weights ** 2).sum()`` saved ``weights``; a write through ``weights.data``
before ``loss.backward()`` silently changes the gradient (GRD203; fastbook PR #471's
``weights[0].data *= 1.0001`` between the forward and backward). A helper that saved only what it
made itself, or a write after the backward, is fine (``helper_saves``)."""

from snippets import case_maker, rule_tests

CODE = "GRD203"
case = case_maker(CODE)

_HEAD = """\
        import torch


        def init_params(size, std=1.0):
            return (torch.randn(size) * std).requires_grad_()


        def calc_loss(xb, yb, weights, bias, wd=1e-2):
            preds = (xb @ weights + bias).sigmoid()
            return torch.where(yb == 1, 1 - preds, preds).mean() + wd * (weights ** 2).sum()


        def plain_loss(xb, yb, weights, bias):
            preds = (xb @ weights + bias).sigmoid()
            return torch.where(yb == 1, 1 - preds, preds).mean()

"""

POSITIVES = [
    case(
        "data-write-between-a-helper-loss-and-its-backward",
        _HEAD
        + """\

        def train_epoch(dl, weights, bias, lr):
            for xb, yb in dl:
                loss = calc_loss(xb, yb, weights, bias)
                weights.data[0] *= 1.0001  # expect: GRD203
                loss.backward()
                with torch.no_grad():
                    for p in (weights, bias):
                        p -= p.grad * lr
                        p.grad.zero_()


        weights = init_params((8, 1))
        bias = init_params(1)
        train_epoch([(torch.rand(4, 8), torch.randint(0, 2, (4, 1)))], weights, bias, 1.0)
        """,
        [21],
    ),
]

NEGATIVES = [
    case(
        "data-write-after-the-backward",
        _HEAD
        + """\

        def train_epoch(dl, weights, bias, lr):
            for xb, yb in dl:
                loss = calc_loss(xb, yb, weights, bias)
                loss.backward()
                weights.data[0] *= 1.0001
                with torch.no_grad():
                    for p in (weights, bias):
                        p -= p.grad * lr
                        p.grad.zero_()


        weights = init_params((8, 1))
        bias = init_params(1)
        train_epoch([(torch.rand(4, 8), torch.randint(0, 2, (4, 1)))], weights, bias, 1.0)
        """,
    ),
    case(
        "helper-graph-does-not-save-the-weights",
        _HEAD
        + """\

        def train_epoch(dl, weights, bias, lr):
            for xb, yb in dl:
                loss = plain_loss(xb, yb, weights, bias)
                weights.data[0] *= 1.0001
                loss.backward()
                with torch.no_grad():
                    for p in (weights, bias):
                        p -= p.grad * lr
                        p.grad.zero_()


        weights = init_params((8, 1))
        bias = init_params(1)
        train_epoch([(torch.rand(4, 8), torch.randint(0, 2, (4, 1)))], weights, bias, 1.0)
        """,
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
