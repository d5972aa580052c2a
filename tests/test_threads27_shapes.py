"""Shapes of training code rewritten from public bug threads (forum, Stack Overflow, GitHub
issues) that the analysis misjudged: multi-file scripts, helpers, trainer classes.

Our own minimal programs; positives carry the findings they must give, negatives are the correct
look-alikes.
"""

from test_project import lint as _lint, write as _write

# ---- GRD505: an evaluation helper in a sibling module of a folder of scripts (no package),
# imported by its bare name (`from metrics import run_validation`) and called inside
# `with torch.no_grad():`. The no-grad scan only took relative imports and imports of the
# project's package, so the helper's grad mode stayed "enabled" and its forward was reported.

VALIDATION_HELPER = """\
    def run_validation(model, loader, criterion):
        model.eval()
        losses = []
        for x, y in loader:
            out = model(x)
            losses.append(criterion(out, y))
        return sum(losses) / len(losses)
    """

FIT_CALLS_UNDER_NO_GRAD = """\
    import torch

    from metrics import run_validation


    def fit(model, train_loader, val_loader, criterion, optimizer, epochs=2):
        for epoch in range(epochs):
            model.train()
            for x, y in train_loader:
                optimizer.zero_grad()
                criterion(model(x), y).backward()
                optimizer.step()
            with torch.no_grad():
                val = run_validation(model, val_loader, criterion)
            print(epoch, val.item())
    """


def test_grd505_helper_called_under_no_grad_from_a_sibling_script(tmp_path):
    _write(tmp_path, {"metrics.py": VALIDATION_HELPER, "train.py": FIT_CALLS_UNDER_NO_GRAD})
    assert _lint(tmp_path / "metrics.py") == []


def test_grd505_helper_called_with_gradients_from_a_sibling_script(tmp_path):
    caller = FIT_CALLS_UNDER_NO_GRAD.replace("            with torch.no_grad():\n", "            if True:\n")
    _write(tmp_path, {"metrics.py": VALIDATION_HELPER, "train.py": caller})
    assert _lint(tmp_path / "metrics.py") == [(5, "GRD505")]



# ---- GRD501: `def train(model, loader, criterion, optimizer)` called as
# `train(net, data, loss_fn, SGD(net.parameters()))`. The optimizer came in with its owner named
# in the caller (`net`), so the callee's `model.zero_grad()` did not clear it and the step was
# reported as never cleared (gradient accumulation of the PyTorch-forum recipe, an LSTM language
# model clearing through the model). The binding now names the owner as the callee does.

from snippets import findings  # noqa: E402

ACCUMULATION_CLEARED_THROUGH_THE_MODEL = """\
import torch
import torch.nn as nn


def train(model, training_set, loss_function, optimizer, accumulation_steps=4):
    model.zero_grad()
    for i, (inputs, labels) in enumerate(training_set):
        loss = loss_function(model(inputs), labels) / accumulation_steps
        loss.backward()
        if (i + 1) % accumulation_steps == 0:
            optimizer.step()
            model.zero_grad()


net = nn.Linear(6, 2)
data = [(torch.randn(2, 6), torch.tensor([0, 1])) for _ in range(8)]
train(net, data, nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=0.1))
"""

CLEARED_THROUGH_THE_MODEL_EACH_STEP = """\
import torch
import torch.nn as nn


def train(model, batches, criterion, optimizer):
    for inputs, targets in batches:
        loss = criterion(model(inputs), targets)
        model.zero_grad()
        loss.backward()
        optimizer.step()


lm = nn.Linear(4, 3)
train(lm, [(torch.randn(2, 4), torch.tensor([0, 2]))], nn.CrossEntropyLoss(), torch.optim.Adam(lm.parameters()))
"""

# the clear is another module's: the optimizer given over `net` is never cleared
CLEARED_ANOTHER_MODULE = """\
import torch
import torch.nn as nn


def train(model, teacher, batches, optimizer):
    for inputs, targets in batches:
        loss = nn.functional.mse_loss(model(inputs), teacher(inputs).detach())
        teacher.zero_grad()
        loss.backward()
        optimizer.step()


net, ref = nn.Linear(4, 3), nn.Linear(4, 3)
train(net, ref, [(torch.randn(2, 4), None)], torch.optim.Adam(net.parameters()))
"""


def test_grd501_model_zero_grad_clears_an_optimizer_passed_over_the_same_model():
    assert findings(ACCUMULATION_CLEARED_THROUGH_THE_MODEL, "GRD501") == []
    assert findings(CLEARED_THROUGH_THE_MODEL_EACH_STEP, "GRD501") == []


def test_grd501_zero_grad_of_another_module_passed_alongside():
    assert findings(CLEARED_ANOTHER_MODULE, "GRD501") == [(10, "GRD501")]


def test_grd501_no_clear_at_all_in_a_helper_given_the_optimizer():
    src = CLEARED_THROUGH_THE_MODEL_EACH_STEP.replace("        model.zero_grad()\n", "")
    assert findings(src, "GRD501") == [(9, "GRD501")]


# ---- sub-modules called from outside their class: `emb = model.embedding(tokens)` in a saliency
# helper (a thread's "why is emb.grad None?"), `model.classifier(model.features(x))` in a training
# loop. The call was taken for a method of the class; having none of that name, its output stayed
# unknown. It runs the sub-module, as `self.embedding(tokens)` does inside the class.

SUBMODULE_CLASS = """\
import torch
import torch.nn as nn


class TextClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(100, 16)
        self.fc = nn.Linear(16, 2)

    def head(self, emb):
        return self.fc(emb.mean(1))


"""

SALIENCY_OF_A_SUBMODULE_OUTPUT = SUBMODULE_CLASS + """\
def token_saliency(model, tokens, label):
    model.zero_grad()
    emb = model.embedding(tokens)
    logits = model.head(emb)
    logits[0, label].backward()
    return emb.grad.norm(dim=-1)


token_saliency(TextClassifier(), torch.randint(0, 100, (1, 7)), 1)
"""


def test_grd301_grad_of_a_submodule_output_called_from_outside_the_class():
    assert findings(SALIENCY_OF_A_SUBMODULE_OUTPUT, "GRD301") == [(20, "GRD301")]


def test_grd301_submodule_output_with_retain_grad_or_under_no_grad():
    retained = SALIENCY_OF_A_SUBMODULE_OUTPUT.replace(
        "    emb = model.embedding(tokens)\n", "    emb = model.embedding(tokens)\n    emb.retain_grad()\n"
    )
    assert findings(retained, "GRD301") == []
    frozen = SUBMODULE_CLASS + """\
clf = TextClassifier()
clf.requires_grad_(False)
emb = clf.embedding(torch.randint(0, 100, (1, 7)))
print(emb.grad)
"""
    assert findings(frozen, "GRD301") == []


def test_grd502_submodule_chain_called_from_a_training_loop():
    src = SUBMODULE_CLASS + """\
def train(model, loader, criterion, optimizer):
    history = []
    for tokens, labels in loader:
        optimizer.zero_grad()
        loss = criterion(model.fc(model.embedding(tokens).mean(1)), labels)
        loss.backward()
        optimizer.step()
        history.append(loss)
    history_items = [h.item() for h in history]
    return history_items


clf = TextClassifier()
train(clf, [(torch.randint(0, 100, (2, 5)), torch.tensor([0, 1]))], nn.CrossEntropyLoss(), torch.optim.SGD(clf.parameters(), lr=0.1))
"""
    assert findings(src, "GRD502") == [(22, "GRD502")]
    assert findings(src.replace("history.append(loss)", "history.append(loss.detach())"), "GRD502") == []


# ---- GRD205: an optimizer over `list(vae.parameters()) + list(decoder.parameters())` (FactorVAE's
# trainer). The sum of the two lists was unknown, so the optimizer's owners were too and its step()
# staled nothing: the discriminator's backward() through the VAE's graph after that step was missed.

VAE_THEN_DISCRIMINATOR = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

encoder = nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 6))
decoder = nn.Linear(6, 16)
critic = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 2))
optim_vae = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()))
optim_d = torch.optim.Adam(critic.parameters())
labels = torch.zeros(4, dtype=torch.long)
for x in [torch.randn(4, 16) for _ in range(2)]:
    z = encoder(x)
    d_z = critic(z)
    vae_loss = F.mse_loss(decoder(z), x) + d_z.mean()
    optim_vae.zero_grad()
    vae_loss.backward(retain_graph=True)
    optim_vae.step()
    d_loss = F.cross_entropy(d_z, labels)
    optim_d.zero_grad()
    d_loss.backward()
    optim_d.step()
"""


def test_grd205_step_of_an_optimizer_over_two_parameter_lists():
    assert findings(VAE_THEN_DISCRIMINATOR, "GRD205") == [(20, "GRD205")]


def test_grd205_two_parameter_lists_negatives():
    # the critic's loss taken on a detached code: nothing of the stepped encoder is in its graph
    detached = VAE_THEN_DISCRIMINATOR.replace("    d_loss = F.cross_entropy(d_z, labels)\n", "    d_loss = F.cross_entropy(critic(z.detach()), labels)\n")
    assert findings(detached, "GRD205") == []
    # every backward() before the steps
    reordered = VAE_THEN_DISCRIMINATOR.replace(
        "    optim_vae.step()\n    d_loss = F.cross_entropy(d_z, labels)\n    optim_d.zero_grad()\n    d_loss.backward()\n",
        "    d_loss = F.cross_entropy(d_z, labels)\n    optim_d.zero_grad()\n    d_loss.backward()\n    optim_vae.step()\n",
    )
    assert findings(reordered, "GRD205") == []
