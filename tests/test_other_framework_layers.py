"""A class on another framework's layer base is not an nn.Module.

face.evoLVe ships a PaddlePaddle port beside its PyTorch code: ``class FocalLoss(nn.Layer)`` with
``import paddle.nn as nn`` defines ``forward`` as a torch module would, and the training loop logs
``loss.numpy().item()`` before ``loss.backward()``, which paddle allows on a tensor that needs
gradients. Two torch facts do not hold there: a forward() on a base the analysis does not know makes
a class an nn.Module (a base from a file that was not linted), but a base from paddle, mindspore,
mxnet, megengine, oneflow, jittor, TensorFlow/Keras or JAX/flax is another framework's layer; and a
later ``loss.backward()`` proves that ``loss`` requires grad, but not in a file that imports such a
framework and never torch. A base from an unknown library in a torch file still makes a
forward-defining class a torch module, and its output's ``.numpy()`` is reported.
"""

from snippets import case_maker, rule_tests

CODE = "GRD503"
case = case_maker(CODE)

_PADDLE_LOOP = """\
    import paddle
    import paddle.nn as nn


    class FocalLoss(nn.Layer):
        def __init__(self, gamma=2):
            super().__init__()
            self.gamma = gamma
            self.ce = nn.CrossEntropyLoss()

        def forward(self, logits, target):
            logp = self.ce(logits, target)
            return ((1 - paddle.exp(-logp)) ** self.gamma * logp).mean()


    net = nn.Linear(4, 3)
    criterion = FocalLoss()
    opt = paddle.optimizer.SGD(parameters=net.parameters())
    for step in range(3):
        x = paddle.randn([8, 4])
        y = paddle.randint(0, 3, [8])
        loss = criterion(net(x), y)
        print(loss.numpy().item())  # NUMPY
        opt.clear_grad()
        loss.backward()
        opt.step()
"""

_TORCH_LOOP = """\
    import torch
    from losses.base import BaseLoss


    class FocalLoss(BaseLoss):
        def __init__(self, gamma=2):
            super().__init__()
            self.gamma = gamma
            self.ce = torch.nn.CrossEntropyLoss()

        def forward(self, logits, target):
            logp = self.ce(logits, target)
            return ((1 - torch.exp(-logp)) ** self.gamma * logp).mean()


    net = torch.nn.Linear(4, 3)
    criterion = FocalLoss()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for step in range(3):
        x = torch.randn(8, 4)
        y = torch.randint(0, 3, (8,))
        loss = criterion(net(x), y)
        print(loss.numpy().item())  # NUMPY
        opt.zero_grad()
        loss.backward()
        opt.step()
"""

def _numpy_after_backward(loop: str) -> str:
    """The loss logged after its backward() (jerryzhaozs's paddle word2vec: ``loss.backward()``, then
    ``loss.numpy()[0]`` every 100 steps): in torch the backward proves the loss requires grad, so the
    conversion raises; in paddle it proves nothing."""
    moved = loop.replace("        print(loss.numpy().item())  # NUMPY\n", "")
    return moved.rstrip("\n") + "\n        print(loss.numpy().item())  # NUMPY\n"


POSITIVES = [
    case("torch-loss-on-a-base-of-an-unknown-library", _TORCH_LOOP.replace("# NUMPY", "# expect: GRD503"), lines=(23,)),
    case(
        "torch-loss-of-an-unknown-call-logged-after-its-backward",
        _numpy_after_backward(_TORCH_LOOP).replace("loss = criterion(net(x), y)", "loss = compute(net, x, y)").replace(
            "# NUMPY", "# expect: GRD503"
        ),
        lines=(26,),
    ),
]

NEGATIVES = [
    case("paddle-layer-subclass", _PADDLE_LOOP),
    case(
        "paddle-layer-imported-by-name",
        _PADDLE_LOOP.replace("import paddle.nn as nn\n", "import paddle.nn as nn\n    from paddle.nn import Layer\n").replace(
            "class FocalLoss(nn.Layer)", "class FocalLoss(Layer)"
        ),
    ),
    case("paddle-loss-logged-after-its-backward", _numpy_after_backward(_PADDLE_LOOP)),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
