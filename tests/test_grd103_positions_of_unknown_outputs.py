"""GRD103 through position-finding ops of a value that may carry the graph: ``torch.argmax`` of one
head of a model whose forward builds its output dict in a comprehension over an ``nn.ModuleDict``
(a value of unknown structure) gives indices that never require grad, so a loss made only from
them and from data raises "element 0 of tensors does not require grad" at backward
(BOP19_CDPN_2019ICCV #4, checked with torch 2.13). A loss that still takes the model output, or
indices of the labels, are not this.
"""

from snippets import case_maker, rule_tests

CODE = "GRD103"
case = case_maker(CODE)

MODEL = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class CoorNet(nn.Module):
    def __init__(self, bins=8):
        super().__init__()
        self.backbone = nn.Conv2d(3, 16, 3, padding=1)
        self.heads = nn.ModuleDict({k: nn.Conv2d(16, bins, 1) for k in ("x", "y")})

    def forward(self, img):
        feat = F.relu(self.backbone(img))
        return {k: head(feat) for k, head in self.heads.items()}


"""

POSITIVES = [
    case(
        "argmax-coordinates-of-dict-comprehension-heads",
        MODEL
        + """\
def train(model, optimizer, img, gt):
    out = model(img)
    coor = torch.stack([torch.argmax(out[k], dim=1) for k in ("x", "y")], dim=1)
    loss = F.l1_loss(2.0 * coor.float() / 7.0 - 1.0, gt)
    optimizer.zero_grad()
    loss.backward()  # expect: GRD103
    optimizer.step()


net = CoorNet()
train(net, torch.optim.Adam(net.parameters()), torch.randn(2, 3, 8, 8), torch.rand(2, 2, 8, 8))
""",
        [22],
    ),
    case(
        "argmax-method-of-one-head",
        MODEL
        + """\
net = CoorNet()
out = net(torch.randn(2, 3, 8, 8))
pred = out["x"].argmax(1).float()
loss = ((pred - torch.rand(2, 8, 8)) ** 2).mean()
loss.backward()  # expect: GRD103
""",
        [21],
    ),
]


NEGATIVES = [
    case(
        "loss-keeps-the-logits",
        MODEL
        + """\
net = CoorNet()
out = net(torch.randn(2, 3, 8, 8))
target = torch.randint(0, 8, (2, 8, 8))
loss = F.cross_entropy(out["x"], target) + 0.0 * torch.argmax(out["y"], 1).float().mean()
loss.backward()
""",
    ),
    case(
        "argmax-of-a-parameter-of-unknown-origin-with-unknown-target",
        """\
        import torch
        import torch.nn.functional as F


        def step(scores, gt):
            loss = F.l1_loss(scores.argmax(1).float(), gt)
            loss.backward()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
