"""GRD502: a dict a loop fills with each step's graph by key and the function returns is handed to its caller.

``varlen_embedding_lookup(X, embedding_dict, ...)`` of a recommender stores each feature's embedding
(``embedding_dict`` an ``nn.ModuleDict`` of ``nn.Embedding``) under the feature's name and returns the dict:
the model's forward builds its output from it, and the training loop backpropagates that. It is a forward's
own collection, not an evaluation loop's history (a false alarm on realprec7 DeepCTR-Torch ``inputs.py:224``
once the ModuleDict's members were known). A dict kept by the function (not returned) still is one.
"""

from snippets import findings

INPUTS = """\
import numpy as np
import torch
import torch.nn as nn


def create_embedding_matrix(names):
    return nn.ModuleDict({name: nn.Embedding(10, 4) for name in names})


def lookup(X, embedding_dict, names):
    vectors = {}
    for i, name in enumerate(names):
        column = np.array(i)
        vectors[name] = embedding_dict[name](X[:, column])
    return vectors
"""

MODELS = """\
import torch
import torch.nn as nn

from inputs import create_embedding_matrix, lookup


class Tower(nn.Module):
    def __init__(self, names):
        super().__init__()
        self.names = names
        self.embedding_dict = create_embedding_matrix(names)
        self.out = nn.Linear(4 * len(names), 1)

    def input_from_feature_columns(self, X):
        vectors = lookup(X, self.embedding_dict, self.names)
        return [vectors[name] for name in self.names]

    def forward(self, X):
        return self.out(torch.cat(self.input_from_feature_columns(X), dim=1))


def fit(model, loader, opt):
    for X, y in loader:
        opt.zero_grad()
        loss = ((model(X).squeeze(1) - y) ** 2).mean()
        loss.backward()
        opt.step()
"""

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


def test_the_dict_returned_to_a_model_of_another_file(tmp_path):
    # (the helper converts with NumPy: a caller's arguments matter to it, so the model's file gives them)
    from gradlint.analysis.project import forget_projects
    from gradlint.engine import lint_bytes
    from gradlint.rules import BY_CODE

    (tmp_path / "inputs.py").write_text(INPUTS)
    (tmp_path / "models.py").write_text(MODELS)
    forget_projects()
    found = lint_bytes(INPUTS.encode(), str(tmp_path / "inputs.py"), [BY_CODE["GRD502"]])
    assert [(f.line, f.code) for f in found] == []
