"""A leaf made only to start a growing tensor: ``log_probs = torch.cat([log_probs, log_prob])``.

``log_probs = Variable(torch.FloatTensor([]), requires_grad=True)`` before an episode, then each
step concatenates the new log-probability onto it (corpus21 cart-pole-playground algs.py). As with
``loss = loss + term`` after ``loss = torch.tensor(0., requires_grad=True)``, the leaf's own gradient
is never wanted and nothing is updated through it: GRD303 (leaf rebound) stays silent, unless the
file reads ``log_probs.grad`` or the joined terms use the leaf.

Our own snippets, each a complete program.
"""

from snippets import findings

EPISODE = """\
import torch
import torch.nn as nn

policy = nn.Linear(4, 2)
for episode in range(3):
    log_probs = torch.zeros(0, requires_grad=True)
    for t in range(5):
        dist = torch.distributions.Categorical(logits=policy(torch.randn(4)))
        action = dist.sample()
        log_probs = JOINED
    loss = -log_probs.sum()
    loss.backward()
"""


def test_a_leaf_starting_a_concatenation_stays_silent():
    for joined in ("torch.cat([log_probs, dist.log_prob(action).unsqueeze(0)])",
                   "torch.cat((dist.log_prob(action).unsqueeze(0), log_probs))"):
        assert findings(EPISODE.replace("JOINED", joined), "GRD303") == []


def test_a_concatenation_whose_leaf_gradient_is_read_is_reported():
    src = EPISODE.replace("JOINED", "torch.cat([log_probs, dist.log_prob(action).unsqueeze(0)])")
    src += "print(log_probs.grad)\n"
    assert [code for _, code in findings(src, "GRD303")] == ["GRD303"]


def test_a_term_computed_from_the_leaf_itself_is_reported():
    src = EPISODE.replace("JOINED", "torch.cat([log_probs, log_probs * 2])")
    assert [code for _, code in findings(src, "GRD303")] == ["GRD303"]
