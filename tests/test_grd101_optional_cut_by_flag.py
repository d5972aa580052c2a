"""GRD101 on held-out code (corpus27, a course's text-CNN homework, model.py): the classic
`x = self.embed(x); if self.args.static: x = Variable(x)` picks, per run, static (frozen) or
trained word vectors; under PyTorch 2 `Variable(x)` is `x.detach()`, which is exactly a freeze of
the embedding while the convolutions after it still train. A cut that rebinds the same name
under an `if` on a fixed flag is chosen on purpose: with the flag off, the graph goes on. An
unconditional `x = Variable(x)`, or one under a test that is not a fixed flag, still fires."""

from snippets import case_maker, rule_tests

case = case_maker("GRD101")

_MODEL = """
import torch
import torch.nn as nn
from torch.autograd import Variable


class TextCNN(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.args = args
        self.embed = nn.Embedding(100, 8)
        self.conv = nn.Conv1d(8, 4, 3)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        x = self.embed(x)
{cut}        x = self.conv(x.transpose(1, 2)).max(dim=2)[0]
        return self.fc(x)
"""

POSITIVES = [
    case(
        "unconditional_rewrap",
        _MODEL.format(cut="        x = Variable(x)  # expect: GRD101\n"),
        lines=(17,),
    ),
    case(
        "rewrap_under_a_test_of_the_data",
        _MODEL.format(cut="        if x.sum() > 0:\n            x = Variable(x)  # expect: GRD101\n"),
        lines=(18,),
    ),
    case(
        "copy_into_another_name_under_a_flag",
        _MODEL.format(cut="        if self.args.static:\n            y = Variable(x)  # expect: GRD101\n            x = y\n"),
        lines=(18,),
    ),
]

NEGATIVES = [
    case(
        "static_embedding_flag",
        _MODEL.format(cut="        if self.args.static:\n            x = Variable(x)\n"),
    ),
    case(
        "static_embedding_flag_negated",
        _MODEL.format(cut="        if not self.args.train_embedding:\n            x = Variable(x)\n"),
    ),
]

test_fires, test_silent = rule_tests("GRD101", POSITIVES, NEGATIVES)
