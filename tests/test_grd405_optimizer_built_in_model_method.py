"""An optimizer a model's own method builds over some of its parts (``configure_optimizers(self)``
returning ``AdamW(list(self.adapter.parameters()) + list(self.head.parameters()))``), the model then
trained whole by the file (``model(x)``, ``loss.backward()``): ``self`` there is that model, so the
rest of it (an encoder never frozen, only put in eval mode) gets gradients no optimizer uses
(EEGPT #18; under torch 2.13 every encoder weight has a ``.grad`` after one step). Silent when the
class freezes the encoder itself, or when the optimizer takes every parameter."""

from snippets import case_maker, rule_tests

case = case_maker("GRD405")

PROBE = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class ProbeModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.adapter = nn.Conv1d(6, 8, kernel_size=1)
        self.encoder = nn.Sequential(nn.Conv1d(8, 16, 3, padding=1), nn.GELU(), nn.Conv1d(16, 16, 3, padding=1))
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        self.encoder.eval()
        return self.head(self.encoder(self.adapter(x)).mean(-1))

    def configure_optimizers(self):
        return torch.optim.AdamW(  # expect: GRD405
            list(self.adapter.parameters()) + list(self.head.parameters()), lr=1e-3
        )


def fit(model, batches):
    optimizer = model.configure_optimizers()
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()


model = ProbeModel()
fit(model, [(torch.randn(4, 6, 20), torch.randint(0, 3, (4,))) for _ in range(2)])
print(model.encoder[0].weight.grad is not None)
"""

POSITIVES = [case("method_optimizer_over_adapter_and_head", PROBE, (18,))]

NEGATIVES = [
    case(
        "encoder_frozen_in_init",
        PROBE.replace(
            "        self.head = nn.Linear(16, 3)\n",
            "        self.head = nn.Linear(16, 3)\n        self.encoder.requires_grad_(False)\n",
        ).replace("  # expect: GRD405", ""),
    ),
    case(
        "optimizer_over_every_parameter",
        PROBE.replace("list(self.adapter.parameters()) + list(self.head.parameters())", "self.parameters()").replace(
            "  # expect: GRD405", ""
        ),
    ),
]

test_fires, test_silent = rule_tests("GRD405", POSITIVES, NEGATIVES)
