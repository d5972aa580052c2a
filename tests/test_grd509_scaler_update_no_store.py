"""``self.grad_scaler.update()`` in a method is no store into the field: with no argument only ``clear()``
changes a container (syntax.MUTATORS), and ``dict.update()``/``set.update()`` without one change nothing. The
field counted as stored elsewhere, so its join over the methods dropped the scaler-or-None ``__init__`` made
(``GradScaler() if config.get("use_amp") else None``), and the ``if self.grad_scaler is not None:`` arms of
the backward helper were not known (rwth-i6/returnn #1590's Updater, corpus_threads14 p33): GRD509 for the
clip ``update_params()`` runs first, called after the scaled backward of ``backward()``."""

from snippets import case_maker, rule_tests

CODE = "GRD509"
case = case_maker(CODE)

_UPDATER = """\
import torch
import torch.nn as nn


class Updater:
    def __init__(self, network, config):
        self.network = network
        self.config = config
        self.optimizer = torch.optim.SGD(network.parameters(), lr=0.1)
        self.grad_scaler = torch.cuda.amp.GradScaler() if config.get("use_amp") else None

    def backward(self, loss):
        if self.grad_scaler is not None:
            self.grad_scaler.scale(loss).backward()
        else:
            loss.backward()

    def update_params(self):
{unscale}        torch.nn.utils.clip_grad_norm_(self.network.parameters(), 5.0){mark}
        if self.grad_scaler is not None:
            self.grad_scaler.step(self.optimizer)
            self.grad_scaler.update()
        else:
            self.optimizer.step()
        self.optimizer.zero_grad()


class Engine:
    def __init__(self, model, config):
        self.model = model
        self.updater = Updater(model, config)

    def train_epoch(self, loader):
        for x, y in loader:
            self.updater.backward(nn.functional.mse_loss(self.model(x), y))
            self.updater.update_params()
"""

_MARK = "  # expect: GRD509"
_UNSCALE = "        if self.grad_scaler is not None:\n            self.grad_scaler.unscale_(self.optimizer)\n"

POSITIVES = [
    case("clip-after-the-helper-backward", _UPDATER.format(unscale="", mark=_MARK), [19]),
]

NEGATIVES = [
    case("unscaled-first", _UPDATER.format(unscale=_UNSCALE, mark="")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
