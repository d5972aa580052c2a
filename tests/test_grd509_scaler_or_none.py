"""GRD509 with a GradScaler made only when mixed precision is on (``scaler = GradScaler() if
use_amp else None``, pytorch/examples #1196's ``self.scaler``): the value is a scaler or None, and
``scaler.scale(loss).backward()`` shows it is the scaler (on None it raises), so a clip after it
clips scaled gradients. An ``unscale_()`` first, or a clip only on the path without the scaler,
stays silent."""

from snippets import case_maker, rule_tests

CODE = "GRD509"
case = case_maker(CODE)

_LOCAL = """\
import torch
import torch.nn as nn


def train(model, loader, use_amp=True):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.cuda.amp.GradScaler() if use_amp else None
    for x, y in loader:
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        if scaler is not None:
            scaler.scale(loss).backward()
{unscale}            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0){mark}
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()


train(nn.Linear(3, 1), [(torch.randn(2, 3), torch.randn(2, 1))])
"""

_FIELD = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, model, use_amp):
        self.model = model
        self.use_amp = use_amp
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        self.scaler = torch.cuda.amp.GradScaler() if use_amp else None

    def run_batch(self, x, y):
        loss = nn.functional.mse_loss(self.model(x), y)
        self.optimizer.zero_grad(set_to_none=True)
        if self.use_amp:
            self.scaler.scale(loss).backward()
{unscale}            nn.utils.clip_grad_norm_(self.model.parameters(), 1.0){mark}
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            self.optimizer.step()

    def fit(self, loader):
        for x, y in loader:
            self.run_batch(x, y)


Trainer(nn.Linear(3, 1), True).fit([(torch.randn(2, 3), torch.randn(2, 1))])
"""

_MARK = "  # expect: GRD509"

POSITIVES = [
    case("local-scaler-or-none", _LOCAL.format(unscale="", mark=_MARK), [13]),
    case("field-scaler-or-none", _FIELD.format(unscale="", mark=_MARK), [17]),
]

NEGATIVES = [
    case("local-unscaled-first", _LOCAL.format(unscale="            scaler.unscale_(optimizer)\n", mark="")),
    case("field-unscaled-first", _FIELD.format(unscale="            self.scaler.unscale_(self.optimizer)\n", mark="")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
