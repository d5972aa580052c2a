"""A continual-learning script builds its exemplar sets (iCaRL) after each task: ``model.eval()``, then
for each class ``model.feature_extractor(images)``, a method of the model's class (defined in another
file of the project) that runs its convolutions, the features detached to numpy. No ``no_grad``: each
call records a graph through the model's parameters (GRD505). The forwards of another file's method are
replayed at the call without a path; their mode is that of the caller's model the method ran on
(``model.conv1`` for ``self.conv1``), which ``model.eval()`` switched."""

import textwrap

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES

NETWORK = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 5)
        self.conv2 = nn.Conv2d(8, 16, 5)
        self.drop = nn.Dropout2d()
        self.head = nn.Linear(16, 10)

    def feature_extractor(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.drop(self.conv2(x)), 2))
        return x.mean(dim=(2, 3))

    def forward(self, x):
        return self.head(self.feature_extractor(x))
"""

EXEMPLARS = """\
import numpy as np
import torch
import torch.nn.functional as F

from nets import SmallNet


def class_means(model, images, labels, classes):
    model.eval()
    means = {}
    for c in classes:
        chosen = images[labels == c]
        features = F.normalize(model.feature_extractor(chosen)).cpu().detach().numpy()
        means[c] = features.mean(axis=0)
    return means


def train_task(images, labels, classes, epochs=2):
    model = SmallNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(epochs):
        model.train()
        for start in range(0, len(images), 32):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images[start:start + 32]), labels[start:start + 32])
            loss.backward()
            optimizer.step()
    return class_means(model, images, labels, classes)
"""


def _lint(root, files, target):
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text))
    forget_projects()
    path = root / target
    rules = [rule for rule in ALL_RULES if rule.code == "GRD505"]
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), rules)]


def test_method_of_a_model_from_another_file_after_eval(tmp_path):
    files = {"nets.py": NETWORK, "exemplars.py": EXEMPLARS}
    assert _lint(tmp_path, files, "exemplars.py") == [(13, "GRD505")]


def test_under_no_grad_silent(tmp_path):
    guarded = EXEMPLARS.replace(
        "    for c in classes:\n", "    with torch.no_grad():\n      for c in classes:\n"
    ).replace("        chosen", "          chosen").replace("        features", "          features").replace(
        "        means[c]", "          means[c]"
    )
    files = {"nets.py": NETWORK, "exemplars.py": guarded}
    assert _lint(tmp_path, files, "exemplars.py") == []


def test_model_left_in_train_mode_silent(tmp_path):
    files = {"nets.py": NETWORK, "exemplars.py": EXEMPLARS.replace("    model.eval()\n", "")}
    assert _lint(tmp_path, files, "exemplars.py") == []


SEQ2SEQ = """\
import torch
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50, 16)
        self.rnn = nn.GRU(16, 16, batch_first=True)

    def forward(self, tokens, hidden):
        out, hidden = self.rnn(self.embed(tokens), hidden)
        return out, hidden


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.decoder = Decoder()
        self.proj = nn.Linear(16, 50)
"""

GREEDY = """\
import torch

from seq2seq import Seq2Seq


class Translator:
    def __init__(self, model):
        self.model = model
        self.model.eval()

    def translate(self, hidden, steps=20):
        tokens = torch.zeros(1, 1, dtype=torch.long)
        words = []
        for _ in range(steps):
            out, hidden = self.model.decoder(tokens, hidden)
            logits = self.model.proj(out[:, -1])
            tokens = logits.argmax(-1, keepdim=True)
            words.append(tokens.item())
        return words


translator = Translator(Seq2Seq())
print(translator.translate(torch.zeros(1, 1, 16)))
"""


def test_one_evaluation_of_the_model_per_loop(tmp_path):
    # the decoder (another file's class, whose own forwards are replayed at the call) and the
    # projection are two submodules of the one model switched to eval(): reported once, at the first
    files = {"seq2seq.py": SEQ2SEQ, "greedy.py": GREEDY}
    assert _lint(tmp_path, files, "greedy.py") == [(15, "GRD505")]
