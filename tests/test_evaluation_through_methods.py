"""GRD505 in trainer classes: the mode a method leaves the models in reaches the helpers it calls.

``self.model.eval()`` in ``_eval_epoch``, then ``self._eval_step(batch)`` for every batch: the
forward inside ``_eval_step`` runs in evaluation mode. Models kept in a dict (``self.model =
{"generator": G, "discriminator": D}``) switch entry by entry, or all at once in a loop over the
dict. A helper decorated with ``@torch.no_grad()`` runs without gradients whoever calls it.
"""

from snippets import findings

TRAINER = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, model, data_loader):
        self.model = model
        self.data_loader = data_loader

    DECORATOR
    def _eval_step(self, batch):
        z, c = batch
        y_ = self.model(z)
        return y_.mean().item()

    def _eval_epoch(self):
        self.model.eval()
        for batch in self.data_loader["dev"]:
            self._eval_step(batch)
        self.model.train()


def main():
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1))
    trainer = Trainer(model, {"dev": []})
    trainer._eval_epoch()
"""


def test_forward_in_a_step_method_after_eval_in_the_epoch_method():
    assert findings(TRAINER.replace("    DECORATOR\n", ""), "GRD505") == [(12, "GRD505")]


def test_step_method_decorated_with_no_grad():
    assert findings(TRAINER.replace("DECORATOR", "@torch.no_grad()"), "GRD505") == []


def test_function_decorated_with_no_grad_called_in_an_evaluation_loop():
    source = """\
    import torch
    import torch.nn as nn


    @torch.no_grad()
    def eval_step(model, x):
        return model(x).mean().item()


    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1))
    model.eval()
    for x in [torch.randn(2, 4)]:
        eval_step(model, x)
    """
    assert findings(source, "GRD505") == []


MODELS_IN_A_DICT = """\
import torch
import torch.nn as nn
from models import Discriminator, Generator


class Trainer:
    def __init__(self, model, data_loader):
        self.model = model
        self.data_loader = data_loader

    def _eval_step(self, batch):
        z, c = batch
        y_ = self.model["generator"](z, c)
        p_ = self.model["discriminator"](y_)
        return p_.mean().item()

    def _eval_epoch(self):
        SWITCH
        for batch in self.data_loader["dev"]:
            self._eval_step(batch)


def main():
    model = {"generator": Generator().to("cuda"), "discriminator": Discriminator().to("cuda")}
    Trainer(model, {"dev": []})._eval_epoch()
"""


def dict_trainer(switch):
    return MODELS_IN_A_DICT.replace("        SWITCH\n", switch)


def test_every_model_of_a_dict_switched_in_a_loop_over_its_keys():
    # both models are in eval mode: each forward keeps a graph
    switch = "        for key in self.model.keys():\n            self.model[key].eval()\n"
    assert findings(dict_trainer(switch), "GRD505") == [(13, "GRD505"), (14, "GRD505")]


def test_every_model_of_a_dict_switched_in_a_loop_over_its_values():
    switch = "        for net in self.model.values():\n            net.eval()\n"
    assert findings(dict_trainer(switch), "GRD505") == [(13, "GRD505"), (14, "GRD505")]


def test_one_model_of_a_dict_switched_by_its_key():
    switch = '        self.model["generator"].eval()\n'
    assert findings(dict_trainer(switch), "GRD505") == [(13, "GRD505")]


def test_only_some_models_of_a_dict_switched_in_the_loop():
    # which entries the condition picks is not followed: the generator is not known to be switched
    switch = '        for key in self.model:\n            if key == "discriminator":\n                self.model[key].eval()\n'
    assert findings(dict_trainer(switch), "GRD505") == []


def test_models_of_a_dict_switched_back_to_training():
    switch = "        for key in self.model.keys():\n            self.model[key].train()\n"
    assert findings(dict_trainer(switch), "GRD505") == []


def test_evaluation_under_no_grad_with_models_in_a_dict():
    switch = "        for key in self.model.keys():\n            self.model[key].eval()\n"
    source = dict_trainer(switch).replace("    def _eval_step(self, batch):", "    @torch.no_grad()\n    def _eval_step(self, batch):")
    assert findings(source, "GRD505") == []


SHARED_HELPER = """\
import torch
import torch.nn as nn


class NeuralNet:
    def __init__(self, module, optimizer):
        self.module_ = module
        self.optimizer_ = optimizer

    def infer(self, x):
        return self.module_(x)

    def validation_step(self, x, y):
        self.module_.eval()
        y_pred = self.infer(x)
        return nn.functional.cross_entropy(y_pred, y)

    def train_step(self, x, y):
        self.module_.train()
        self.optimizer_.zero_grad()
        loss = nn.functional.cross_entropy(self.infer(x), y)
        loss.backward()
        self.optimizer_.step()

    def fit(self, batches, val_batches):
        for epoch in range(2):
            for x, y in batches:
                self.train_step(x, y)
            for x, y in val_batches:
                self.validation_step(x, y)


module = nn.Sequential(nn.Linear(3, 8), nn.Dropout(0.2), nn.Linear(8, 4))
NeuralNet(module, torch.optim.SGD(module.parameters(), lr=0.1)).fit([], [])
"""


def test_a_helper_shared_with_training_is_reported_at_its_call_in_the_evaluation():
    # `infer` also runs the training forward: the evaluation is the call in validation_step
    assert findings(SHARED_HELPER, "GRD505") == [(15, "GRD505")]
