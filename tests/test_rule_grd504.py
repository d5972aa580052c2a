"""GRD504 backward-twice: a second backward() through the same graph without retain_graph=True.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD504`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE
from snippets import case_maker, rule_tests

CODE = "GRD504"
case = case_maker(CODE)


POSITIVES = [
    case(
        "hidden-state-started-at-none-detached-under-a-none-guard-without-rebinding",
        # narrowing `h` under `if h is not None:` does not rebind it: it still holds the freed graph
        """\
        import torch.nn as nn


        def train(batches, optimizer):
            rnn = nn.GRU(8, 16, batch_first=True)
            head = nn.Linear(16, 4)
            h = None
            for x, y in batches:
                if h is not None:
                    h.detach()
                out, h = rnn(x, h)
                loss = nn.functional.cross_entropy(head(out[:, -1]), y)
                optimizer.zero_grad()
                loss.backward()  # expect: GRD504
                optimizer.step()
        """,
        lines=(14,),
    ),
    case(
        "a-field-of-one-output-backpropagated-twice",
        """\
        import torch
        from transformers import AutoModel

        model = AutoModel.from_pretrained("bert-base-uncased")
        outputs = model(torch.ones(1, 4, dtype=torch.long))
        outputs.loss.backward()
        outputs.loss.backward()  # expect: GRD504
        """,
        [7],
    ),
    case(
        "two-task-losses-backpropagated-one-after-the-other",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.optim as optim

        x = torch.randn(64, 10)
        y_reg = torch.randn(64)
        y_cls = torch.randint(0, 3, (64,))
        model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 4))
        optimizer = optim.SGD(model.parameters(), lr=0.05)
        for epoch in range(5):
            optimizer.zero_grad()
            out = model(x)
            loss_reg = F.mse_loss(out[:, 0], y_reg)
            loss_reg.backward()
            loss_cls = F.cross_entropy(out[:, 1:], y_cls)
            loss_cls.backward()  # expect: GRD504
            optimizer.step()
        """,
        [17],
    ),
    case(
        "same-loss-twice",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        y = (w * 2).exp()
        loss = y.sum()
        loss.backward()
        loss.backward()  # expect: GRD504
        """,
        [7],
    ),
    case(
        "graph-built-before-the-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        x, y = torch.randn(16, 4), torch.randn(16, 1)
        loss = ((model(x) - y) ** 2).mean()
        for step in range(10):
            optimizer.zero_grad()
            loss.backward()  # expect: GRD504
            optimizer.step()
        """,
        [10],
    ),
    case(
        "gan-generator-graph-reused-without-detach",
        """\
        import torch
        import torch.nn as nn

        G = nn.Sequential(nn.Linear(2, 4), nn.Tanh())
        D = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
        bce = nn.BCELoss()
        opt_d = torch.optim.Adam(D.parameters())
        opt_g = torch.optim.Adam(G.parameters())
        for step in range(3):
            fake = G(torch.randn(8, 2))
            opt_d.zero_grad()
            d_loss = bce(D(fake), torch.zeros(8, 1))
            d_loss.backward()
            opt_d.step()
            opt_g.zero_grad()
            g_loss = bce(D(fake), torch.ones(8, 1))
            g_loss.backward()  # expect: GRD504
            opt_g.step()
        """,
        [17],
    ),
    case(
        "shared-encoder-two-heads-in-function",
        """\
        import torch
        from torch import nn

        encoder = nn.Linear(8, 4)
        head_a = nn.Linear(4, 1)
        head_b = nn.Linear(4, 1)


        def step(x):
            h = encoder(x)
            loss_a = head_a(h).pow(2).mean()
            loss_a.backward()
            loss_b = head_b(h).abs().mean()
            loss_b.backward()  # expect: GRD504


        step(torch.randn(5, 8))
        """,
        [14],
    ),
    case(
        "alias-T-autograd-grad-then-backward",
        """\
        import torch as T

        x = T.randn(5, requires_grad=True)
        y = (x ** 3).sum()
        (g,) = T.autograd.grad(y, x)
        y.backward()  # expect: GRD504
        """,
        [6],
    ),
    case(
        "trainer-method-backward-per-term",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(6, 3)
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)

            def step(self, x):
                self.optimizer.zero_grad()
                out = self.model(x)
                recon = out.pow(2).mean()
                recon.backward()
                sparsity = out.abs().mean()
                sparsity.backward()  # expect: GRD504
                self.optimizer.step()


        Trainer().step(torch.randn(4, 6))
        """,
        [16],
    ),
    case(
        "nn-module-method-backward-twice-through-forward-output",
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)

            def forward(self, x):
                return torch.tanh(self.fc(x))

            def two_objectives(self, x):
                h = self(x)
                h.mean().backward()
                h.var().backward()  # expect: GRD504


        Net().two_objectives(torch.randn(3, 4))
        """,
        [16],
    ),
    case(
        "autograd-backward-function-twice",
        """\
        import torch
        import torch.nn as nn

        layer = nn.Linear(3, 1)
        loss = layer(torch.randn(4, 3)).pow(2).mean()
        torch.autograd.backward(loss)
        torch.autograd.backward(loss)  # expect: GRD504
        """,
        [7],
    ),
    case(
        "rnn-hidden-state-carried-without-detach",
        """\
        import torch
        import torch.nn as nn

        cell = nn.GRUCell(4, 4)
        optimizer = torch.optim.SGD(cell.parameters(), lr=0.1)
        h = torch.zeros(1, 4)
        for chunk in torch.randn(5, 1, 4):
            optimizer.zero_grad()
            h = cell(chunk, h)
            loss = h.pow(2).sum()
            loss.backward()  # expect: GRD504
            optimizer.step()
        """,
        [11],
    ),
    case(
        "lstm-hidden-tuple-carried-from-the-call-that-made-the-output",
        """\
        import torch
        import torch.nn as nn

        lstm = nn.LSTM(4, 8)
        head = nn.Linear(8, 1)
        optimizer = torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()))
        hidden = None
        for x, y in [(torch.randn(5, 2, 4), torch.randn(5, 2, 1))] * 3:
            optimizer.zero_grad()
            out, hidden = lstm(x, hidden)
            loss = (head(out) - y).pow(2).mean()
            loss.backward()  # expect: GRD504
            optimizer.step()
        """,
        [12],
    ),
    case(
        "hidden-state-returned-by-the-model-s-own-forward",
        """\
        import torch
        import torch.nn as nn

        class CharRNN(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.GRU(8, 16)
                self.fc = nn.Linear(16, 8)

            def forward(self, x, hidden):
                out, hidden = self.rnn(x, hidden)
                return self.fc(out), hidden

        model = CharRNN()
        optimizer = torch.optim.Adam(model.parameters())
        hidden = torch.zeros(1, 2, 16)
        for x, y in [(torch.randn(5, 2, 8), torch.randn(5, 2, 8))] * 3:
            optimizer.zero_grad()
            output, hidden = model(x, hidden)
            loss = nn.functional.mse_loss(output, y)
            loss.backward()  # expect: GRD504
            optimizer.step()
        """,
        [21],
    ),
    case(
        "running-baseline-kept-as-a-graph-across-steps",
        """\
        import torch
        import torch.nn as nn

        policy = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(policy.parameters(), lr=0.1)
        baseline = torch.zeros(())
        for step in range(10):
            reward = policy(torch.randn(8, 4)).mean()
            baseline = 0.9 * baseline + 0.1 * reward
            loss = (reward - baseline).pow(2)
            optimizer.zero_grad()
            loss.backward()  # expect: GRD504
            optimizer.step()
        """,
        [12],
    ),
    case(
        "two-task-losses-returned-by-a-helper-from-one-trunk-output",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        trunk = nn.Sequential(nn.Linear(8, 16), nn.ReLU())
        head_a = nn.Linear(16, 1)
        head_b = nn.Linear(16, 4)
        params = list(trunk.parameters()) + list(head_a.parameters()) + list(head_b.parameters())
        opt = torch.optim.SGD(params, lr=0.1)


        def task_losses(x, y):
            h = trunk(x)
            return F.mse_loss(head_a(h).squeeze(1), y), head_b(h).pow(2).mean()


        for step in range(3):
            x, y = torch.randn(4, 8), torch.randn(4)
            opt.zero_grad()
            loss_a, loss_b = task_losses(x, y)
            loss_a.backward()
            loss_b.backward()  # expect: GRD504
            opt.step()
        """,
        [22],
    ),
]


NEGATIVES = [
    case(
        "hidden-state-started-at-none-rebound-detached-under-a-none-guard",
        """\
        import torch.nn as nn


        def train(batches, optimizer):
            rnn = nn.GRU(8, 16, batch_first=True)
            head = nn.Linear(16, 4)
            h = None
            for x, y in batches:
                if h is not None:
                    h = h.detach()
                out, h = rnn(x, h)
                loss = nn.functional.cross_entropy(head(out[:, -1]), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        """,
    ),
    case(
        # a bug thread's per-chunk scale fit: the view `s[:, None]` of the leaf is taken anew in each
        # iteration, so each backward() goes through a graph of its own (the in-place update of the
        # leaf is GRD201's finding, not a second backward through a freed graph)
        "view-of-a-leaf-taken-anew-in-each-iteration",
        """\
        import torch


        def refine(inputs, steps=50, lr=1e-2):
            s = torch.ones(3).requires_grad_()
            for _ in range(steps):
                out = s[:, None] * inputs
                loss = out.sum()
                loss.backward()
                with torch.no_grad():
                    s -= lr * s.grad
                s.grad.zero_()
            return s
        """,
    ),
    case(
        # udacity deep-reinforcement-learning REINFORCE: each episode rebinds `log_prob` from a fresh
        # list before the loss is built from it; the episode that collected nothing builds no loss
        "loss-rebuilt-each-episode-from-a-list-of-log-probs",
        """\
        import torch
        import torch.nn as nn
        from torch.distributions import Categorical


        class Policy(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 2)

            def forward(self, x):
                return torch.softmax(self.fc1(x), dim=1)

            def act(self, state):
                m = Categorical(self.forward(state))
                action = m.sample()
                return action.item(), m.log_prob(action)


        policy = Policy()
        optimizer = torch.optim.Adam(policy.parameters(), lr=1e-2)


        def reinforce(env, n_episodes=1000, max_t=1000):
            for i_episode in range(n_episodes):
                saved_log_probs = []
                state = env.reset()
                for t in range(max_t):
                    action, log_prob = policy.act(state)
                    saved_log_probs.append(log_prob)
                    state, reward, done = env.step(action)
                    if done:
                        break
                policy_loss = []
                for log_prob in saved_log_probs:
                    policy_loss.append(-log_prob * 2.0)
                policy_loss = torch.cat(policy_loss).sum()
                optimizer.zero_grad()
                policy_loss.backward()
                optimizer.step()
        """,
    ),
    case(
        "a-field-of-each-iterations-new-output-backpropagated",
        """\
        import torch
        from transformers import AutoModel

        model = AutoModel.from_pretrained("bert-base-uncased")
        opt = torch.optim.AdamW(model.parameters())
        for batch in range(3):
            outputs = model(batch)
            outputs.loss.backward()
            opt.step()
            opt.zero_grad()
        """,
    ),
    case(
        "carried-states-detached-each-step",
        """\
        import torch
        import torch.nn as nn

        cell = nn.GRUCell(4, 4)
        lstm = nn.LSTM(4, 4)
        optimizer = torch.optim.SGD(list(cell.parameters()) + list(lstm.parameters()), lr=0.1)

        def repackage(state):
            return tuple(v.detach() for v in state)

        h = torch.zeros(1, 4)
        hidden = (torch.zeros(1, 1, 4), torch.zeros(1, 1, 4))
        for chunk in torch.randn(5, 1, 4):
            h = h.detach()
            hidden = repackage(hidden)
            optimizer.zero_grad()
            h = cell(chunk, h)
            out, hidden = lstm(chunk.unsqueeze(0), hidden)
            loss = h.pow(2).sum() + out.sum()
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "carried-states-detached-in-place-one-by-one-or-through-data",
        """\
        import torch
        import torch.nn as nn
        from torch.autograd import Variable

        lstm = nn.LSTM(4, 4)
        hidden = (torch.zeros(1, 1, 4), torch.zeros(1, 1, 4))
        for x in torch.randn(3, 5, 1, 4):
            for h in hidden:
                h.detach_()
            out, hidden = lstm(x, hidden)
            out.sum().backward()
        state = (torch.zeros(1, 1, 4), torch.zeros(1, 1, 4))
        for x in torch.randn(3, 5, 1, 4):
            state = tuple(Variable(v.data) for v in state)
            out, state = lstm(x, state)
            out.sum().backward()
        """,
    ),
    case(
        "carried-state-detached-in-place-after-backward-or-kept-with-retain-graph",
        """\
        import torch
        import torch.nn as nn

        cell = nn.GRUCell(4, 4)
        h = torch.zeros(1, 4)
        for chunk in torch.randn(5, 1, 4):
            h = cell(chunk, h)
            h.pow(2).sum().backward()
            h.detach_()
        g = torch.zeros(1, 4)
        for chunk in torch.randn(5, 1, 4):
            g = cell(chunk, g)
            g.pow(2).sum().backward(retain_graph=True)
        """,
    ),
    case(
        "state-made-afresh-each-step-and-generation-without-backward",
        """\
        import torch
        import torch.nn as nn

        lstm = nn.LSTM(4, 4)
        optimizer = torch.optim.SGD(lstm.parameters(), lr=0.1)
        for x in torch.randn(3, 5, 1, 4):
            hidden = (torch.zeros(1, 1, 4), torch.zeros(1, 1, 4))
            optimizer.zero_grad()
            out, hidden = lstm(x, hidden)
            out.sum().backward()
            optimizer.step()
        state = None
        token = torch.randn(1, 1, 4)
        for _ in range(10):
            token, state = lstm(token, state)
        """,
    ),
    case(
        "retain-graph-on-the-first-backward",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 4))
        x = torch.randn(64, 10)
        out = model(x)
        loss_reg = F.mse_loss(out[:, 0], torch.randn(64))
        loss_reg.backward(retain_graph=True)
        loss_cls = F.cross_entropy(out[:, 1:], torch.randint(0, 3, (64,)))
        loss_cls.backward()
        """,
    ),
    case(
        "losses-summed-one-backward",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        model = nn.Linear(10, 4)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        for epoch in range(3):
            optimizer.zero_grad()
            out = model(torch.randn(8, 10))
            loss_reg = F.mse_loss(out[:, 0], torch.randn(8))
            loss_cls = F.cross_entropy(out[:, 1:], torch.randint(0, 3, (8,)))
            (loss_reg + loss_cls).backward()
            optimizer.step()
        """,
    ),
    case(
        "loss-recomputed-inside-the-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        x, y = torch.randn(16, 4), torch.randn(16, 1)
        loss = ((model(x) - y) ** 2).mean()
        for step in range(10):
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "gan-discriminator-on-fake-detach",
        """\
        import torch
        import torch.nn as nn

        G = nn.Sequential(nn.Linear(2, 4), nn.Tanh())
        D = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
        bce = nn.BCELoss()
        opt_d = torch.optim.Adam(D.parameters())
        opt_g = torch.optim.Adam(G.parameters())
        for step in range(3):
            fake = G(torch.randn(8, 2))
            opt_d.zero_grad()
            d_loss = bce(D(torch.randn(8, 4)), torch.ones(8, 1)) + bce(D(fake.detach()), torch.zeros(8, 1))
            d_loss.backward()
            opt_d.step()
            opt_g.zero_grad()
            g_loss = bce(D(fake), torch.ones(8, 1))
            g_loss.backward()
            opt_g.step()
        """,
    ),
    case(
        "create-graph-then-backward-through-the-penalty",
        """\
        import torch
        import torch.nn as nn

        critic = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
        x = torch.randn(6, 4, requires_grad=True)
        out = critic(x).sum()
        (g,) = torch.autograd.grad(out, x, create_graph=True)
        loss = out + (g.norm(dim=1) - 1).pow(2).mean()
        loss.backward()
        """,
    ),
    case(
        "truncated-bptt-with-detach",
        """\
        import torch
        import torch.nn as nn

        cell = nn.GRUCell(4, 4)
        optimizer = torch.optim.SGD(cell.parameters(), lr=0.1)
        h = torch.zeros(1, 4)
        for chunk in torch.randn(5, 1, 4):
            optimizer.zero_grad()
            h = cell(chunk, h.detach())
            loss = h.pow(2).sum()
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "two-backwards-from-leaves-only",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        l1 = (w * 2).sum()
        l1.backward()
        l2 = (w ** 2).sum()
        l2.backward()
        print(w.grad)
        """,
    ),
    case(
        "independent-models-on-the-same-data",
        """\
        import torch
        import torch.nn as nn

        x = torch.randn(8, 4)
        m1 = nn.Linear(4, 1)
        m2 = nn.Linear(4, 1)
        l1 = m1(x).pow(2).mean()
        l1.backward()
        l2 = m2(x).pow(2).mean()
        l2.backward()
        """,
    ),
    case(
        "micro-batch-accumulation",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        optimizer.zero_grad()
        for micro in torch.randn(4, 2, 4):
            loss = model(micro).pow(2).mean() / 4
            loss.backward()
        optimizer.step()
        print(loss.item())
        """,
    ),
    case(
        "backward-in-exclusive-branches",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        out = model(torch.randn(3, 4))
        loss = out.pow(2).mean()
        if loss.item() > 1.0:
            (loss * 0.5).backward()
        else:
            loss.backward()
        """,
    ),
    case(
        "retain-graph-inside-the-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        loss = model(torch.randn(8, 4)).pow(2).mean()
        for k in range(3):
            model.zero_grad()
            loss.backward(retain_graph=True)
        """,
    ),
    case(
        "autograd-grad-with-retain-graph-then-backward",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        x = torch.randn(6, 4, requires_grad=True)
        loss = model(x).tanh().pow(2).mean()
        (x_grad,) = torch.autograd.grad(loss, x, retain_graph=True)
        loss.backward()
        print(x_grad.shape, model.weight.grad.shape)
        """,
    ),
    case(
        "leaf-read-after-a-backward-through-a-view-of-it",
        """\
        import torch

        x = torch.randn(8, 4)
        w = torch.randn(4, 1, requires_grad=True)
        scale = torch.ones(4)
        penalty = (scale * w.squeeze(1)).sum()
        penalty.backward()
        for step in range(3):
            loss = (x @ w).pow(2).mean()
            loss.backward()
        """,
    ),
    case(
        "gan-losses-returned-by-one-helper-share-no-graph",
        """\
        import torch
        import torch.nn as nn


        def compute_losses(netG, netD, x, y):
            pred = netG(x)
            d_real = netD(y)
            d_fake = netD(pred)
            loss_d = d_real.mean() - d_fake.detach().mean()
            loss_g = (pred - y).abs().mean() + d_fake.mean()
            return loss_d, loss_g


        def train(netG, netD, loader, opt_g, opt_d):
            for x, y in loader:
                loss_d, loss_g = compute_losses(netG, netD, x, y)
                opt_d.zero_grad()
                loss_d.backward()
                opt_g.zero_grad()
                loss_g.backward()
                opt_g.step()
                opt_d.step()


        netG, netD = nn.Linear(3, 3), nn.Linear(3, 1)
        loader = [(torch.randn(2, 3), torch.randn(2, 3))]
        train(netG, netD, loader, torch.optim.Adam(netG.parameters()), torch.optim.Adam(netD.parameters()))
        """,
    ),
    case(
        "a-forward-returning-two-outputs-of-separate-inputs",
        """\
        import torch
        import torch.nn as nn


        class TwoTower(nn.Module):
            def __init__(self):
                super().__init__()
                self.left = nn.Linear(4, 2)
                self.right = nn.Linear(4, 2)

            def forward(self, a, b):
                return self.left(a), self.right(b)


        model = TwoTower()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(3):
            out_a, out_b = model(torch.randn(5, 4), torch.randn(5, 4))
            opt.zero_grad()
            out_a.pow(2).mean().backward()
            out_b.abs().mean().backward()
            opt.step()
        """,
    ),
    case(
        "entries-of-a-loss-dict-backpropagated-one-after-the-other",
        """\
        def train(trainer, trainer_module, loader, config):
            for iteration, (x, mask) in enumerate(loader):
                losses, inpainted, flow = trainer(x, mask)
                trainer_module.optimizer_d.zero_grad()
                losses["d"] = losses["wgan_d"] + losses["wgan_gp"] * config["gp_lambda"]
                losses["d"].backward()
                trainer_module.optimizer_d.step()
                trainer_module.optimizer_g.zero_grad()
                losses["g"] = losses["l1"] * config["l1_alpha"] + losses["wgan_g"]
                losses["g"].backward()
                trainer_module.optimizer_g.step()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)


def test_outputs_rebound_each_iteration_are_not_blamed_on_carried_state():
    """The helper's two losses are bound afresh every iteration: the second backward() fails in
    the first iteration already, so the message names the shared graph, not a carried state."""
    src = POSITIVES[-1].values[0]
    (finding,) = lint_text(src, "snippet.py", [BY_CODE[CODE]])
    assert "an earlier backward() already freed" in finding.message
    assert "enters each iteration" not in finding.message
