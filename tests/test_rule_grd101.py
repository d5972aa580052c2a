"""GRD101 tensor-from-graph-values: torch.tensor(...) & co. built from grad tensors.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD101`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD101"
case = case_maker(CODE)


POSITIVES = [
    case(
        "module-level-list-of-indexed-elements",
        """\
        import torch

        a = torch.randn(2, requires_grad=True)
        b = a * 3.0
        packed = torch.tensor([b[0], b[1]])  # expect: GRD101
        packed.sum().backward()
        """,
        [5],
    ),
    case(
        "alias-import-torch-as-T-parameter-reductions",
        """\
        import torch as T

        w = T.nn.Parameter(T.randn(4))
        stats = T.tensor([w.sum(), w.mean()])  # expect: GRD101
        loss = (stats ** 2).sum()
        loss.backward()
        """,
        [4],
    ),
    case(
        "comprehension-over-module-outputs",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        sequences = torch.randn(6, 5, 4)
        targets = torch.randn(6)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        for epoch in range(3):
            optimizer.zero_grad()
            scores = torch.tensor([model(s).sum() for s in sequences])  # expect: GRD101
            loss = nn.functional.mse_loss(scores, targets)
            loss.backward()
            optimizer.step()
        """,
        [10],
    ),
    case(
        "losses-appended-in-loop-then-packed",
        """\
        import torch
        from torch import nn

        model = nn.Linear(3, 1)
        criterion = nn.MSELoss()
        batches = [(torch.randn(8, 3), torch.randn(8, 1)) for _ in range(4)]
        losses = []
        for x, y in batches:
            losses.append(criterion(model(x), y))
        total = torch.FloatTensor(losses).sum()  # expect: GRD101
        total.backward()
        """,
        [10],
    ),
    case(
        "method-of-module-with-parameter-attribute",
        """\
        import torch
        import torch.nn as nn


        class Gains(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(torch.ones(3))

            def forward(self, x):
                scale = torch.tensor([self.w[0] * 2, self.w[1], self.w[2]])  # expect: GRD101
                return x * scale


        m = Gains()
        m(torch.randn(5, 3)).sum().backward()
        """,
        [11],
    ),
    case(
        "as-tensor-of-tuple-in-function",
        """\
        import torch
        from torch.nn import Parameter

        alpha = Parameter(torch.tensor(0.5))
        beta = Parameter(torch.tensor(1.5))


        def mixture(x):
            coeffs = torch.as_tensor((alpha, beta))  # expect: GRD101
            return coeffs[0] * x + coeffs[1] * x ** 2


        mixture(torch.randn(10)).sum().backward()
        """,
        [9],
    ),
    case(
        "tensor-of-single-grad-name",
        """\
        import torch
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        out = net(torch.randn(2, 4))
        copy = torch.tensor(out)  # expect: GRD101
        copy.sum().backward()
        """,
        [6],
    ),
    case(
        "parameter-norms-from-parameters-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(5, 2)
        norms = []
        for p in model.parameters():
            norms.append(p.norm())
        penalty = torch.Tensor(norms).sum()  # expect: GRD101
        (model(torch.randn(3, 5)).sum() + penalty).backward()
        """,
        [8],
    ),
    case(
        "value-carried-across-loop-iterations",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        h = torch.ones(3)
        trace = []
        for step in range(4):
            h = torch.tanh(h * w)
            trace.append(h.sum())
        series = torch.tensor(trace)  # expect: GRD101
        series.mean().backward()
        """,
        [9],
    ),
    case(
        "hidden-state-carried-across-iterations",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        h = torch.ones(3)
        loss = torch.zeros(())
        for step in range(4):
            h = torch.tanh(h * w)
            ends = torch.tensor([h[0], h[-1]])  # expect: GRD101
            loss = loss + ends.pow(2).sum()
        loss.backward()
        """,
        [8],
    ),
    case(
        "history-list-seeded-with-a-grad-value",
        """\
        import torch
        import torch.nn as nn

        rnn_cell = nn.GRUCell(4, 4)
        h = torch.zeros(1, 4)
        x = torch.randn(5, 1, 4)
        h = rnn_cell(x[0], h)
        energies = [h.pow(2).sum()]
        for t in range(1, 5):
            h = rnn_cell(x[t], h)
            energies.append(h.pow(2).sum())
        loss = torch.tensor(energies).mean()  # expect: GRD101
        loss.backward()
        """,
        [12],
    ),
    case(
        "two-findings-in-one-program",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        y = x.exp()
        first = torch.tensor([y[0], y[1]])  # expect: GRD101
        second = torch.DoubleTensor([x.sum(), y.sum()])  # expect: GRD101
        """,
        [5, 6],
    ),
    case(
        "variable-of-a-model-output-detaches-it",
        """\
        import torch
        import torch.nn as nn
        from torch.autograd import Variable

        model = nn.Linear(3, 1)
        out = Variable(model(torch.randn(4, 3)))  # expect: GRD101
        out.sum().backward()
        """,
        [6],
    ),
    case(
        "variable-of-an-op-on-a-leaf",
        """\
        import torch

        a = torch.randn(3, requires_grad=True)
        b = torch.autograd.Variable(a * 2)  # expect: GRD101
        """,
        [4],
    ),
    case(
        # bug threads on REINFORCE: the log-probabilities come from a caller that cannot tell what the
        # policy is, but the tensor packed from them never requires grad, so backpropagating it raises
        "policy-loss-packed-from-log-probs-of-unknown-origin-then-backpropagated",
        """\
        import torch


        def finish_episode(optimizer, log_probs, returns):
            loss = torch.tensor([-lp * g for lp, g in zip(log_probs, returns)]).sum()  # expect: GRD101
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


        def run_episode(env, policy, optimizer):
            obs, done, log_probs, rewards = env.reset(), False, [], []
            while not done:
                dist = policy(torch.as_tensor(obs))
                action = dist.sample()
                log_probs.append(dist.log_prob(action))
                obs, reward, done, _ = env.step(action.item())
                rewards.append(reward)
            finish_episode(optimizer, log_probs, rewards)
        """,
        [5],
    ),
    case(
        "list-of-helper-losses-packed-then-its-mean-backpropagated",
        """\
        import torch


        def step(model, batches, criterion, optimizer):
            losses = []
            for x, y in batches:
                losses.append(criterion(model(x), y))
            total = torch.tensor(losses)  # expect: GRD101
            optimizer.zero_grad()
            total.mean().backward()
            optimizer.step()


        def train(model, loader, criterion, optimizer):
            for batches in loader:
                step(model, batches, criterion, optimizer)
        """,
        [8],
    ),
]


NEGATIVES = [
    case(
        "packed-unknown-values-plus-a-term-that-may-carry-the-graph",
        """\
        import torch


        def step(model, x, parts, optimizer):
            loss = torch.tensor(parts).sum() + model(x).mean()
            extra = torch.tensor([p * 2 for p in parts]).sum() + model(x).sum()
            (loss + extra).backward()
        """,
    ),
    case(
        "packed-values-used-as-weights-of-a-graph-term",
        """\
        import torch


        def step(model, x, scores):
            weights = torch.tensor([s.item() for s in scores])
            out = (weights * model(x)).sum()
            out.backward()
        """,
    ),
    case(
        "name-rebound-to-the-model-loss-before-its-backward",
        """\
        import torch


        def step(model, x, parts, criterion):
            loss = torch.tensor([p for p in parts]).sum()
            print(loss)
            loss = criterion(model(x))
            loss.backward()
        """,
    ),
    case(
        "packed-numbers-never-backpropagated",
        """\
        import torch


        def log(losses, rewards):
            history = torch.tensor([l for l in losses])
            returns = torch.tensor([r * 0.99 for r in rewards])
            return history.mean(), returns
        """,
    ),
    case(
        # ENAS-pytorch shared_rnn.py: a dropout mask made from .data and shaped like the weight
        "mask-shaped-like-a-parameter-wrapped-in-variable",
        """\
        import torch
        import torch.nn as nn
        from torch.autograd import Variable

        w = nn.Parameter(torch.randn(4, 3))
        mask = w.data.new(4, 1)
        mask.bernoulli_(0.5)
        mask = mask.expand_as(w)
        masked = w * Variable(mask)
        """,
    ),
    case(
        "stack-keeps-the-graph",
        """\
        import torch

        a = torch.randn(2, requires_grad=True)
        b = a * 3.0
        packed = torch.stack([b[0], b[1]])
        packed.sum().backward()
        """,
    ),
    case(
        "item-values-for-logging",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        losses = []
        for _ in range(3):
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            losses.append(loss.item())
        history = torch.tensor(losses)
        print(history.mean())
        """,
    ),
    case(
        "inside-no-grad-block",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        sequences = torch.randn(6, 5, 4)
        with torch.no_grad():
            scores = torch.tensor([model(s).sum() for s in sequences])
        print(scores.argmax())
        """,
    ),
    case(
        "inside-no-grad-decorated-function",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)


        @torch.no_grad()
        def evaluate(batches):
            return torch.tensor([model(x).mean() for x in batches])


        print(evaluate([torch.randn(3, 4), torch.randn(2, 4)]))
        """,
    ),
    case(
        "inside-inference-mode",
        """\
        import torch
        from torch import nn

        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        with torch.inference_mode():
            out = net(torch.randn(2, 4))
            summary = torch.tensor([out.min(), out.max()])
        print(summary)
        """,
    ),
    case(
        "detached-elements",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        y = w * 2
        snapshot = torch.tensor([y[0].detach(), y[1].detach()])
        y.sum().backward()
        print(snapshot)
        """,
    ),
    case(
        "float-and-tolist-values",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(2, 2)
        out = model(torch.randn(4, 2))
        as_floats = torch.tensor([float(v) for v in out.detach().flatten()])
        as_list = torch.tensor(out.tolist())
        print(as_floats, as_list)
        """,
    ),
    case(
        "tensors-that-never-required-grad",
        """\
        import torch

        x = torch.randn(5)
        m = x.mean()
        s = x.std()
        stats = torch.tensor([m, s])
        print(stats)
        """,
    ),
    case(
        "as-tensor-of-a-single-grad-tensor",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        same = torch.as_tensor(w)
        same.sum().backward()
        print(w.grad)
        """,
    ),
    case(
        "unknown-function-parameters",
        """\
        import torch


        def pack(a, b):
            return torch.tensor([a, b])


        print(pack(1.0, 2.0))
        """,
    ),
    case(
        "requires-grad-switched-off",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        w.requires_grad_(False)
        v = torch.tensor([w[0], w[1]])
        print(v)
        """,
    ),
    case(
        "data-attribute-values",
        """\
        import torch
        import torch.nn as nn

        fc = nn.Linear(3, 1)
        bias_copy = torch.tensor(fc.bias.data)
        weights = torch.tensor([p.data.norm() for p in fc.parameters()])
        print(bias_copy, weights)
        """,
    ),
    case(
        "rewrap-as-new-leaf-is-grd102-not-grd101",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        y = x * 2
        z = torch.tensor([y[0], y[1]], requires_grad=True)
        """,
    ),
    case(
        "copy-whose-positions-are-taken",
        # an accuracy helper: the copy's argmax is an index tensor, with no graph to lose
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 3)


        def accuracy(x, labels):
            logits = model(x)
            preds = torch.argmax(torch.tensor(logits), dim=-1)
            if preds.ndim > 1:
                preds = preds.view(-1)
            return (preds == labels).sum().item()


        def accuracy2(x, labels):
            preds = torch.tensor(model(x)).argmax(-1).view(-1)
            return (preds == labels).sum().item()


        print(accuracy(torch.randn(2, 4), torch.tensor([0, 1])), accuracy2(torch.randn(2, 4), torch.tensor([0, 1])))
        """,
    ),
    case(
        "variable-of-data-is-only-deprecated",
        """\
        import torch
        from torch.autograd import Variable

        x = Variable(torch.randn(4, 3))
        y = Variable(x.detach())
        """,
    ),
    case(
        "variable-rewrap-as-a-leaf-is-grd102",
        """\
        import torch
        from torch.autograd import Variable

        a = torch.randn(3, requires_grad=True)
        b = Variable(a * 2, requires_grad=True)
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
