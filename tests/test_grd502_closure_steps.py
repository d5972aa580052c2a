"""GRD502 with ``loss = optimizer.step(closure)`` (L-BFGS): the step returns what the closure returned,
the loss it backpropagated, so ``losses.append(loss)`` keeps every step's graph (neural-network-lyapunov
PR #140: "losses list only stores the float value, not the tensor"). The loop trains although its
``backward()`` is in the closure (``closure_steps``)."""

from snippets import case_maker, rule_tests

CODE = "GRD502"
case = case_maker(CODE)

_HEAD = """\
        import torch
        import torch.nn as nn


        net = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
        samples = torch.randn(64, 2)
        optimizer = torch.optim.LBFGS(net.parameters(), lr=0.5)


        def lyapunov_loss():
            v = net(samples)
            return torch.relu(net(0.9 * samples) - v + 0.01).mean() + torch.relu(-v).mean()

"""

POSITIVES = [
    case(
        "step-result-appended",
        _HEAD
        + """\

        def train(iterations):
            losses = []
            for _ in range(iterations):
                def closure():
                    optimizer.zero_grad()
                    loss = lyapunov_loss()
                    loss.backward()
                    return loss

                loss = optimizer.step(closure)
                losses.append(loss)  # expect: GRD502
            return losses


        train(3)
        """,
        [25],
    ),
]

NEGATIVES = [
    case(
        "step-result-appended-as-a-number",
        _HEAD
        + """\

        def train(iterations):
            losses = []
            for _ in range(iterations):
                def closure():
                    optimizer.zero_grad()
                    loss = lyapunov_loss()
                    loss.backward()
                    return loss

                loss = optimizer.step(closure)
                losses.append(loss.item())
            return losses


        train(3)
        """,
    ),
    case(
        "closure-returns-a-detached-loss",
        _HEAD
        + """\

        def train(iterations):
            losses = []
            for _ in range(iterations):
                def closure():
                    optimizer.zero_grad()
                    loss = lyapunov_loss()
                    loss.backward()
                    return loss.detach()

                losses.append(optimizer.step(closure))
            return losses


        train(3)
        """,
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
