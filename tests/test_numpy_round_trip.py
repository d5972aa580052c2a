"""A loss computed in numpy from a model's output: ``.numpy()`` leaves the graph, and so does what
numpy makes of it. Re-wrapping it (``torch.tensor(..., requires_grad=True)``, ``requires_grad_()``)
hides the cut (GRD102); backpropagating it raises (GRD103). Numpy used for data, metrics and
advantages beside a grad tensor stays silent."""

from snippets import findings

CUT = """\
import numpy as np
import torch
import torch.nn as nn


def train(model, batches, opt):
    for x, y in batches:
        pred = model(x)
        err = pred.detach().numpy() - y.numpy()
        loss = torch.tensor(np.mean(err ** 2), requires_grad=True)  # expect: GRD102
        opt.zero_grad()
        loss.backward()
        opt.step()


def train_b(model, batches, opt):
    for x, y in batches:
        pred = model(x).detach().numpy()
        loss = torch.from_numpy(np.abs(pred - y.numpy())).mean()
        loss.requires_grad_(True)  # expect: GRD102
        opt.zero_grad()
        loss.backward()
        opt.step()


def train_c(model, batches, opt):
    for x, y in batches:
        pred = model(x).detach().numpy()
        loss = torch.tensor(np.abs(pred - y.numpy()).mean())
        opt.zero_grad()
        loss.backward()  # expect: GRD103
        opt.step()


def main():
    m = nn.Linear(3, 1)
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    batches = [(torch.randn(2, 3), torch.randn(2, 1))]
    train(m, batches, opt)
    train_b(m, batches, opt)
    train_c(m, batches, opt)
"""

BESIDE = """\
import numpy as np
import torch
import torch.nn as nn


def actor_critic(actor, critic, states, actions, returns, opt):
    values = critic(states).squeeze(-1)
    adv = returns - values.detach().numpy()
    adv = (adv - adv.mean()) / (adv.std() + 1e-8)
    log_probs = torch.log_softmax(actor(states), -1).gather(1, actions[:, None]).squeeze(1)
    loss = -(log_probs * torch.tensor(adv, dtype=torch.float32)).mean() + (values - torch.from_numpy(returns).float()).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    return float(np.mean(adv))


def train(model, batches, opt, crit):
    accs = []
    for x, y in batches:
        out = model(x)
        loss = crit(out, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        accs.append(np.mean(out.argmax(1).numpy() == y.numpy()))
        weights = torch.from_numpy(np.ones(3, dtype=np.float32))
        print(weights.sum())
    return np.mean(accs)


def main():
    actor, critic = nn.Linear(4, 2), nn.Linear(4, 1)
    opt = torch.optim.Adam(list(actor.parameters()) + list(critic.parameters()))
    actor_critic(actor, critic, torch.randn(5, 4), torch.randint(0, 2, (5,)), np.random.randn(5).astype(np.float32), opt)
    m = nn.Linear(4, 3)
    train(m, [(torch.randn(2, 4), torch.randint(0, 3, (2,)))], torch.optim.SGD(m.parameters(), lr=0.1), nn.CrossEntropyLoss())


main()
"""


def test_a_loss_computed_in_numpy_is_cut_from_the_graph():
    assert findings(CUT) == [(10, "GRD102"), (20, "GRD102"), (31, "GRD103")]


def test_numpy_for_data_metrics_and_advantages_is_silent():
    assert findings(BESIDE) == []
