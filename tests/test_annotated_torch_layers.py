"""A parameter annotated with one of torch's layers (``lstm: nn.LSTM``) is that layer, outputs included.

``def train(lstm: nn.LSTM, opt, data)`` is how a recurrent training loop is often written; the annotation
made the parameter a module with parameters but not *which* module, so ``out, h = lstm(x, h)`` gave an
unknown ``h`` and the state carried into the next iteration's backward() (GRD504: "Trying to backward
through the graph a second time", as torch 2.13 raises) went unreported, while the same loop over
``lstm = nn.LSTM(...)`` was caught. A bare ``nn.Module`` or a container (``nn.Sequential``) declares no
outputs and stays unknown."""

from snippets import case_maker, rule_tests

CODE = "GRD504"
case = case_maker(CODE)

_PROGRAM = """\
import torch
import torch.nn as nn


def train(rnn: {annotation}, opt, data):
    h = None
    for x in data:
        out, h = rnn(x, h)
{detach}        loss = out.sum()
        opt.zero_grad()
        loss.backward(){mark}
        opt.step()


def main(rnn, data):
    # (the model comes from a caller this file cannot see: only the annotation tells what it is)
    train(rnn, torch.optim.SGD(rnn.parameters(), lr=0.1), data)
"""

_DETACHED = "        h = tuple(s.detach() for s in h)\n"


def program(annotation="nn.LSTM", detach="", mark=""):
    return _PROGRAM.format(annotation=annotation, detach=detach, mark=mark)


POSITIVES = [
    case("lstm-state-carried", program(mark="  # expect: GRD504"), [11]),
    case("gru-state-carried", program(annotation="nn.GRU", mark="  # expect: GRD504"), [11]),
    case("torch-nn-path", program(annotation="torch.nn.LSTM", mark="  # expect: GRD504"), [11]),
]

NEGATIVES = [
    case("state-detached", program(detach=_DETACHED)),
    case("bare-module-annotation", program(annotation="nn.Module")),
    case("sequential-annotation", program(annotation="nn.Sequential")),
    case("not-annotated", program(annotation="object").replace("rnn: object", "rnn")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
