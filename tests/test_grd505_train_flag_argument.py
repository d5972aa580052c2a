"""``model.train(flag)`` with ``flag`` a parameter the call bound to a literal: a trainer's
``run_epoch(data, training)`` starts with ``self.encoder.train(training)`` and backpropagates only
``if training:``; the epoch loop calls it with ``True`` then ``False``. In the call with ``False``
the models are in evaluation mode (``train(False)`` is ``eval()``) and the batches run with
gradients enabled: GRD505 (activations kept for a backward that never comes). The mode is read as
an ``if training:`` test on the same parameter is (``statements._flag_truth``).

Before, only a literal argument (``model.train(False)``) switched the mode: the validation pass of
corpus33 c37102001 Seq2Seq-analysis src/task1/trainer.py was missed (same shape, its caller in
another file). Silent: the flag bound to ``True`` in every call, and a flag of unknown value.
"""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

TRAINER = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, encoder, decoder):
        self.encoder = encoder
        self.decoder = decoder
        params = list(encoder.parameters()) + list(decoder.parameters())
        self.optimizer = torch.optim.Adam(params, lr=1e-3)
        self.criterion = nn.NLLLoss()

    def run_epoch(self, batches, training):
        self.encoder.train(training)
        self.decoder.train(training)
        total = 0.0
        for source, target in batches:
            loss = self.run_iter(source, target)MARK
            if training:
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
            total += loss.item()
        return total / max(len(batches), 1)

    def run_iter(self, source, target):
        return self.criterion(self.decoder(self.encoder(source)), target)


def fit(train_batches, valid_batches, epochs=CALLS
"""

_MODELS = "Trainer(nn.Linear(6, 16), nn.Sequential(nn.Dropout(0.2), nn.Linear(16, 4), nn.LogSoftmax(-1)))"


def _trainer(mark, calls):
    return TRAINER.replace("MARK", mark).replace("CALLS", calls)


POSITIVES = [
    case(
        "validation-pass-with-train-false",
        _trainer(
            "  # expect: GRD505",
            f"""3):
    trainer = {_MODELS}
    for epoch in range(epochs):
        trainer.run_epoch(train_batches, True)
        print(trainer.run_epoch(valid_batches, False))""",
        ),
        lines=(18,),
    ),
]

NEGATIVES = [
    case(
        "always-training",
        _trainer(
            "",
            f"""3):
    trainer = {_MODELS}
    for epoch in range(epochs):
        trainer.run_epoch(train_batches, True)""",
        ),
    ),
    case(
        "flag-of-unknown-value",
        _trainer(
            "",
            f"""3, flags=(True,)):
    trainer = {_MODELS}
    for epoch in range(epochs):
        for flag in flags:
            trainer.run_epoch(train_batches, flag)""",
        ),
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
