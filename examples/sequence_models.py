"""Sequence models and policies: pitfalls that hide in state carried across steps.

Run `gradlint check examples/` to see each one reported at its line.
"""

import numpy as np
import torch
import torch.nn as nn
from torch.distributions import Categorical


class CharRNN(nn.Module):
    def __init__(self, vocab=16, hidden=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.rnn = nn.GRU(hidden, hidden)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, tokens, hidden):
        out, hidden = self.rnn(self.embed(tokens), hidden)
        return self.head(out), hidden


def train_language_model(chunks):
    model = CharRNN()
    optimizer = torch.optim.Adam(model.parameters())
    hidden = torch.zeros(1, 4, 32)
    for tokens, targets in chunks:
        optimizer.zero_grad()
        logits, hidden = model(tokens, hidden)
        loss = nn.functional.cross_entropy(logits.view(-1, 16), targets.view(-1))
        # the hidden state still holds the previous chunk's graph, freed by its backward()
        loss.backward()  # expect: GRD504
        optimizer.step()


def train_step(model, optimizer, batch, history):
    x, y = batch
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    history.append(loss)


def fit_regressor(batches):
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    history = []
    for batch in batches:
        train_step(model, optimizer, batch, history)  # expect: GRD502
    return np.mean(history)  # expect: GRD503


def reinforce(episodes):
    policy = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 2))
    optimizer = torch.optim.Adam(policy.parameters(), lr=1e-2)
    for states, rewards in episodes:
        log_probs = []
        for state in states:
            dist = Categorical(logits=policy(state))
            action = dist.sample()
            log_probs.append(dist.log_prob(action))
        returns = torch.as_tensor(rewards, dtype=torch.float32)
        loss = -(torch.tensor(log_probs) * returns).sum()  # expect: GRD101
        optimizer.zero_grad()
        loss.backward()  # expect: GRD103
        optimizer.step()
