"""GRD202 inplace-on-saved-tensor: an in-place write to a grad tensor that an earlier op saved for backward.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD202`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD202"
case = case_maker(CODE)


POSITIVES = [
    case(
        "sigmoid-output-scaled-in-place-in-loop",
        """\
        import torch
        import torch.nn.functional as F
        import torch.optim as optim

        x = torch.randn(32, 8)
        y = torch.randn(32, 1)
        w1 = torch.randn(8, 16, requires_grad=True)
        w2 = torch.randn(16, 1, requires_grad=True)
        optimizer = optim.SGD([w1, w2], lr=0.05)
        for step in range(5):
            optimizer.zero_grad()
            h = torch.sigmoid(x @ w1)
            mask = (torch.rand(32, 16) < 0.8).float() / 0.8
            h.mul_(mask)  # expect: GRD202
            loss = F.mse_loss(h @ w2, y)
            loss.backward()
            optimizer.step()
        """,
        [14],
    ),
    case(
        "index-assignment-from-own-elements",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        p = x * 2
        p[2] = p[0] / p[1]  # expect: GRD202
        p.sum().backward()
        """,
        [5],
    ),
    case(
        "exp-output-augmented",
        """\
        import torch

        logits = torch.randn(4, requires_grad=True)
        e = logits.exp()
        e += 1e-6  # expect: GRD202
        (e / e.sum()).log().sum().backward()
        """,
        [5],
    ),
    case(
        "factor-of-a-product-modified",
        """\
        import torch

        w = torch.randn(5, requires_grad=True)
        v = torch.randn(5, requires_grad=True)
        a = w * 2.0
        b = v + 1.0
        out = a * b
        a.add_(1.0)  # expect: GRD202
        out.sum().backward()
        """,
        [8],
    ),
    case(
        "functional-relu-output-augmented-in-forward",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.bias = nn.Parameter(torch.zeros(4))

            def forward(self, x):
                h = F.relu(self.fc(x))
                h += self.bias  # expect: GRD202
                return h


        Block()(torch.randn(2, 4)).sum().backward()
        """,
        [14],
    ),
    case(
        "module-output-squared-then-modified",
        """\
        import torch
        from torch import nn

        layer = nn.Linear(3, 3)
        h = layer(torch.randn(2, 3))
        energy = h.pow(2).sum()
        h.clamp_(min=0.0)  # expect: GRD202
        (energy + h.sum()).backward()
        """,
        [7],
    ),
    case(
        "alias-T-tanh-output-index-written",
        """\
        import torch as T

        z = T.randn(6, requires_grad=True)
        a = T.tanh(z)
        a[0] = 0.0  # expect: GRD202
        a.sum().backward()
        """,
        [5],
    ),
    case(
        "trainer-method-softmax-output-normalised-in-place",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(8, 4)
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)

            def step(self, x):
                self.optimizer.zero_grad()
                probs = torch.softmax(self.model(x), dim=-1)
                probs.div_(probs.sum(dim=-1, keepdim=True))  # expect: GRD202
                loss = -probs.log().mean()
                loss.backward()
                self.optimizer.step()


        Trainer().step(torch.randn(2, 8))
        """,
        [13],
    ),
    case(
        "multiplied-operand-written-in-function",
        """\
        import torch
        import torch.nn as nn

        proj = nn.Linear(4, 4)
        gate = nn.Linear(4, 4)


        def gated(x):
            h = proj(x)
            g = gate(x)
            out = h * g
            g *= 0.5  # expect: GRD202
            return out


        gated(torch.randn(3, 4)).sum().backward()
        """,
        [12],
    ),
    case(
        "two-writes-in-one-program",
        """\
        import torch

        x = torch.randn(4, requires_grad=True)
        s = torch.sigmoid(x)
        t = torch.sqrt(x.abs() + 1.0)
        s.mul_(2.0)  # expect: GRD202
        t.sub_(1.0)  # expect: GRD202
        (s + t).sum().backward()
        """,
        [6, 7],
    ),
    case(
        "activation-module-output-modified",
        """\
        import torch
        import torch.nn as nn

        fc = nn.Linear(4, 4)
        act = nn.Sigmoid()
        h = act(fc(torch.randn(2, 4)))
        h += 0.1  # expect: GRD202
        h.sum().backward()
        """,
        [7],
    ),
    case(
        "activation-module-output-modified",
        """\
        import torch
        import torch.nn as nn

        w = torch.randn(4, 4, requires_grad=True)
        relu = nn.ReLU()
        h = relu(torch.randn(2, 4) @ w)
        h += 1.0  # expect: GRD202
        h.sum().backward()
        """,
        [7],
    ),
    case(
        "linear-input-modified-before-backward",
        """\
        import torch
        import torch.nn as nn

        fc = nn.Linear(3, 2)
        h = torch.randn(4, 3)
        y = fc(h)
        h.add_(1.0)  # expect: GRD202
        y.sum().backward()
        """,
        [7],
    ),
    case(
        "operand-saved-for-the-other-operand",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        scale = torch.ones(3)
        y = (scale * w).sum()
        scale[0] = 2.0  # expect: GRD202
        y.backward()
        """,
        [6],
    ),
    case(
        "divisor-saved",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        norm = torch.full((3,), 2.0)
        y = (w / norm).sum()
        norm.clamp_(min=1.0)  # expect: GRD202
        y.backward()
        """,
        [6],
    ),
]


NEGATIVES = [
    case(
        "element-of-an-unknown-models-output-written-after-an-op-used-it",
        # which element of `backbone`'s output carries a graph is unknown until a loss takes it
        # (transformers CLAP): an element of unknown grad stays unknown for this rule
        """\
        import torch
        from torch import nn
        from nets import Backbone

        backbone = Backbone()
        head = nn.Linear(4, 4)
        optimizer = torch.optim.Adam(backbone.parameters())
        feats, sizes = backbone(torch.randn(2, 3, 8, 8))
        scores = head(sizes)
        sizes[0] = 0
        """,
    ),
    case(
        "in-place-method-on-the-copy-advanced-indexing-made-of-a-saved-tensor",
        """\
        import torch

        x = torch.randn(4, 3, requires_grad=True)
        h = torch.sigmoid(x)
        idx = torch.tensor([0, 2])
        h[idx].mul_(2.0)
        h[h > 0.5].zero_()
        h.sum().backward()
        """,
    ),
    case(
        "a-view-of-a-saved-leaf-written-in-place-is-grd201s-not-grd202s",
        """\
        import torch
        import torch.nn as nn

        layer = nn.Linear(4, 4)
        penalty = (layer.weight * layer.weight).sum()
        layer.weight[0].zero_()
        """,
    ),
    case(
        "a-module-saves-the-copy-that-advanced-indexing-made-not-the-tensor",
        """\
        import torch
        import torch.nn as nn

        proj = nn.Conv2d(1, 4, 3, padding=1)
        fusion = nn.Conv2d(4, 4, 1)
        g = proj(torch.randn(3, 1, 8, 8))
        idx = torch.tensor([0, 2])
        g[idx] = fusion(g[idx]) + 1.0
        g.sum().backward()
        """,
    ),
    case(
        "scaled-copy-then-augmented",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        y = x * 2
        y += 1
        y.mul_(3)
        y.sum().backward()
        """,
    ),
    case(
        "out-of-place-mask-after-sigmoid",
        """\
        import torch
        import torch.nn.functional as F

        x = torch.randn(32, 8)
        w1 = torch.randn(8, 16, requires_grad=True)
        for step in range(3):
            h = torch.sigmoid(x @ w1)
            mask = (torch.rand(32, 16) < 0.8).float() / 0.8
            h = h * mask
            h.sum().backward()
        """,
    ),
    case(
        "relu-inplace-module-in-standard-model",
        """\
        import torch
        import torch.nn as nn

        model = nn.Sequential(
            nn.Conv2d(3, 8, 3),
            nn.BatchNorm2d(8),
            nn.ReLU(inplace=True),
            nn.Flatten(),
            nn.Linear(8 * 6 * 6, 2),
        )
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(2):
            optimizer.zero_grad()
            loss = model(torch.randn(4, 3, 8, 8)).pow(2).mean()
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "clone-before-index-writes",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        p = (x * 2).clone()
        q = p.clone()
        q[2] = p[0] / p[1]
        q.sum().backward()
        """,
    ),
    case(
        "sigmoid-output-modified-after-backward",
        """\
        import torch

        x = torch.randn(4, requires_grad=True)
        s = torch.sigmoid(x)
        s.sum().backward()
        s.mul_(2.0)
        print(s)
        """,
    ),
    case(
        "linear-output-gets-residual-added-in-place",
        """\
        import torch
        import torch.nn as nn


        class Residual(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)

            def forward(self, x):
                out = self.fc(x)
                out += x
                return out


        Residual()(torch.randn(2, 4)).sum().backward()
        """,
    ),
    case(
        "rebound-name-is-a-new-tensor",
        """\
        import torch

        x = torch.randn(4, requires_grad=True)
        h = torch.tanh(x)
        h = h + 1.0
        h.mul_(0.5)
        h.sum().backward()
        """,
    ),
    case(
        "preallocated-buffer-filled-by-index",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        out = torch.zeros(3)
        out[0] = (w * w).sum()
        out[1] = w.exp().sum()
        out.sum().backward()
        """,
    ),
    case(
        "recomputed-each-iteration-after-backward",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 4)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(3):
            optimizer.zero_grad()
            h = torch.sigmoid(model(torch.randn(2, 4)))
            loss = h.sum()
            loss.backward()
            optimizer.step()
            h.zero_()
        """,
    ),
    case(
        "in-place-on-data-tensor-that-never-required-grad",
        """\
        import torch

        x = torch.randn(8)
        e = x.exp()
        e /= e.sum()
        e.clamp_(min=1e-6)
        print(e)
        """,
    ),
    case(
        "saved-factor-is-a-leaf-parameter-updated-under-no-grad",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        x = torch.randn(3)
        loss = (w * x).sum()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
        """,
    ),
    case(
        "concatenated-operand-modified-afterwards",
        """\
        import torch

        w = torch.randn(4, requires_grad=True)
        v = torch.randn(4, requires_grad=True)
        a = w * 2.0
        b = v * 3.0
        out = torch.cat([a, b]).sum() + torch.stack([a, b]).mean() + (a + b).sum()
        a.mul_(2.0)
        out.backward()
        """,
    ),
    case(
        "activation-multiplied-by-a-data-mask-then-modified",
        """\
        import torch
        import torch.nn as nn

        layer = nn.Linear(4, 4)
        h = layer(torch.randn(2, 4))
        mask = (torch.rand(2, 4) > 0.5).float()
        dropped = h * mask
        h.add_(1.0)
        (dropped.sum() + h.sum()).backward()
        """,
    ),
    case(
        "batchnorm-output-is-not-saved",
        """\
        import torch
        import torch.nn as nn

        w = torch.randn(4, 4, requires_grad=True)
        bn = nn.BatchNorm1d(4)
        h = bn(torch.randn(8, 4) @ w)
        h += 1.0
        """,
    ),
    case(
        "operand-of-an-add-is-not-saved",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        shift = torch.ones(3)
        y = (shift + w).sum()
        shift[0] = 2.0
        y.backward()
        """,
    ),
    case(
        "linear-input-modified-after-backward",
        """\
        import torch
        import torch.nn as nn

        fc = nn.Linear(3, 2)
        h = torch.randn(4, 3)
        fc(h).sum().backward()
        h.add_(1.0)
        """,
    ),
    case(
        "data-operands-of-a-graph-free-product",
        """\
        import torch

        a = torch.ones(3)
        b = torch.ones(3)
        c = a * b
        a[0] = 2.0
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
