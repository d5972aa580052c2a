"""Submodules of a model loaded whole, named by the classes the file defines or imports (``loaded_fields``).

Generation scripts load a pickled model and step through its layers in an evaluation loop with no
``torch.no_grad()``: ``model = torch.load(path)``, ``model.eval()``, then ``model.encoder(...)`` and
``model.decoder(...)`` per sentence (corpus25: a seq2seq chatbot's ``Prediction.py``; corpus23: a
language model's ``generate_review.py``, ``model.lstm1(...)`` per sampled word). ``torch.load`` gives
an object of unknown class, so ``model.encoder`` was not known to be a submodule and GRD505 was
silent. Unpickling needs the class, so the file defines or imports it: a field of that name holding
a module, in every module class of the file's namespace that has one, makes it a submodule run in the
mode the model was switched to. Its output is not claimed (the object may be of another class).

Our own snippets, each a complete program.
"""

from snippets import findings

MODEL = """\
import torch
import torch.nn as nn


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.GRU(8, 16)
        self.decoder = nn.Linear(16, 8)

    def forward(self, x):
        return self.decoder(self.encoder(x)[0])
"""

GENERATE = """

def generate(path, sentences):
    model = torch.load(path)
    model.eval()
    answers = []
    for sentence in sentences:
        outputs, hidden = model.encoder(sentence)
        logits = model.decoder(outputs)
        answers.append(logits.argmax().item())
    return answers
"""


def _line(src: str, text: str) -> int:
    return next(i for i, line in enumerate(src.splitlines(), 1) if text in line)


def test_submodule_of_a_loaded_model_in_an_evaluation_loop():
    src = MODEL + GENERATE
    # reported at the loop's first forward
    assert findings(src, "GRD505") == [(_line(src, "model.encoder(sentence)"), "GRD505")]


def test_under_no_grad_is_silent():
    src = MODEL + GENERATE.replace("def generate(", "@torch.no_grad()\ndef generate(")
    assert findings(src) == []


def test_a_method_of_that_name_is_not_a_submodule():
    # `encoder` is a method of the class: it may run under no_grad, or not run a layer at all
    src = MODEL.replace(
        "    def forward(self, x):",
        "    @torch.no_grad()\n    def encoder(self, x):\n        return self.gru(x)\n\n    def forward(self, x):",
    ).replace("self.encoder = nn.GRU(8, 16)", "self.gru = nn.GRU(8, 16)").replace(
        "return self.decoder(self.encoder(x)[0])", "return self.decoder(self.gru(x)[0])"
    ) + GENERATE
    assert findings(src, "GRD505") == [(_line(src, "model.decoder(outputs)"), "GRD505")]


def test_no_class_with_that_field_is_silent():
    src = MODEL.replace("self.encoder", "self.rnn").replace("return self.decoder(self.rnn(x)[0])", "return self.decoder(self.rnn(x)[0])")
    src += GENERATE.replace("model.decoder(outputs)", "model.head(outputs)")
    assert findings(src, "GRD505") == []


def test_the_output_is_not_claimed():
    # the loaded object may be of another class: what its submodule gives is not known to carry a graph
    src = MODEL + GENERATE.replace("answers.append(logits.argmax().item())", "answers.append(logits)")
    assert [code for _, code in findings(src)] == ["GRD505"]  # no GRD502 for `answers.append(logits)`
