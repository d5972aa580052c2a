"""Shapes of ordinary training code the analysis missed (session 22 recall study), as our own small programs.

- GRD510 with an optimizer of unknown parameters: the model the loop trains is the only one it runs
  with gradients; the layers its own forward runs (recorded by the walk of that forward) and
  parameter-free modules (a loss) are not other models.
- Optimizers over parameter groups (``SGD([{"params": a}, {"params": b, "lr": ...}])``): whole
  parameter sets of known modules are a union of owners (GRD205 stale graphs, GRD510); chosen
  subsets (a filter, a weight-decay split) say which modules are trained, not which parameters a
  step writes (no stale graph inferred).
"""

import pytest

from snippets import findings
from test_trainable_parameter_filters import GAN_STEP_BEFORE_D_BACKWARD


def marked(src: str, code: str):
    return [(n, code) for n, line in enumerate(src.splitlines(), 1) if line.endswith(f"# expect: {code}")]

NET = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.drop = nn.Dropout(0.5)
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(self.drop(torch.relu(self.fc1(x))))


"""

FIT_PASSED_OPTIMIZER = NET + """\
from helpers import build_optimizer


def fit(net, optimizer, train_batches, valid_batches, epochs):
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
{top}        for x, y in train_batches:
            optimizer.zero_grad()
            loss = criterion(net(x), y)
            loss.backward()
            optimizer.step()
        net.eval(){expect}
        with torch.no_grad():
            for x, y in valid_batches:
                print(criterion(net(x), y).item())


net = Net()
fit(net, build_optimizer(net), [], [], 3)  # an optimizer made by a function of another library
"""


def test_eval_of_the_only_model_an_unknown_optimizer_trains():
    # before: the forwards of net.fc1/net.drop/net.fc2 (walked inside Net.forward) and of the loss
    # module counted as other models, so the loop was not known to train `net`
    src = FIT_PASSED_OPTIMIZER.format(top="", expect="  # expect: GRD510")
    assert findings(src, "GRD510") == marked(src, "GRD510") != []


def test_train_at_the_top_of_each_epoch_restores_the_mode():
    src = FIT_PASSED_OPTIMIZER.format(top="        net.train()\n", expect="")
    assert findings(src, "GRD510") == []


def test_two_models_with_gradients_and_an_unknown_optimizer_stay_silent():
    # which of the two the passed-in optimizer trains is not known
    src = FIT_PASSED_OPTIMIZER.format(top="", expect="").replace(
        "loss = criterion(net(x), y)", "loss = criterion(net(x) + other(x), y)"
    ).replace("def fit(net,", "def fit(other, net,").replace("fit(net,", "fit(Net(), net,")
    assert findings(src, "GRD510") == []


HEAD_ON_FEATURES = NET + """\
backbone = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
head = Net()
optimizer = torch.optim.SGD({groups}, lr=0.1, momentum=0.9)
for epoch in range(3):
{top}    for x, y in train_batches:
        optimizer.zero_grad()
        loss = F.cross_entropy(head(backbone(x)), y)
        loss.backward()
        optimizer.step()
    head.eval(){expect}
    with torch.no_grad():
        for x, y in valid_batches:
            print(F.cross_entropy(head(backbone(x)), y).item())
"""

GROUPS = [
    "[{'params': head.fc1.parameters()}, {'params': head.fc2.parameters(), 'lr': 0.01}]",
    "[dict(params=head.fc1.parameters()), dict(params=head.fc2.parameters(), lr=0.01)]",
    # a chosen subset of head's parameters and the rest of them: the usual fine-tuning split
    "[{'params': filter(lambda p: id(p) not in last, head.parameters())}, {'params': head.fc2.parameters(), 'lr': 0.01}]",
    "[{'params': [p for n, p in head.named_parameters() if 'bias' not in n]},"
    " {'params': [p for n, p in head.named_parameters() if 'bias' in n], 'weight_decay': 0.0}]",
]


@pytest.mark.parametrize("groups", GROUPS)
def test_parameter_groups_of_one_model_train_that_model(groups):
    # backbone also runs with gradients: only the groups' owners say the loop trains `head`
    src = HEAD_ON_FEATURES.format(groups=groups, top="", expect="  # expect: GRD510")
    assert findings(src, "GRD510") == marked(src, "GRD510") != []


@pytest.mark.parametrize("groups", GROUPS)
def test_parameter_groups_with_train_each_epoch_are_fine(groups):
    src = HEAD_ON_FEATURES.format(groups=groups, top="    head.train()\n", expect="")
    assert findings(src, "GRD510") == []


def test_groups_over_another_model_do_not_make_head_trained():
    src = HEAD_ON_FEATURES.format(
        groups="[{'params': backbone.parameters()}, {'params': [], 'lr': 0.01}]", top="", expect=""
    )
    assert findings(src, "GRD510") == []


def test_a_group_of_parameters_from_no_known_module_leaves_the_optimizer_unknown():
    src = HEAD_ON_FEATURES.format(
        groups="[{'params': head.fc1.parameters()}, {'params': [scale]}]", top="", expect=""
    ).replace("backbone = ", "scale = torch.ones(1, requires_grad=True)\nbackbone = ")
    assert findings(src, "GRD510") == []


def gan_step(groups: str, expect: bool) -> str:
    """The GAN step of test_trainable_parameter_filters with generator optimizer ``Adam(groups)``."""
    src = GAN_STEP_BEFORE_D_BACKWARD.format(params=groups)
    return src if expect else src.replace("  # expect: GRD205", "")


@pytest.mark.parametrize(
    "groups",
    [
        "[{'params': gen.parameters()}]",
        "[{'params': gen.parameters(), 'lr': 2e-4, 'betas': (0.5, 0.999)}]",
        "[{'params': filter(lambda p: p.requires_grad, gen.parameters())}]",
    ],
)
def test_a_step_over_groups_of_whole_parameter_sets_makes_their_graphs_stale(groups):
    src = gan_step(groups, True)
    assert findings(src, "GRD205") == marked(src, "GRD205") != []


@pytest.mark.parametrize(
    "groups",
    [
        # which of gen's parameters the step writes is chosen by the code: not known to be saved
        "[{'params': [p for n, p in gen.named_parameters() if 'bias' not in n]}]",
        "[{'params': filter(lambda p: p.ndim > 1, gen.parameters())}]",
        "[{'params': gen.parameters()}, {'params': [torch.zeros(1, requires_grad=True)]}]",
    ],
)
def test_a_step_over_chosen_parameters_infers_no_stale_graph(groups):
    src = gan_step(groups, False)
    assert findings(src, "GRD205") == []


def test_groups_whose_graph_was_cut_before_the_step_are_fine():
    src = gan_step("[{'params': gen.parameters()}]", False).replace(
        "d_loss = F.binary_cross_entropy_with_logits(fake_score,", "d_loss = F.binary_cross_entropy_with_logits(disc(fake.detach()),"
    )
    assert findings(src, "GRD205") == []


# GRD507: a parameter of unknown kind that its function uses as only a tensor can be used

FIT_METHOD = """\
import torch


class Trainer:
    def __init__(self, model, device):
        self.model = model
        self.device = device

    def fit(self, x, y, vx=None):
        x.to(self.device){expect}
        if vx is not None:
            vx.to(self.device){expect}
        for epoch in range(10):
            for idx in torch.randperm(100).split(10):
                {use}
                self.score(vx)

    def score(self, data):
        return self.apply(data)

    def apply(self, batch):
        {inner}
"""


@pytest.mark.parametrize(
    "use,inner",
    [
        ("out = self.model(x[idx, :])", "return batch[:, 0]"),
        ("out = self.model(x.view(-1, 4))", "return batch.unsqueeze(1)"),
        ("n = x.numel()", "return self.model(batch.permute(1, 0))"),
    ],
)
def test_dropped_move_of_a_parameter_used_as_a_tensor(use, inner):
    src = FIT_METHOD.format(expect="  # expect: GRD507", use=use, inner=inner)
    assert findings(src, "GRD507") == marked(src, "GRD507") != []


@pytest.mark.parametrize(
    "use,inner",
    [
        # torch_geometric's Data has size(), and moves its fields in place: not a tensor's proof
        ("n = x.size(0)", "return batch.size(1)"),
        # a model, a BatchEncoding (string keys, ints): .to() works in place on both
        ("out = self.model(x)", "return self.model(**batch)"),
        ("out = self.model(x['input_ids'])", "return batch[0]"),
        # a type test: the function handles other kinds too
        ("out = x[idx, :] if isinstance(x, torch.Tensor) else x", "return batch[:, 0] if torch.is_tensor(batch) else batch"),
        # rebound: the later use reads another object
        ("x = x[idx, :]", "batch = batch.to('cpu')\n        return batch[:, 0]"),
    ],
)
def test_dropped_move_of_a_parameter_not_known_as_a_tensor_stays_silent(use, inner):
    src = FIT_METHOD.format(expect="", use=use, inner=inner)
    assert findings(src, "GRD507") == []


def test_moved_parameters_assigned_back_are_fine():
    src = FIT_METHOD.format(expect="", use="out = self.model(x[idx, :])", inner="return batch[:, 0]")
    src = src.replace("x.to(self.device)", "x = x.to(self.device)").replace("vx.to(self.device)", "vx = vx.to(self.device)")
    assert findings(src, "GRD507") == []


LOADER_LOOP = """\
import torch
import torch.nn as nn

model = nn.Linear(784, 10)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
criterion = {criterion}
{loader}
for data, target in train_loader:
    data.to(device){expect}
    target.to(device)
    optimizer.zero_grad()
    loss = criterion(model({use}), target)
    loss.backward()
    optimizer.step()
"""


@pytest.mark.parametrize("loader", ["", "train_loader = torch.utils.data.DataLoader(dataset, batch_size=8)"])
def test_dropped_move_of_a_loop_target_used_as_a_tensor(loader):
    # `data` is bound by the loop alone; `data.view(...)` is a tensor's; `target` shows nothing
    src = LOADER_LOOP.format(loader=loader, criterion="make_criterion()", expect="  # expect: GRD507", use="data.view(-1, 784)")
    assert findings(src, "GRD507") == marked(src, "GRD507") != []


@pytest.mark.parametrize(
    "use",
    [
        "data",  # passed to the model only
        "data['pixels']",  # a dict or BatchEncoding batch
        "data.size(0) and data",
    ],
)
def test_dropped_move_of_a_loop_target_not_known_as_a_tensor_stays_silent(use):
    src = LOADER_LOOP.format(loader="", criterion="make_criterion()", expect="", use=use)
    assert findings(src, "GRD507") == []


def test_a_name_bound_twice_shows_nothing_by_one_use():
    src = LOADER_LOOP.format(loader="", criterion="make_criterion()", expect="", use="data.view(-1, 784)").replace(
        "    optimizer.zero_grad()", "    data = data.float()\n    optimizer.zero_grad()"
    )
    assert findings(src, "GRD507") == []


@pytest.mark.parametrize(
    "criterion",
    ["nn.CrossEntropyLoss()", "nn.functional.cross_entropy", "torch.nn.NLLLoss(reduction='sum')"],
)
def test_a_target_given_to_a_torch_loss_is_a_tensor(criterion):
    src = LOADER_LOOP.format(loader="", criterion=criterion, expect="", use="data")
    src = src.replace("    target.to(device)", "    target.to(device)  # expect: GRD507")
    assert findings(src, "GRD507") == marked(src, "GRD507") != []


@pytest.mark.parametrize(
    "criterion",
    [
        "make_criterion()",  # another library's: may take anything
        "FocalLoss()",  # a loss of this file
        "nn.CrossEntropyLoss",  # the class itself: its arguments are settings
    ],
)
def test_a_target_given_to_a_loss_not_known_as_torch_s_shows_nothing(criterion):
    src = LOADER_LOOP.format(loader="", criterion=criterion, expect="", use="data")
    src = src.replace("import torch.nn as nn\n", "import torch.nn as nn\n\n\nclass FocalLoss(nn.Module):\n    def forward(self, x, y):\n        return x.sum()\n\n\n")
    assert findings(src, "GRD507") == []


def test_the_shape_of_a_batch_shows_a_tensor():
    src = LOADER_LOOP.format(loader="", criterion="make_criterion()", expect="  # expect: GRD507", use="data")
    src = src.replace("    optimizer.zero_grad()", "    n = data.shape[0]\n    optimizer.zero_grad()")
    assert findings(src, "GRD507") == marked(src, "GRD507") != []


def test_the_size_of_a_batch_shows_nothing():
    # torch_geometric's Data has size() and moves its fields in place on .to()
    src = LOADER_LOOP.format(loader="", criterion="make_criterion()", expect="", use="data")
    src = src.replace("    optimizer.zero_grad()", "    n = data.size(0)\n    optimizer.zero_grad()")
    assert findings(src, "GRD507") == []


@pytest.mark.parametrize(
    "src",
    [
        # a graph of another library shown on screen: `view` is its own method
        "from graphviz import Digraph\n\n\ndef show(edges):\n    g = Digraph()\n    for a, b in edges:\n"
        "        g.edge(a, b)\n    g.view()\n",
        # a compiled model reshaped in place, a sampler's expand: the dropped call is no evidence of a tensor
        "import openvino as ov\n\n\ndef prepare(path, im):\n    model = ov.Core().read_model(path)\n"
        "    model.reshape(list(im.shape))\n    return model\n",
        "import torch\n\n\ndef query(anchor, storage):\n    unit = Sequence(length=64)\n"
        "    unit.expand(anchor, {}, storage)\n    return unit.expand(anchor[:, 0], {}, storage)\n",
        # a structure's own in-place form
        "def regroup(td, shape):\n    td.reshape(shape, inplace=True)\n    return td.shape\n",
    ],
)
def test_dropped_calls_of_other_objects_methods_stay_silent(src):
    assert findings(src, "GRD507") == []
