"""Models held in the fields of a plain trainer object (not an nn.Module) passed to functions.

vsepp (fartashf/vsepp #4): ``VSE`` keeps two encoders and an optimizer;
``validate(opt, loader, model)`` runs
``model.val_start()``, which switches both encoders to eval mode, every ``val_step`` batches, and
``train_start()`` runs only at the top of each epoch: the rest of the epoch trains in eval mode.
"""

from snippets import findings

VSE = """\
import torch
import torch.nn as nn


class VSE(object):
    def __init__(self):
        self.img_enc = nn.Sequential(nn.Linear(16, 8), nn.Dropout(0.3))
        self.txt_enc = nn.Sequential(nn.Linear(12, 8), nn.Dropout(0.3))
        params = PARAMS
        self.optimizer = torch.optim.Adam(params, lr=2e-4)

    def train_start(self):
        self.img_enc.train()
        self.txt_enc.train()

    def val_start(self):
        self.img_enc.eval()
        self.txt_enc.eval()

    def train_emb(self, images, captions):
        img_emb, cap_emb = self.img_enc(images), self.txt_enc(captions)
        self.optimizer.zero_grad()
        loss = (1 - (img_emb * cap_emb).sum(1)).mean()
        loss.backward()
        self.optimizer.step()


def validate(loader, model):
    model.val_start()
    with torch.no_grad():
        for images, captions in loader:
            model.img_enc(images)
    RESTORE


def train(loader, model):
    model.train_start()
    for i, (images, captions) in enumerate(loader):
        model.train_emb(images, captions)
        if i % 2 == 0:
            validate(loader, model)


model = VSE()
for epoch in range(2):
    train([(torch.randn(4, 16), torch.randn(4, 12))] * 4, model)
"""

ONE = "self.img_enc.parameters()"


def vse(params=ONE, restore=""):
    return VSE.replace("PARAMS", params).replace("    RESTORE\n", f"    {restore}\n" if restore else "")


def test_a_helper_that_switches_the_fields_of_its_argument_inside_the_training_loop():
    # reported at the switch itself, `self.img_enc.eval()` in `val_start()` (run by `validate()`)
    assert findings(vse(), "GRD510") == [(17, "GRD510")]


def test_the_helper_puts_the_models_back():
    assert findings(vse(restore="model.train_start()"), "GRD510") == []


def test_an_optimizer_over_the_sum_of_two_parameter_lists_trains_both_models():
    # `list(a.parameters()) + list(b.parameters())` trains both encoders: each switch is reported
    # (vsepp's own optimizer is built that way)
    assert findings(vse(params="list(self.img_enc.parameters()) + list(self.txt_enc.parameters())"), "GRD510") == [
        (17, "GRD510"),
        (18, "GRD510"),
    ]


def test_an_optimizer_over_parameters_of_unknown_owners_says_nothing_of_what_trains():
    assert findings(vse(params="list(self.img_enc.parameters()) + list(unknown_parameters())"), "GRD510") == []


def test_the_training_loop_puts_them_back_each_iteration():
    source = vse().replace(
        "        model.train_emb(images, captions)\n", "        model.train_start()\n        model.train_emb(images, captions)\n"
    )
    assert findings(source, "GRD510") == []
