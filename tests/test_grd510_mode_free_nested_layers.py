"""GRD510 and a model built of the project's own layers, none of which reads the mode: a vocoder's
critic made of ``Block`` modules (convolutions and LeakyReLU in a ``ModuleList``), whose forwards
call their members through a loop (``for pool, block in zip(self.pools, self.blocks)``) or by index
(``self.layers[i](x)``), and whose export method post-processes a tensor (``audio.clamp(-1, 1).short()``).
``eval()`` changes nothing in it, so a validation helper that leaves it in eval mode inside the
training loop trains it the same. A nested layer with dropout, or one reading ``self.training``,
still reports, and so does a loop calling members of a list handed in (not the object's own).
"""

from snippets import case_maker, rule_tests

CODE = "GRD510"
case = case_maker(CODE)

MODEL = """\
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.layers = nn.ModuleList([nn.Conv1d(channels, channels, 3, padding=1) for _ in range(3)])
        self.act = {act}

    def forward(self, x):
        for layer in self.layers:
            x = x + layer(self.act(x))
        return x

    def export(self, x):
        audio = self.forward(x).squeeze()
        return audio.clamp(min=-1.0, max=1.0).short()


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block(4) for _ in range(2)])
        self.pools = nn.ModuleList([nn.Identity(), nn.AvgPool1d(2)])

    def forward(self, x):
        scores = []
        for pool, block in zip(self.pools, self.blocks):
            x = pool(x)
            scores.append(self.blocks[0].layers[1](block(x)).mean())
        return scores


def validate(model, batches):
    model.eval()  # MARK
    with torch.no_grad():
        for x in batches:
            model(x)


def train(model, opt, batches, epochs):
    model.train()
    for epoch in range(epochs):
        if epoch % 5 == 0:
            validate(model, batches)
        for x in batches:
            opt.zero_grad()
            loss = sum(model(x))
            loss.backward()
            opt.step()


critic = Critic()
train(critic, torch.optim.SGD(critic.parameters(), lr=0.1), [torch.randn(2, 4, 8)], 10)
"""


def _model(act="nn.LeakyReLU(0.2)", marked=False, edit=None):
    src = MODEL.replace("{act}", act)
    if edit:
        src = src.replace(*edit)
    return src.replace("  # MARK", "  # expect: GRD510" if marked else "")


RUN_HANDED = "    def run(self, x, extra):\n        for f in extra:\n            x = f(x)\n        return x\n\n"

POSITIVES = [
    case("nested-layer-with-dropout", _model("nn.Dropout(0.1)", True), [36]),
    case(
        "nested-layer-reads-training",
        _model(marked=True, edit=("        return x\n\n    def export", "        return x if self.training else x * 2\n\n    def export")),
        [36],
    ),
    case(
        "loop-over-a-handed-list",
        _model(marked=True, edit=("    def export(self, x):\n", RUN_HANDED + "    def export(self, x):\n")),
        [41],
    ),
]

NEGATIVES = [
    case("nested-plain-layers", _model()),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
