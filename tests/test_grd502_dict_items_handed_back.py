"""GRD502: a dict a loop fills with each step's graph by key and the function returns is handed to its caller.

``varlen_embedding_lookup(X, embedding_dict, ...)`` of a recommender stores each feature's embedding
(``embedding_dict`` an ``nn.ModuleDict`` of ``nn.Embedding``) under the feature's name and returns the dict:
the model's forward builds its output from it, and the training loop backpropagates that. It is a forward's
own collection, not an evaluation loop's history (a false alarm on realprec7 DeepCTR-Torch ``inputs.py:224``
once the ModuleDict's members were known). A dict kept by the function (not returned) still is one.
"""

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn


class Tower(nn.Module):
    def __init__(self, names):
        super().__init__()
        self.names = names
        self.embedding_dict = nn.ModuleDict({name: nn.Embedding(10, 4) for name in names})
        self.out = nn.Linear(4 * len(names), 1)

    def forward(self, X):
        vectors = lookup(X, self.embedding_dict, self.names)
        return self.out(torch.cat([vectors[name] for name in self.names], dim=1))


def lookup(X, embedding_dict, names):
    vectors = {}
    for i, name in enumerate(names):
        vectors[name] = embedding_dict[name](X[:, i])
    RETURN


def train(model, loader, opt):
    for X, y in loader:
        opt.zero_grad()
        loss = ((model(X).squeeze(1) - y) ** 2).mean()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    tower = Tower(["user", "item"])
    train(tower, [(torch.randint(0, 10, (8, 2)), torch.randn(8))], torch.optim.SGD(tower.parameters(), lr=0.1))
"""


def test_the_dict_returned_is_the_callers():
    assert findings(PROGRAM.replace("RETURN", "return vectors"), "GRD502") == []


def test_a_dict_of_graphs_the_function_keeps_to_itself_is_a_history():
    source = PROGRAM.replace("RETURN", "return len(vectors)")
    assert findings(source, "GRD502") == [(20, "GRD502")]
