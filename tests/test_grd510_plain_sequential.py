"""GRD510 and models written as an ``nn.Sequential`` of layers that read no mode.

The tutorial shape (pytorch-deep-learning's 02 notebook): ``model_2 = nn.Sequential(nn.Linear(1, 10),
nn.Linear(10, 10), nn.Linear(10, 1))`` trained in an epoch loop whose "testing" block calls
``model_2.eval()`` and never ``train()``. No layer reads the mode, so the next epoch trains exactly
as in train mode (``mode_free`` already said so of such classes; a display was not judged).
"""

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn

model_2 = nn.Sequential(LAYERS).to("cpu")
optimizer = torch.optim.SGD(model_2.parameters(), lr=0.01)
x, y = torch.randn(8, 1), torch.randn(8, 1)

for epoch in range(3):
    y_pred = model_2(x)
    loss = nn.functional.l1_loss(y_pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    model_2.eval()
    with torch.inference_mode():
        test_loss = nn.functional.l1_loss(model_2(x), y)
"""


def lint(layers):
    return findings(PROGRAM.replace("LAYERS", layers), "GRD510")


def test_sequential_of_linear_layers_is_mode_free():
    assert lint("nn.Linear(1, 10), nn.Linear(10, 1)") == []
    assert lint("nn.Linear(1, 10), nn.ReLU(), nn.Sequential(nn.Linear(10, 4), nn.Tanh()), nn.Linear(4, 1)") == []


def test_sequential_with_dropout_or_batch_norm_still_fires():
    assert lint("nn.Linear(1, 10), nn.Dropout(0.5), nn.Linear(10, 1)") == [(14, "GRD510")]
    assert lint("nn.Linear(1, 10), nn.Sequential(nn.BatchNorm1d(10)), nn.Linear(10, 1)") == [(14, "GRD510")]


def test_sequential_of_project_layers_is_not_assumed_mode_free():
    block = "class Block(nn.Module):\n    def forward(self, x):\n        return x\n\n\n"
    source = PROGRAM.replace("LAYERS", "Block(), nn.Linear(1, 1)").replace("\nmodel_2 =", "\n" + block + "model_2 =")
    assert [code for _, code in findings(source, "GRD510")] == ["GRD510"]


def test_rebound_to_another_model_is_not_judged():
    source = PROGRAM.replace("LAYERS", "nn.Linear(1, 1)").replace(
        'optimizer = torch', 'if torch.cuda.is_available():\n    model_2 = nn.Dropout(0.1)\noptimizer = torch'
    )
    assert [code for _, code in findings(source, "GRD510")] == ["GRD510"]


def test_only_layer_classes_of_torch_nn_count():
    # spectral_norm's power iteration runs only in training mode; a hub model's layers are not known
    assert lint("nn.utils.spectral_norm(nn.Linear(1, 10)), nn.Linear(10, 1)") == [(14, "GRD510")]
    assert lint("torch.hub.load('pytorch/vision', 'resnet18'), nn.Linear(1000, 1)") == [(14, "GRD510")]
