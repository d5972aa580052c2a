"""GRD510 beside a loss written as a module of the project: ``self.loss_fn = MaskedMSE()``, whose
constructor keeps only a number (``self.eps = eps``), owns no parameter, so its forward is no second
model the loop might train. The trainer's optimizer, passed in or built over ``self.model``, is not
known by its owner; the loop then trains the one model it runs with gradients, and ``_eval_step``'s
``self.model.eval()`` with no ``train()`` leaves every later epoch in evaluation mode (torch 2.13:
``self.model.training`` is False from the second epoch on). A loss module holding a layer of its own
keeps the rule silent: which of the two the loop trains is not known."""

from snippets import case_maker, rule_tests

case = case_maker("GRD510")

_TRAINER = """
import torch
import torch.nn as nn


class MaskedMSE(nn.Module):
    def __init__(self, eps=1e-9):
        super().__init__()
        {loss_fields}

    def forward(self, target, output, mask):
        error = ((output - target) * mask) ** 2
        return error.sum() / (mask.sum() + self.eps)


class DenoisingTrainer:
    def __init__(self, model, optimizer=None):
        self.model = model
        self.loss_fn = MaskedMSE()
        self.optimizer = optimizer if optimizer is not None else torch.optim.AdamW(self.model.parameters())

    def fit(self, train_batches, valid_batches, epochs=3):
        for epoch in range(epochs):
            for batch in train_batches:
                self._train_step(batch)
            for batch in valid_batches:
                self._eval_step(batch)

    def _train_step(self, batch):
        {restore}self.optimizer.zero_grad()
        noisy = batch + 0.1 * torch.randn_like(batch)
        loss = self.loss_fn(batch, self.model(noisy), torch.ones_like(batch))
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def _eval_step(self, batch):
        self.model.eval(){mark}
        with torch.no_grad():
            loss = self.loss_fn(batch, self.model(batch), torch.ones_like(batch))
        return loss.item()


net = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 4))
DenoisingTrainer(net).fit([torch.randn(5, 4)], [torch.randn(5, 4)])
"""


def _trainer(loss_fields="self.eps = eps", restore="", mark=""):
    return _TRAINER.format(loss_fields=loss_fields, restore=restore, mark=mark)


POSITIVES = [
    case("a_loss_module_keeping_a_number", _trainer(mark="  # expect: GRD510"), lines=(38,)),
    case(
        "a_loss_module_keeping_a_number_and_a_name",
        _trainer(loss_fields="self.eps = eps\n        self.reduction = 'sum'", mark="  # expect: GRD510"),
        lines=(39,),
    ),
]

NEGATIVES = [
    case("the_training_step_restores_the_mode", _trainer(restore="self.model.train()\n        ")),
    case(
        "a_loss_module_with_a_layer_of_its_own",
        _trainer(loss_fields="self.eps = eps\n        self.scale = nn.Linear(4, 4)"),
    ),
]

test_fires, test_silent = rule_tests("GRD510", POSITIVES, NEGATIVES)
