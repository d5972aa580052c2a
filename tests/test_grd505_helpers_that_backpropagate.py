"""GRD505: an evaluation loop over a model in eval mode that calls a helper whose own loop
backpropagates (an iterative attack: ``attack.i_fgsm(x, y)`` takes the gradient of the loss with respect
to the input at each step, then scores the clean and the adversarial images). The helper's backward()
needs grad mode, so the forwards it runs in the same call are part of a computation under grad on
purpose, and ``torch.no_grad()`` around the call would break it. The callee's top-level backward()
already exempted the loop (``attack.fgsm``); one inside the callee's own loop did not (corpus29
sheep0923/FGSM_VGG_Resnet_pytorch: twelve scripts calling i_fgsm / mi_fgsm). A helper whose loop only
runs forwards (noise-averaged predictions) is still reported at the call."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_ATTACK = """
import torch
import torch.nn as nn


class Attack:
    def __init__(self, net, criterion):
        self.net = net
        self.criterion = criterion

    def i_fgsm(self, x, y, eps=0.03, iteration=3):
        x_adv = x.detach().clone().requires_grad_(True)
        for _ in range(iteration):
            cost = -self.criterion(self.net(x_adv), y)
            self.net.zero_grad()
            cost.backward()
            x_adv = (x_adv - eps * x_adv.grad.sign()).detach().requires_grad_(True)
        h = self.net(x)
        h_adv = self.net(x_adv)
        return x_adv, h_adv, h


net = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.2))
net.eval()
attack = Attack(net, nn.CrossEntropyLoss())
loader = [(torch.randn(2, 4), torch.tensor([0, 1])) for _ in range(3)]
same = 0
for x, y in loader:
    x_adv, h_adv, h = attack.i_fgsm(x, y, 0.1, 3)
    same += (h_adv.argmax(1) == h.argmax(1)).sum().item()
print(same)
"""

_SMOOTHER = """
import torch
import torch.nn as nn


class Smoother:
    def __init__(self, net):
        self.net = net

    def smooth(self, x, samples=3):
        total = []
        for _ in range(samples):
            total.append(self.net(x + 0.1 * torch.randn_like(x)).softmax(1).detach())  # expect: GRD505
        h = self.net(x)
        return sum(total) / samples, h


net = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.2))
net.eval()
smoother = Smoother(net)
loader = [(torch.randn(2, 4), torch.tensor([0, 1])) for _ in range(3)]
same = 0
for x, y in loader:
    p, h = smoother.smooth(x, 3)  # expect: GRD505
    same += (p.argmax(1) == h.argmax(1)).sum().item()
print(same)
"""

POSITIVES = [
    case("helper_loop_of_forwards_only", _SMOOTHER, lines=(13, 24)),
]

NEGATIVES = [
    case("iterative_attack_helper_backpropagates_in_its_loop", _ATTACK),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
