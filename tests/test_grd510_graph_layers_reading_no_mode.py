"""GRD510 and a model built of torch_geometric graph layers that read no mode: a traffic forecaster's
recurrent cell is a ``GCNConv`` and ``nn.Linear`` gates, its head a ``Linear``; each epoch ends with
``model.eval()`` and a validation under ``no_grad``, and nothing calls ``model.train()`` again.
``GCNConv`` (as ``ChebConv``, ``SAGEConv``, ``GraphConv``, ...) has no dropout, no normalisation
statistics and reads no ``self.training``: the model trains the same in either mode. A layer that
does read it (``GATConv``'s attention dropout) or a ``Dropout`` of the model's own still report.
"""

from snippets import case_maker, rule_tests

CODE = "GRD510"
case = case_maker(CODE)

TRAIN = """\
import torch
import torch.nn.functional as F
IMPORT


class GraphGRUCell(torch.nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.conv = LAYER(n_in, n_out)
        self.gate = torch.nn.Linear(2 * n_out, n_out)
        EXTRA

    def forward(self, x, edge_index, h):
        z = torch.cat([self.conv(x, edge_index), h], dim=-1)
        return torch.sigmoid(self.gate(z))


class Forecaster(torch.nn.Module):
    def __init__(self, n_in, periods):
        super().__init__()
        self.cell = GraphGRUCell(n_in, 32)
        self.head = torch.nn.Linear(32, periods)

    def forward(self, x, edge_index, h):
        return self.head(F.relu(self.cell(x, edge_index, h)))


def fit(loader, val_loader, edge_index, h0, epochs):
    model = Forecaster(2, 12)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(epochs):
        for x, y in loader:
            loss = F.mse_loss(model(x, edge_index, h0), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        model.eval()  # MARK
        with torch.no_grad():
            for x, y in val_loader:
                print(F.mse_loss(model(x, edge_index, h0), y).item())
"""


def _train(layer="GCNConv", imported="from torch_geometric.nn import GCNConv", extra="pass", marked=False):
    src = TRAIN.replace("IMPORT", imported).replace("LAYER", layer).replace("EXTRA", extra)
    return src.replace("  # MARK", "  # expect: GRD510" if marked else "")


POSITIVES = [
    case("attention-dropout", _train("GATConv", "from torch_geometric.nn import GATConv", marked=True), [37]),
    case("own-dropout", _train(extra="self.drop = torch.nn.Dropout(0.2)", marked=True), [37]),
]

NEGATIVES = [
    case("gcn", _train()),
    case("cheb-of-the-package", _train("gnn.ChebConv", "import torch_geometric.nn as gnn")),
    case("sage-from-conv", _train("SAGEConv", "from torch_geometric.nn.conv import SAGEConv")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
