"""Shapes from public bug threads (threads helper, session 28, corpus_threads4).

- A loss helper in its own file, ``def loss(self, y_pred, target): ... return torch.tensor(losses).sum()``
  (pytorch-forecasting #689): the helper never calls backward() itself, so its callers' contexts
  were never asked for and the model output they pass stayed unknown; a file whose functions
  build a tensor with ``torch.tensor(...)`` gets its callers' contexts like a training function.
- A torch-free plotting or metrics helper, ``def plot_history(history): axs[0].plot(epochs,
  history["chord"])`` (jacbz/Lofi #14), ``np.sum([...])``: the module never mentions torch, so a file
  importing it learned nothing from it, and linted alone its parameters were unknown.
"""

from snippets import lint_path as lint
from snippets import write_project as write


LOSSES = """\
    import torch


    class QuantileLoss:
        def __init__(self, quantiles=(0.1, 0.5, 0.9)):
            self.quantiles = quantiles

        def loss(self, y_pred, target):
            losses = []
            for i, q in enumerate(self.quantiles):
                errors = target - y_pred[..., i]
                losses.append(torch.max((q - 1) * errors, q * errors).mean())
            return torch.tensor(losses).sum()


    def pinball(y_pred, target):
        parts = [(target - y_pred).abs().mean(), ((target - y_pred) ** 2).mean()]
        return torch.tensor(parts).sum()
    """

TRAIN = """\
    import torch
    import torch.nn as nn
    from losses import QuantileLoss, pinball


    def train(model, loader):
        criterion = QuantileLoss()
        optimizer = torch.optim.Adam(model.parameters())
        for x, y in loader:
            optimizer.zero_grad()
            loss = {call}
            loss.backward()
            optimizer.step()


    train(nn.Linear(4, 3), [(torch.randn(2, 4), torch.randn(2))])
    """


def test_a_loss_helper_of_another_file_building_a_tensor_from_the_model_s_losses_is_reported(tmp_path):
    write(tmp_path, {"losses.py": LOSSES, "train.py": TRAIN.format(call="criterion.loss(model(x), y)")})
    assert lint(tmp_path / "losses.py") == [(13, "GRD101")]
    write(tmp_path, {"train.py": TRAIN.format(call="pinball(model(x), y) + criterion.loss(model(x), y)")})
    assert lint(tmp_path / "losses.py") == [(13, "GRD101"), (18, "GRD101")]


def test_a_loss_helper_given_detached_predictions_stays_silent(tmp_path):
    # a metric computed on detached outputs: the values copied hold no graph (the caller's own
    # backward() is then on a tensor without grad, which is not the helper's finding)
    write(tmp_path, {"losses.py": LOSSES, "train.py": TRAIN.format(call="criterion.loss(model(x).detach(), y)")})
    assert lint(tmp_path / "losses.py") == []
    write(tmp_path, {"train.py": TRAIN.format(call="pinball(model(x), y).detach()")})
    # pinball's own arguments are the model's output: the cut is still inside the helper
    assert lint(tmp_path / "losses.py") == [(18, "GRD101")]


PLOTS = """\
    import matplotlib.pyplot as plt
    import numpy as np


    def plot_history(epochs, history):
        fig, axs = plt.subplots(1, 2)
        axs[0].plot(epochs, history["train"], label="train")
        fig.savefig("losses.png")


    def summary(values):
        return float(np.mean(values))
    """

LOOP = """\
    import torch
    import torch.nn as nn
    from plots import plot_history, summary


    def train(model, batches, epochs=3):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        history = {{"train": []}}
        for epoch in range(epochs):
            for x, y in batches:
                optimizer.zero_grad()
                loss = nn.functional.mse_loss(model(x), y)
                loss.backward()
                optimizer.step()
            history["train"].append({kept})
        plot_history(range(epochs), history)
        print(summary(history["train"]))


    train(nn.Linear(3, 1), [(torch.randn(4, 3), torch.randn(4, 1))])
    """


def test_a_torch_free_plotting_helper_plotting_the_kept_losses_is_reported(tmp_path):
    write(tmp_path, {"plots.py": PLOTS, "train.py": LOOP.format(kept="loss")})
    assert lint(tmp_path / "plots.py", select={"GRD503"}) == [(7, "GRD503"), (12, "GRD503")]


def test_a_torch_free_plotting_helper_given_numbers_stays_silent(tmp_path):
    write(tmp_path, {"plots.py": PLOTS, "train.py": LOOP.format(kept="loss.item()")})
    assert lint(tmp_path / "plots.py", select={"GRD503"}) == []
    write(tmp_path, {"train.py": LOOP.format(kept="loss.detach()")})
    assert lint(tmp_path / "plots.py", select={"GRD503"}) == []


# HandsOnDeepLearningWithPytorch #2: weights made leaves then converted with `.type(dtype)` before the
# loop, updated under no_grad in it. The conversion saves no tensor, so each iteration's backward()
# through it runs (checked with torch 2.13); the weights' `.grad` is None (GRD302/GRD301), not a
# second backward.
CONVERTED = """\
    import torch

    dtype = torch.DoubleTensor
    x = torch.randn(4, 3).type(dtype)
    w = {made}
    for epoch in range(3):
        loss = ((x @ w).sigmoid() ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.1
"""


def test_a_graph_of_a_dtype_conversion_updated_under_no_grad_is_backpropagated_again_without_error(tmp_path):
    write(tmp_path, {"fizbuz.py": CONVERTED.format(made="torch.randn(3, 2, requires_grad=True).type(dtype)")})
    assert lint(tmp_path / "fizbuz.py", select={"GRD504"}) == []


def test_a_graph_that_saves_a_tensor_before_the_loop_is_still_a_second_backward(tmp_path):
    write(tmp_path, {"fizbuz.py": CONVERTED.format(made="torch.randn(3, 2, requires_grad=True).type(dtype) / 2.0")})
    assert lint(tmp_path / "fizbuz.py", select={"GRD504"}) == [(8, "GRD504")]
    # an update with gradients on joins the graph each iteration
    text = CONVERTED.format(made="torch.randn(3, 2, requires_grad=True).type(dtype)")
    write(tmp_path, {"fizbuz.py": text.replace("        with torch.no_grad():\n            w -= 0.1\n", "        w -= 0.1 * w\n")})
    assert lint(tmp_path / "fizbuz.py", select={"GRD504"}) == [(8, "GRD504")]


# pytorch-goodies #11: a dice loss on `argmax` predictions. `F.one_hot(pred, logits.shape[1])` is an
# int64 tensor whatever gives its number of classes (the shape of a grad tensor is a number), so the
# loss holds no graph and backward() raises "element 0 of tensors does not require grad".
DICE = """\
    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    def dice_loss(logits, true, eps=1e-7):
        num_classes = logits.shape[1]
        pred = {pred}
        pred_1hot = F.one_hot(pred, num_classes).permute(0, 2, 1).float()
        true_1hot = F.one_hot(true, num_classes).permute(0, 2, 1).float()
        intersection = torch.sum(pred_1hot * true_1hot, (0, 2))
        cardinality = torch.sum(pred_1hot + true_1hot, (0, 2))
        return 1 - (2.0 * intersection / (cardinality + eps)).mean()


    def train_epoch(model, loader, optimizer):
        for x, masks in loader:
            optimizer.zero_grad()
            loss = dice_loss(model(x).permute(0, 2, 1), masks)
            loss.backward()
            optimizer.step()


    net = nn.Linear(3, 4)
    train_epoch(net, [(torch.randn(2, 5, 3), torch.randint(0, 4, (2, 5)))], torch.optim.SGD(net.parameters(), lr=0.1))
"""


def test_a_dice_loss_on_argmax_predictions_is_backpropagated_without_grad(tmp_path):
    write(tmp_path, {"dice.py": DICE.format(pred="logits.argmax(dim=1)")})
    assert lint(tmp_path / "dice.py", select={"GRD103"}) == [(20, "GRD103")]


def test_a_soft_dice_loss_multiplying_probabilities_by_one_hot_targets_stays_silent(tmp_path):
    text = DICE.format(pred="logits.argmax(dim=1)").replace(
        "pred_1hot = F.one_hot(pred, num_classes).permute(0, 2, 1).float()", "pred_1hot = F.softmax(logits, dim=1)"
    )
    write(tmp_path, {"dice.py": text})
    assert lint(tmp_path / "dice.py") == []


# pytorch-grad-cam #562: a Grad-CAM object called as `cam(x, class_idx)` runs its `__call__`, as a call
# of any other method of it would; the activations it keeps in `self` are not a leaf.
CAM = """\
    import torch
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
            self.classifier = nn.Linear(8, 10)


    class GradCAM:
        def __init__(self, model):
            self.model = model

        def __call__(self, x, class_idx):
            self.activations = self.model.features(x)
            {keep}
            logits = self.model.classifier(self.activations.mean(dim=(2, 3)))
            logits[0, class_idx].backward()
            return self.activations.grad.mean(dim=(2, 3))


    cam = GradCAM(Net())
    print(cam(torch.rand(1, 3, 8, 8), 3))
"""


def test_the_grad_of_activations_kept_by_an_object_s_call_is_reported(tmp_path):
    write(tmp_path, {"cam.py": CAM.format(keep="pass")})
    assert lint(tmp_path / "cam.py") == [(21, "GRD301")]


def test_activations_kept_with_retain_grad_by_an_object_s_call_stay_silent(tmp_path):
    write(tmp_path, {"cam.py": CAM.format(keep="self.activations.retain_grad()")})
    assert lint(tmp_path / "cam.py") == []
    # a callable object of no known class is not followed
    write(tmp_path, {"cam.py": CAM.format(keep="pass").replace("cam = GradCAM(Net())", "cam = make_cam()")})
    assert lint(tmp_path / "cam.py") == []


# corpus_threads3 p19 (a d2l-style notebook): targets sliced from a graph built before the loop go
# through the project's helpers `loss(fc(x, W, b), y)`. The helpers' result holds the graph of the
# argument it was computed from, so the second iteration's backward() goes through the freed graph
# of `Y` ("Trying to backward through the graph a second time", checked with torch 2.13).
BEFORE_LOOP = """\
    import torch


    def fc(x, w, b):
        return torch.clamp(torch.mm(x, w) + b, min=0)


    def loss(y_hat, y):
        return {body}


    X = torch.randn(40, 2)
    true_W = torch.randn(2, 1, requires_grad=True)
    Y = torch.mm(X, true_W) + 0.5
    W = torch.zeros(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for start in range(0, 40, 20):
        x, y = X[start:start + 20], {target}
        l = loss(fc(x, W, b), y)
        l.backward()
        with torch.no_grad():
            W -= 0.1 * W.grad
            W.grad.zero_()
"""


def test_a_graph_built_before_the_loop_reached_through_helpers_is_backpropagated_twice(tmp_path):
    write(tmp_path, {"nb.py": BEFORE_LOOP.format(body="((y_hat - y) ** 2).mean()", target="Y[start:start + 20]")})
    assert lint(tmp_path / "nb.py", select={"GRD504"}) == [(20, "GRD504")]


def test_helpers_given_detached_targets_or_not_using_them_stay_silent(tmp_path):
    write(tmp_path, {"nb.py": BEFORE_LOOP.format(body="((y_hat - y) ** 2).mean()", target="Y[start:start + 20].detach()")})
    assert lint(tmp_path / "nb.py", select={"GRD504"}) == []
    write(tmp_path, {"nb.py": BEFORE_LOOP.format(body="(y_hat ** 2).mean() + 0 * y.shape[0]", target="Y[start:start + 20]")})
    assert lint(tmp_path / "nb.py", select={"GRD504"}) == []
    # the targets computed in the loop: a new graph each iteration
    text = BEFORE_LOOP.format(body="((y_hat - y) ** 2).mean()", target="torch.mm(X[start:start + 20], true_W)")
    write(tmp_path, {"nb.py": text})
    assert lint(tmp_path / "nb.py", select={"GRD504"}) == []


# NWPU-MOC #4 (corpus_threads3 p12), an mmdet-style FPN: lateral outputs of a `ConvModule` ending in
# `nn.ReLU()`, one per level of a ModuleList, then `laterals[i - 1] += F.interpolate(laterals[i], ...)`.
# ReLU saves its output, so the in-place add raises at backward ("modified by an inplace operation").
FPN = """\
    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class ConvModule(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.conv = nn.Conv2d(cin, cout, 1)
            self.act = {act}

        def forward(self, x):
            return self.act(self.conv(x))


    class FPN(nn.Module):
        def __init__(self, in_channels=(8, 16, 32)):
            super().__init__()
            self.lateral_convs = nn.ModuleList([ConvModule(c, 8) for c in in_channels])

        def forward(self, inputs):
            laterals = [conv(inputs[i]) for i, conv in enumerate(self.lateral_convs)]
            for i in range(len(laterals) - 1, 0, -1):
                {update}
            return laterals[0]


    head = FPN()
    feats = [torch.randn(1, 8, 8, 8), torch.randn(1, 16, 4, 4), torch.randn(1, 32, 2, 2)]
    head(feats).sum().backward()
"""
ADD_IN_PLACE = 'laterals[i - 1] += F.interpolate(laterals[i], size=laterals[i - 1].shape[2:], mode="nearest")'


def test_an_in_place_add_into_saved_lateral_outputs_of_a_module_list_is_reported(tmp_path):
    write(tmp_path, {"fpn.py": FPN.format(act="nn.ReLU()", update=ADD_IN_PLACE)})
    assert lint(tmp_path / "fpn.py") == [(24, "GRD202")]


def test_lateral_outputs_nothing_saved_or_added_out_of_place_stay_silent(tmp_path):
    # BatchNorm's output is not saved; a convolution saves its input, not its output
    write(tmp_path, {"fpn.py": FPN.format(act="nn.BatchNorm2d(8)", update=ADD_IN_PLACE)})
    assert lint(tmp_path / "fpn.py") == []
    write(tmp_path, {"fpn.py": FPN.format(act="nn.Identity()", update=ADD_IN_PLACE)})
    assert lint(tmp_path / "fpn.py") == []
    out_of_place = ADD_IN_PLACE.replace("laterals[i - 1] += ", "laterals[i - 1] = laterals[i - 1] + ")
    write(tmp_path, {"fpn.py": FPN.format(act="nn.ReLU()", update=out_of_place)})
    assert lint(tmp_path / "fpn.py") == []


# discuss.pytorch.org "gradient is lost when use torch.tensor([t1, t2])" (corpus_threads3 p06): a list
# of the losses themselves copied by `torch.tensor(costs)` holds no graph, like a list of `.item()`s:
# weighted by a tensor that does not require grad, the loss's backward() raises.
WEIGHTED = """\
    import torch
    import torch.nn as nn


    def train(model, loader, optimizer, weights):
        for x, target in loader:
            optimizer.zero_grad()
            out = model(x)
            costs = [((out[:, j] - target[:, j]) ** 2).mean() for j in range(2)]
            cost_vec = torch.tensor(costs)
            loss = torch.matmul(cost_vec, weights).sum()
            loss.backward()
            optimizer.step()


    net = nn.Linear(3, 2)
    train(net, [(torch.randn(4, 3), torch.randn(4, 2))], torch.optim.Adam(net.parameters()), {weights})
"""


def test_backward_on_losses_copied_by_torch_tensor_and_weighted_by_a_constant_is_reported(tmp_path):
    write(tmp_path, {"ik.py": WEIGHTED.format(weights="torch.tensor([1.0, 2.0])")})
    assert lint(tmp_path / "ik.py") == [(10, "GRD101"), (12, "GRD103")]


def test_losses_copied_by_torch_tensor_weighted_by_a_parameter_are_only_the_copy(tmp_path):
    # learned task weights: the loss requires grad through them, backward() runs (the copy is the bug)
    write(tmp_path, {"ik.py": WEIGHTED.format(weights="nn.Parameter(torch.ones(2))")})
    assert lint(tmp_path / "ik.py") == [(10, "GRD101")]
    write(tmp_path, {"ik.py": WEIGHTED.format(weights="torch.tensor([1.0, 2.0])").replace("torch.tensor(costs)", "torch.stack(costs)")})
    assert lint(tmp_path / "ik.py") == []
