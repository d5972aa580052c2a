"""GRD505: a training loop that keeps its best model with ``copy.deepcopy(model)`` hands the model to
no function that may take its gradients. A loop handing its model to another library's function
after clearing gradients is taken for a meta-learning inner loop (MAML's
``gradient_update_parameters(model, loss)``), whose eval-mode forwards are part of a training step;
``copy.deepcopy``/``copy.copy`` only copy the module, so the loop's validation forward after its
backward() and step() is judged as without the copy."""

import pytest

from snippets import findings

SOURCE = """
import copy

import torch
import torch.nn as nn
import torch.optim as optim

model = nn.Linear(8, 3)
optimizer = optim.Adam(model.parameters(), lr=0.01)
criterion = nn.CrossEntropyLoss()
x = torch.randn(20, 8)
y = torch.randint(0, 3, (20,))
best, best_acc = None, 0.0
for epoch in range(100):
    model.train()
    loss = criterion(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    model.eval()
    acc = (model(x).argmax(1) == y).float().mean().item()
    if acc > best_acc:
        best, best_acc = COPY, acc
"""


@pytest.mark.parametrize("copy_call", ["copy.deepcopy(model)", "copy.copy(model)"])
def test_keeping_a_copy_of_the_best_model_is_no_handing_over(copy_call):
    assert findings(SOURCE.replace("COPY", copy_call), "GRD505") == [(21, "GRD505")]


def test_a_function_of_another_library_still_hands_over():
    src = SOURCE.replace("import copy\n", "import copy\nfrom learn2learn import clone_module\n")
    assert findings(src.replace("COPY", "clone_module(model)"), "GRD505") == []
