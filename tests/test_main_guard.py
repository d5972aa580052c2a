"""The body of ``if __name__ == "__main__":`` runs unconditionally when the file runs as a script.

Training scripts put their whole run under the guard. The walk joined its body with an empty
``else``, as for any ``if`` it cannot decide, so a model frozen there and then trained was frozen
"under a condition" and GRD407 (nothing trainable) stayed silent, while the same lines at module
level were reported. The guard's body is now walked as the script's own statements; a module
another file imports is still walked with the guard undecided (there the block never runs).

Our own snippets, each a complete program.
"""

from snippets import findings

SCRIPT = """\
import sys
import torch
import torch.nn as nn


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(10, 32), nn.ReLU())
        self.head = nn.Linear(32, 1)

    def forward(self, x):
        return self.head(self.encoder(x))


def train(model, loader, optimizer):
    for x, y in loader:
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()


if __name__ == "__main__":
    model = Regressor()
    FREEZE
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    train(model, [(torch.randn(4, 10), torch.randn(4, 1))], opt)
"""


def test_model_frozen_whole_then_trained_under_the_main_guard():
    src = SCRIPT.replace("FREEZE", "model.requires_grad_(False)")
    assert findings(src, "GRD407") == [(26, "GRD407")]


def test_the_guard_spelt_the_other_way_round():
    src = SCRIPT.replace("FREEZE", "model.requires_grad_(False)").replace(
        'if __name__ == "__main__":', "if '__main__' == __name__:"
    )
    assert findings(src, "GRD407") == [(26, "GRD407")]


def test_a_freeze_under_a_flag_inside_the_guard_stays_conditional():
    src = SCRIPT.replace("FREEZE", 'if "--frozen" in sys.argv:\n        model.requires_grad_(False)')
    assert findings(src, "GRD407") == []


def test_a_guard_with_an_else_is_not_the_plain_entry_point():
    src = SCRIPT.replace("FREEZE", "model.requires_grad_(False)") + "else:\n    model = None\n"
    assert findings(src, "GRD407") == []


def test_head_unfrozen_after_the_freeze_is_silent():
    src = SCRIPT.replace("FREEZE", "model.requires_grad_(False)\n    model.head.requires_grad_(True)")
    assert findings(src, "GRD407") == []
