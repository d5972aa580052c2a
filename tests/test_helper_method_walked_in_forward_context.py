"""A method that a module's ``forward`` calls (``self.embed_positions(x)``) is walked first in the
contexts recorded so far, which can say nothing (the forward's input unknown); the forward, deferred,
is walked later with its input a tensor, and gives the method a context that tells what ``x`` is. The
method is walked again then (``Scopes._worth_a_late_walk``): ``x += pos`` after a convolution saved
``x`` (through a transpose) is reported, as when the method is called directly (torch 2.13 raises
"one of the variables needed for gradient computation has been modified by an inplace operation").
Before, the late walk was for functions walked with no context at all, and the write went unreported."""

from snippets import case_maker, rule_tests

case = case_maker("GRD202")

_ENCODER = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvPositionalEncoder(nn.Module):
    def __init__(self, dim=12):
        super().__init__()
        self.pos = nn.Conv1d(dim, dim, kernel_size=5, padding=2, groups=4)
        self.norm = nn.LayerNorm(dim)

    def embed_positions(self, x):
        pos = self.pos(x.transpose(1, 2)).transpose(1, 2)
        {write}
        return self.norm(x)

    def forward(self, x):
        return self.embed_positions(x)


class SpeechClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.frontend = nn.Linear(20, 12)
        self.encoder = ConvPositionalEncoder()
        self.head = nn.Linear(12, 4)

    def forward(self, frames):
        return self.head(self.encoder(self.frontend(frames)).mean(1))


model = SpeechClassifier()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(3):
    loss = F.cross_entropy(model(torch.randn(2, 9, 20)), torch.randint(0, 4, (2,)))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
"""


def _encoder(write):
    return _ENCODER.format(write=write)


POSITIVES = [
    case("augmented_add_in_a_method_the_forward_calls", _encoder("x += pos  # expect: GRD202"), lines=(15,)),
    case("add_method_in_a_method_the_forward_calls", _encoder("x.add_(pos)  # expect: GRD202"), lines=(15,)),
]

NEGATIVES = [
    case("out_of_place_add", _encoder("x = x + pos")),
    case("in_place_add_on_the_positions", _encoder("pos += x\n        x = pos")),
]

test_fires, test_silent = rule_tests("GRD202", POSITIVES, NEGATIVES)
