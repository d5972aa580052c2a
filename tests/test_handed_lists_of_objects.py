"""A list of the project's objects a caller in another file built an object with (``Server(model,
users)`` in ``main.py``, FedGen #1's ``self.users`` of ``User`` clients) is handed to the linted
file's walk of the object's methods (``summaries.constructed_objects`` and ``switched_fields``, as an
optimizer or a scaler field already was): ``for c in self.users: ... c.test()`` runs the clients'
evaluation, whose summed loss carries its graph, so ``np.sum`` of the losses raises (GRD503). With
the clients' losses taken with ``.item()`` it stays silent."""

from gradlint.analysis.project import forget_projects
from snippets import lint_path, write_project

_CLIENT = """\
    import torch.nn as nn


    class Client:
        def __init__(self, model, batches):
            self.model = model
            self.batches = batches
            self.criterion = nn.CrossEntropyLoss()

        def evaluate(self):
            self.model.train()
            total = 0
            for x, y in self.batches:
                total = total + self.criterion(self.model(x), y){item}
            return total, len(self.batches)
"""

_SERVER = """\
    import numpy as np


    class Server:
        def __init__(self, clients):
            self.clients = clients

        def collect(self):
            losses, sizes = [], []
            for client in self.clients:
                loss, size = client.evaluate()
                losses.append(loss)
                sizes.append(size)
            return losses, sizes

        def report(self):
            losses, sizes = self.collect()
            return np.sum(losses) / np.sum(sizes)
"""

_MAIN = """\
    import torch
    import torch.nn as nn

    from client import Client
    from server import Server


    def main():
        model = nn.Linear(6, 3)
        batches = [(torch.randn(4, 6), torch.randint(0, 3, (4,)))]
        clients = [Client(model, batches) for _ in range(2)]
        server = Server(clients)
        print(server.report())


    main()
"""


def _lint(tmp_path, item=""):
    forget_projects()
    write_project(
        tmp_path,
        {"client.py": _CLIENT.format(item=item), "server.py": _SERVER, "main.py": _MAIN},
    )
    return lint_path(tmp_path / "server.py", {"GRD503"})


def test_losses_of_the_handed_clients_reach_numpy(tmp_path):
    assert _lint(tmp_path) == [(18, "GRD503")]


def test_losses_taken_as_numbers_are_silent(tmp_path):
    assert _lint(tmp_path, item=".item()") == []
