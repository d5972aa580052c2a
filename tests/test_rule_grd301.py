"""GRD301 grad-of-non-leaf: reading .grad of a non-leaf grad tensor without retain_grad().

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD301`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD301"
case = case_maker(CODE)


POSITIVES = [
    case(
        # `w.grad = None` at the end of the loop binds the path: the read at the top of the next
        # iteration is still a read of a non-leaf's .grad
        "read-again-after-the-path-was-cleared-in-the-loop",
        """\
        import torch

        def fit(steps=3):
            w = torch.randn(3, requires_grad=True) * 2
            x = torch.randn(8, 3)
            for _ in range(steps):
                ((x @ w) ** 2).mean().backward(retain_graph=True)
                print(w.grad)  # expect: GRD301
                w.grad = None

        fit()
        """,
        lines=(8,),
    ),
    case(
        # a device the script chooses (`cuda` when there is one): on the GPU, `.to()` returns a copy
        # made by an op, a non-leaf whose .grad stays None (pytorch/pytorch#13112, FGSM scripts)
        "to-a-device-chosen-at-run-time-is-read-as-the-gpu",
        """\
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
        w = torch.randn(3, requires_grad=True)
        w = w.to(device)
        (w * 2).sum().backward()
        print(w.grad)  # expect: GRD301
        """,
        lines=(7,),
    ),
    case(
        "input-of-a-saliency-map-made-to-require-grad-then-rebound-by-an-op",
        # a view made by a method only tensors have (`unsqueeze`) is a tensor; `requires_grad_()` makes
        # it require grad, so `x * 2.0 - 1.0` is a non-leaf whose .grad stays None
        """\
        def saliency(net, img, label):
            net.eval()
            x = img.permute(2, 0, 1).unsqueeze(0)
            x.requires_grad_()
            x = x * 2.0 - 1.0
            net(x)[0, label].backward()
            return x.grad.abs()  # expect: GRD301
        """,
        lines=(7,),
    ),
    case(
        "activation-kept-on-the-module-by-its-forward",
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc0 = nn.Linear(3, 5)

            def forward(self, x):
                x = torch.cat(x)
                self.y = x
                return self.fc0(self.y)


        model = Net()
        x = [torch.randn(3, 3, requires_grad=True) for i in range(3)]
        model(x)[0][0].backward()
        print(model.y.grad)  # expect: GRD301
        """,
        [19],
    ),
    case(
        "cuda-copy-of-a-new-cpu-leaf",
        """\
        import torch
        import torch.nn as nn

        x = torch.randn(2, 2, requires_grad=True).cuda(0)
        layer = nn.Linear(2, 2).cuda(0)
        layer(x).sum().backward()
        print(x.grad)  # expect: GRD301
        """,
        [7],
    ),
    case(
        "cpu-leaf-rebound-to-its-cuda-copy",
        """\
        import torch

        x = torch.randn(2, 2, requires_grad=True)
        x = x.cuda()
        torch.round(x).sum().backward()
        print(x.grad)  # expect: GRD301
        """,
        [6],
    ),
    case(
        "module-level-op-result",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        y = x * 2
        y.sum().backward()
        print(y.grad)  # expect: GRD301
        """,
        [6],
    ),
    case(
        "alias-T-hidden-activation-in-loop",
        """\
        import torch as T

        x = T.randn(32, 4)
        w1 = T.randn(4, 8, requires_grad=True)
        w2 = T.randn(8, 1, requires_grad=True)
        for step in range(3):
            h = T.tanh(x @ w1)
            loss = (h @ w2).pow(2).mean()
            loss.backward()
            print(step, h.grad)  # expect: GRD301
        """,
        [10],
    ),
    case(
        "module-output-logits",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 3)
        criterion = nn.CrossEntropyLoss()
        logits = model(torch.randn(8, 4))
        loss = criterion(logits, torch.randint(0, 3, (8,)))
        loss.backward()
        print(logits.grad.abs().mean())  # expect: GRD301
        """,
        [9],
    ),
    case(
        "loss-grad-from-criterion",
        """\
        import torch
        from torch import nn

        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        criterion = nn.MSELoss()
        loss = criterion(net(torch.randn(5, 4)), torch.randn(5, 1))
        loss.backward()
        print("dL/dL:", loss.grad)  # expect: GRD301
        """,
        [8],
    ),
    case(
        "rebound-in-place-of-the-leaf",
        """\
        import torch

        eta = torch.tensor(0.1, requires_grad=True)
        eta = eta * 2
        loss = (eta - 1.0) ** 2
        loss.backward()
        print(eta.grad)  # expect: GRD301
        """,
        [7],
    ),
    case(
        "rebound-each-loop-iteration",
        """\
        import torch

        eta = torch.tensor(0.1, requires_grad=True)
        for step in range(3):
            eta = eta * 2
            loss = (eta - 1.0) ** 2
            loss.backward(retain_graph=True)
            print(step, eta.grad)  # expect: GRD301
        """,
        [8],
    ),
    case(
        "method-of-module-reads-layer-output-grad",
        """\
        import torch
        import torch.nn as nn


        class Probe(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.w = nn.Parameter(torch.ones(4))

            def saliency(self, x):
                h = self.fc(x) * self.w
                h.sum().backward()
                return h.grad  # expect: GRD301


        Probe().saliency(torch.randn(2, 4))
        """,
        [14],
    ),
    case(
        "from-torch-nn-import-parameter-exp",
        """\
        import torch
        from torch.nn import Parameter

        w = Parameter(torch.zeros(3))
        z = w.exp()
        z.sum().backward()
        g = z.grad  # expect: GRD301
        """,
        [7],
    ),
    case(
        "slice-of-a-leaf",
        """\
        import torch

        w = torch.randn(4, requires_grad=True)
        head = w[:2]
        (head ** 2).sum().backward()
        print(head.grad)  # expect: GRD301
        """,
        [6],
    ),
    case(
        "retain-grad-called-on-another-tensor",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        h = x.sigmoid()
        out = h * 3
        h.retain_grad()
        out.sum().backward()
        print(h.grad, out.grad)  # expect: GRD301
        """,
        [8],
    ),
    case(
        "retained-then-rebound",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        y = x * 2
        y.retain_grad()
        y = y + 1
        y.sum().backward()
        print(y.grad)  # expect: GRD301
        """,
        [8],
    ),
    case(
        "grads-of-collected-activations",
        """\
        import torch
        import torch.nn as nn

        layers = [nn.Linear(4, 4) for _ in range(3)]
        h = torch.randn(2, 4)
        acts = []
        for layer in layers:
            h = torch.relu(layer(h))
            acts.append(h)
        h.sum().backward()
        norms = [a.grad for a in acts]  # expect: GRD301
        """,
        [11],
    ),
    case(
        "preallocated-tensor-filled-with-graph-values",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        y = torch.zeros(3)
        for i in range(3):
            y[i] = x[i] ** 2
        y.sum().backward()
        print(y.grad)  # expect: GRD301
        """,
        [8],
    ),
    case(
        "preallocated-tensor-filled-without-a-loop",
        """\
        import torch

        x = torch.randn(2, requires_grad=True)
        y = torch.zeros(2)
        y[0] = x[0] * x[1]
        y[1] = x[0] + x[1]
        y.sum().backward()
        print(y.grad)  # expect: GRD301
        """,
        [8],
    ),
    case(
        "dtype-conversion-as-its-own-statement",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        w = w.double()
        print(w.grad)  # expect: GRD301
        """,
        [5],
    ),
    case(
        "to-device-and-dtype",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        w = w.to("cpu", torch.float16)
        print(w.grad)  # expect: GRD301
        """,
        [5],
    ),
    case(
        "type-to-a-double-tensor",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        w = w.type(torch.DoubleTensor)
        print(w.grad)  # expect: GRD301
        """,
        [5],
    ),
]


NEGATIVES = [
    case(
        "input-of-a-saliency-map-detached-then-made-to-require-grad",
        """\
        def saliency(net, img, label):
            x = img.unsqueeze(0).detach()
            x.requires_grad_()
            net(x * 2.0 - 1.0)[0, label].backward()
            return x.grad.abs()
        """,
    ),
    case(
        "view-of-an-unknown-tensor-made-to-require-grad-its-leafness-unknown",
        # `img` may require grad already: then `x` is a non-leaf, but nothing shows it does
        """\
        def saliency(net, img, label):
            x = img.unsqueeze(0)
            x.requires_grad_()
            net(x)[0, label].backward()
            return x.grad
        """,
    ),
    case(
        "object-made-to-require-grad-by-requires-grad-underscore-only",
        # nn.Module has requires_grad_() too: `m` is not known to be a tensor, `m * 2` may be anything
        """\
        def scaled(m, data):
            m.requires_grad_()
            y = m * 2
            y.sum().backward()
            return y.grad
        """,
    ),
    case(
        "view-made-to-require-grad-then-rebound-by-an-op-that-retains-grad",
        """\
        def saliency(net, img, label):
            x = img.unsqueeze(0)
            x.requires_grad_()
            x = x * 2.0 - 1.0
            x.retain_grad()
            net(x)[0, label].backward()
            return x.grad
        """,
    ),
    case(
        "view-rebound-under-no-grad",
        """\
        import torch


        def saliency(net, img, label):
            x = img.unsqueeze(0)
            x.requires_grad_()
            with torch.no_grad():
                x = x * 2.0 - 1.0
            return x.grad
        """,
    ),
    case(
        # avalanche ewc.py: zip() of named_parameters() gives (name, parameter) pairs, and
        # unpacking a pair is not iterating the rows of a tensor
        "parameter-unpacked-from-a-zip-of-named-parameters",
        """\
        import torch


        def importances(model, loader, criterion, optimizer, saved):
            model.eval()
            for x, y in loader:
                optimizer.zero_grad()
                criterion(model(x), y).backward()
                for (k1, p), (k2, imp) in zip(model.named_parameters(), saved.items()):
                    if p.grad is not None:
                        imp.data += p.grad.data.clone().pow(2)
                for i, (name, q) in enumerate(model.named_parameters()):
                    print(name, q.grad)
        """,
    ),
    case(
        "activation-kept-by-the-forward-with-retain-grad",
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc0 = nn.Linear(3, 5)

            def forward(self, x):
                self.y = torch.cat(x)
                self.y.retain_grad()
                return self.fc0(self.y)


        model = Net()
        x = [torch.randn(3, 3, requires_grad=True) for i in range(3)]
        model(x)[0][0].backward()
        print(model.y.grad)
        """,
    ),
    case(
        "a-leaf-kept-by-the-forward",
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc0 = nn.Linear(3, 5)

            def forward(self, x):
                self.y = x
                return self.fc0(x)


        model = Net()
        x = torch.randn(3, 3, requires_grad=True)
        model(x).sum().backward()
        print(model.y.grad, x.grad)
        """,
    ),
    case(
        "cuda-of-a-leaf-made-on-the-gpu",
        """\
        import torch

        x = torch.randn(2, 2, device="cuda", requires_grad=True)
        x = x.cuda()
        (x * 2).sum().backward()
        print(x.grad)
        """,
    ),
    case(
        "cuda-when-the-default-device-is-changed",
        """\
        import torch

        torch.set_default_device("cuda")
        x = torch.randn(2, 2, requires_grad=True).cuda()
        (x * 2).sum().backward()
        print(x.grad)
        """,
    ),
    case(
        "cuda-first-then-requires-grad",
        """\
        import torch

        x = torch.randn(2, 2).cuda().requires_grad_()
        y = torch.zeros(2, 2).cuda()
        y.requires_grad_()
        (x * y).sum().backward()
        print(x.grad, y.grad)
        """,
    ),
    case(
        "cuda-of-a-tensor-made-like-another",
        """\
        import torch

        base = torch.randn(2, 2, device="cuda")
        x = torch.zeros_like(base, requires_grad=True).cuda()
        (x * 2).sum().backward()
        print(x.grad)
        """,
    ),
    case(
        "retain-grad-before-backward",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.sum().backward()
        print(y.grad)
        """,
    ),
    case(
        "retain-grad-each-iteration",
        """\
        import torch

        x = torch.randn(32, 4)
        w = torch.randn(4, 8, requires_grad=True)
        for step in range(3):
            h = torch.tanh(x @ w)
            h.retain_grad()
            h.sum().backward()
            print(step, h.grad.norm(), w.grad.norm())
            w.grad = None
        """,
    ),
    case(
        "leaf-grads",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        b = torch.zeros(1).requires_grad_()
        (x * 2 + b).sum().backward()
        print(x.grad, b.grad)
        """,
    ),
    case(
        "parameter-grads-in-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        model(torch.randn(2, 4)).sum().backward()
        for name, p in model.named_parameters():
            print(name, p.grad.norm())
        total = sum(p.grad.pow(2).sum() for p in model.parameters())
        """,
    ),
    case(
        "module-weights-and-self-parameter",
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 3)
                self.scale = nn.Parameter(torch.ones(3))

            def forward(self, x):
                return self.fc(x) * self.scale

            def grad_report(self):
                return self.scale.grad, self.fc.weight.grad


        net = Net()
        net(torch.randn(2, 3)).sum().backward()
        print(net.grad_report())
        """,
    ),
    case(
        "saliency-on-detached-input-leaf",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(6, 2)
        image = torch.randn(1, 6)
        image = image.detach().requires_grad_(True)
        score = model(image)[0, 1]
        score.backward()
        saliency = image.grad.abs()
        """,
    ),
    case(
        "computed-under-no-grad",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        with torch.no_grad():
            y = x * 2
        print(y.grad)
        """,
    ),
    case(
        "detached-result",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        target = (w * 2).detach()
        ((w - target) ** 2).sum().backward()
        print(target.grad, w.grad)
        """,
    ),
    case(
        "parameter-built-from-an-expression",
        """\
        import torch
        import torch.nn as nn

        base = torch.randn(4)
        p = nn.Parameter(base * 0.01)
        (p ** 2).sum().backward()
        print(p.grad)
        """,
    ),
    case(
        "autograd-grad-function-is-not-an-attribute-read",
        """\
        import torch

        x = torch.randn(3, requires_grad=True)
        y = x.sin()
        (dy,) = torch.autograd.grad(y.sum(), x)
        print(dy)
        """,
    ),
    case(
        "unknown-function-parameter",
        """\
        import torch


        def grad_norm(t):
            return t.grad.norm() if t.grad is not None else 0.0


        w = torch.randn(3, requires_grad=True)
        (w * w).sum().backward()
        print(grad_norm(w))
        """,
    ),
    case(
        "non-tensor-object-with-grad-field",
        """\
        import types

        import torch

        state = types.SimpleNamespace(grad=0.0, step=0)
        x = torch.randn(3, requires_grad=True)
        y = x * 2
        y.sum().backward()
        state.grad = float(x.grad.norm())
        print(state.grad)
        """,
    ),
    case(
        "leaf-from-requires-grad-false-parameter",
        """\
        import torch
        import torch.nn as nn

        w = nn.Parameter(torch.randn(3), requires_grad=False)
        y = w * 2
        print(y.grad)
        """,
    ),
    case(
        "pgd-attack-detaches-each-step",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(6, 3)
        criterion = nn.CrossEntropyLoss()
        x = torch.randn(4, 6)
        y = torch.randint(0, 3, (4,))
        x_adv = x.clone().requires_grad_(True)
        for _ in range(5):
            loss = criterion(model(x_adv), y)
            loss.backward()
            x_adv = (x_adv + 0.01 * x_adv.grad.sign()).detach().requires_grad_(True)
        """,
    ),
    case(
        "clone-detach-requires-grad-makes-a-leaf",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        x = (w * 2).clone().detach().requires_grad_()
        (x * 3).sum().backward()
        print(x.grad)
        """,
    ),
    case(
        "float-on-a-float32-leaf-is-the-same-tensor",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        w = w.float()
        print(w.grad)
        """,
    ),
    case(
        # moved first, made to require grad after the move: a leaf wherever the device is
        "to-a-device-chosen-at-run-time-then-requires-grad",
        """\
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
        w = torch.randn(3)
        w = w.to(device).requires_grad_()
        (w * 2).sum().backward()
        print(w.grad)
        """,
    ),
    case(
        # the move of a leaf made on the CPU back to the CPU returns the leaf itself
        "to-cpu-of-a-cpu-leaf",
        """\
        import torch

        w = torch.randn(3, requires_grad=True).to("cpu")
        (w * 2).sum().backward()
        print(w.grad)
        """,
    ),
    case(
        "double-on-a-float64-leaf",
        """\
        import torch

        v = torch.randn(3, dtype=torch.float64, requires_grad=True)
        v = v.double()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
