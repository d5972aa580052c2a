"""A layer placed into a model after the model was frozen whole trains, so the model trains again.

``for p in model.parameters(): p.requires_grad = False`` then ``model.fc = nn.Linear(...)`` or
``model.features[-1] = nn.Conv2d(...)``: the new layer's parameters require grad. Before, only the
freeze was known: GRD407 said nothing trains (a false alarm at ``optimizer.step()``), and the
outputs of the model were taken for graph-free, so an evaluation loop without ``no_grad`` went
unreported (corpus21 Pneumonia-Detection-System cam/CAM.ipynb: ``model.features[-5] = nn.Conv2d``).

Our own snippets, each a complete program.
"""

import pytest

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn

model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 2, 3))
for param in model.parameters():
    param.requires_grad = False
PLACED
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()
loader = [(torch.randn(2, 3, 8, 8), torch.zeros(2).long())]
for epoch in range(3):
    model.train()
    for images, labels in loader:
        optimizer.zero_grad()
        loss = criterion(model(images).mean((2, 3)), labels)
        loss.backward()
        optimizer.step()
    model.eval()
    for images, labels in loader:
        outputs = model(images).mean((2, 3))
        print(criterion(outputs, labels).item())
"""

PLACEMENTS = {
    "subscript": "model[-1] = nn.Conv2d(8, 2, 3)",
    "attribute": "model.head = nn.Conv2d(8, 2, 3)\nmodel[2] = model.head",
}


@pytest.mark.parametrize("placed", PLACEMENTS.values(), ids=PLACEMENTS.keys())
def test_the_new_layer_trains_so_no_nothing_trainable_alarm(placed):
    assert findings(PROGRAM.replace("PLACED", placed), "GRD407") == []


@pytest.mark.parametrize("placed", PLACEMENTS.values(), ids=PLACEMENTS.keys())
def test_the_evaluation_loop_then_keeps_graphs(placed):
    src = PROGRAM.replace("PLACED", placed)
    line = src.splitlines().index("        outputs = model(images).mean((2, 3))") + 1
    assert findings(src, "GRD505") == [(line, "GRD505")]


def test_a_torchvision_head_replaced_after_the_freeze_trains():
    src = PROGRAM.replace(
        "model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 2, 3))",
        "import torchvision\nmodel = torchvision.models.resnet18()",
    ).replace("PLACED", "model.fc = nn.Linear(512, 2)").replace(".mean((2, 3))", "")
    line = src.splitlines().index("        outputs = model(images)") + 1
    assert findings(src, "GRD505", "GRD407") == [(line, "GRD505")]


def test_a_freeze_with_nothing_placed_still_trains_nothing():
    src = PROGRAM.replace("PLACED\n", "")
    assert [code for _, code in findings(src, "GRD407")] == ["GRD407"]
    assert findings(src, "GRD505") == []  # every parameter frozen: the outputs keep no graph


def test_a_frozen_layer_placed_keeps_the_model_frozen():
    placed = "frozen = nn.Conv2d(8, 2, 3).requires_grad_(False)\nmodel[-1] = frozen"
    src = PROGRAM.replace("PLACED", placed)
    assert findings(src, "GRD505") == []


def test_evaluation_under_no_grad_stays_silent():
    src = PROGRAM.replace("PLACED", PLACEMENTS["subscript"]).replace(
        "    for images, labels in loader:\n        outputs",
        "    with torch.no_grad():\n      for images, labels in loader:\n        outputs",
    )
    src = src.replace("        print(criterion(outputs, labels).item())", "        print(criterion(outputs, labels).item())")
    assert "with torch.no_grad():" in src
    assert findings(src, "GRD505") == []
