"""GRD201 inplace-on-leaf: in-place writes to a leaf grad tensor outside torch.no_grad().

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD201`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD201"
case = case_maker(CODE)


POSITIVES = [
    case(
        "slice-of-a-layer-weight-of-a-pretrained-model-of-another-file",
        # knowledge-neurons: BertForMaskedLM comes from custom_bert.py (not linted); the edit writes
        # into a slice of a feed-forward weight outside no_grad
        """\
        import torch
        from custom_bert import BertForMaskedLM


        def main(args, kn_bag, emb):
            model = BertForMaskedLM.from_pretrained(args.bert_model)
            model.to("cuda")
            model.eval()

            def edit(layer, pos):
                model.bert.encoder.layer[layer].output.dense.weight[:, pos] -= emb  # expect: GRD201
                model.cls.predictions.bias[pos] = 0.0  # expect: GRD201

            for layer, pos in kn_bag:
                edit(layer, pos)
        """,
        [11, 12],
    ),
    case(
        "weight-of-a-conv-stored-into-a-sequential-of-unknown-layers",
        # torchsat vgg.py: the first conv of a pretrained VGG replaced to take more input channels,
        # then its weight filled by index assignment outside no_grad
        """\
        import torch
        import torch.nn as nn


        class VGG(nn.Module):
            def __init__(self, features):
                super().__init__()
                self.features = features


        def make_layers(cfg):
            layers = []
            for v in cfg:
                layers += [nn.Conv2d(3, v, 3), nn.ReLU(inplace=True)]
            return nn.Sequential(*layers)


        def vgg(in_channels):
            model = VGG(make_layers([64, 64]))
            conv0 = model.features[0]
            model.features[0] = nn.Conv2d(in_channels, conv0.out_channels, 3)
            model.features[0].weight[:, :3] = conv0.weight  # expect: GRD201
            head = nn.Sequential(*build_head())
            head[-1] = nn.Linear(8, 2)
            head[-1].bias[0] = 1.0  # expect: GRD201
            return model, head
        """,
        [22, 25],
    ),
    case(
        "hand-written-sgd-updating-parameters-from-their-own-grad",
        # nothing in the file says what params holds, but p -= lr * p.grad only runs when p.grad is
        # a tensor: p is a leaf that requires grad (d2l's sgd() without its torch.no_grad())
        """\
        import torch


        def sgd(params, lr, batch_size):
            for param in params:
                param -= lr * param.grad / batch_size  # expect: GRD201
                param.grad.zero_()


        def step(w, b, lr):
            w.sub_(lr * w.grad)  # expect: GRD201
            b.data -= lr * b.grad
        """,
        [6, 11],
    ),
    case(
        "in-place-method-through-an-int-index-bound-to-a-name",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 4)
        for i in range(2):
            model.weight[i].zero_()  # expect: GRD201
        row = 3
        model.weight[row, :2].mul_(0.5)  # expect: GRD201
        """,
        [6, 8],
    ),
    case(
        "slice-of-a-layer-of-a-modulelist-of-project-blocks",
        # knowledge-neurons: model.bert.encoder.layer[layer].output.dense.weight[:, pos] -= ...
        """\
        import torch
        import torch.nn as nn

        class Output(nn.Module):
            def __init__(self):
                super().__init__()
                self.dense = nn.Linear(4, 4)

        class Layer(nn.Module):
            def __init__(self):
                super().__init__()
                self.output = Output()

        class Encoder(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.layer = nn.ModuleList([Layer() for _ in range(n)])

        model = Encoder(3)
        delta = torch.randn(4)
        for layer, pos in [(0, 1), (2, 3)]:
            model.layer[layer].output.dense.weight[:, pos] -= delta  # expect: GRD201
        """,
        [22],
    ),
    case(
        "members-of-sequential-and-modulelist-by-position-and-by-iteration",
        """\
        import torch
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
        net[0].weight.mul_(0.5)  # expect: GRD201
        blocks = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 4)])
        for block in blocks:
            block.bias.zero_()  # expect: GRD201
        """,
        [5, 8],
    ),
    case(
        "slice-of-a-model-wrapped-in-dataparallel-on-some-machines",
        # knowledge-neurons (issue #14): the model is wrapped only with several GPUs; where the
        # statement runs, `model.dense` is the model's own layer (a DataParallel has no `dense`)
        """\
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.dense = nn.Linear(4, 4)

        model = Net()
        if torch.cuda.device_count() > 1:
            model = torch.nn.DataParallel(model)
        model.eval()
        delta = torch.randn(4)
        model.dense.weight[:, 0] -= delta  # expect: GRD201
        """,
        [14],
    ),
    case(
        "parameter-through-module-of-ddp",
        """\
        import torch
        import torch.nn as nn
        from torch.nn.parallel import DistributedDataParallel as DDP

        model = DDP(nn.Linear(4, 4), device_ids=[0])
        model.module.weight.add_(1.0)  # expect: GRD201
        """,
        [6],
    ),
    case(
        "module-level-manual-sgd-augassign",
        """\
        import torch

        x = torch.randn(16, 3)
        y = torch.randn(16, 1)
        w = torch.randn(3, 1, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        for step in range(10):
            loss = ((x @ w + b - y) ** 2).mean()
            loss.backward()
            w -= 0.1 * w.grad  # expect: GRD201
            b -= 0.1 * b.grad  # expect: GRD201
            w.grad.zero_()
            b.grad.zero_()
        """,
        [10, 11],
    ),
    case(
        "add-underscore-over-model-parameters",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        loss = model(torch.randn(8, 4)).pow(2).mean()
        loss.backward()
        for p in model.parameters():
            p.add_(p.grad, alpha=-0.01)  # expect: GRD201
        """,
        [8],
    ),
    case(
        "named-parameters-augassign-in-function",
        """\
        import torch
        from torch import nn

        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))


        def sgd_step(lr):
            for name, p in net.named_parameters():
                p -= lr * p.grad  # expect: GRD201


        net(torch.randn(3, 4)).sum().backward()
        sgd_step(0.1)
        """,
        [9],
    ),
    case(
        "method-zeroes-parameter-from-init",
        """\
        import torch
        import torch.nn as nn


        class Scale(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.w = nn.Parameter(torch.ones(n))

            def forward(self, x):
                return x * self.w

            def reset(self):
                self.w.zero_()  # expect: GRD201


        m = Scale(3)
        m.reset()
        """,
        [14],
    ),
    case(
        "clamp-on-parameter-in-method",
        """\
        import torch
        import torch.nn as nn


        class Gate(nn.Module):
            def __init__(self):
                super().__init__()
                self.logit = nn.Parameter(torch.zeros(4))
                self.fc = nn.Linear(4, 4)

            def forward(self, x):
                return self.fc(x) * torch.sigmoid(self.logit)

            def clip(self):
                self.logit.clamp_(-5.0, 5.0)  # expect: GRD201


        g = Gate()
        g(torch.randn(2, 4)).sum().backward()
        g.clip()
        """,
        [15],
    ),
    case(
        "index-assignment-into-leaf",
        """\
        import torch

        emb = torch.randn(10, 4, requires_grad=True)
        emb[0] = 0.0  # expect: GRD201
        """,
        [4],
    ),
    case(
        "from-torch-nn-import-parameter-fill",
        """\
        import torch
        from torch.nn import Parameter

        bias = Parameter(torch.empty(3))
        bias.fill_(0.1)  # expect: GRD201
        """,
        [5],
    ),
    case(
        "alias-T-and-copy-into-leaf",
        """\
        import torch as T

        w = T.zeros(3, requires_grad=True)
        pretrained = T.randn(3)
        w.copy_(pretrained)  # expect: GRD201
        """,
        [5],
    ),
    case(
        "builtin-layer-weight-mul",
        """\
        import torch
        import torch.nn as nn

        fc = nn.Linear(8, 2)
        fc.weight.mul_(0.5)  # expect: GRD201
        """,
        [5],
    ),
    case(
        "requires-grad-underscore-makes-a-leaf",
        """\
        import torch

        w = torch.zeros(3).requires_grad_()
        w += 1.0  # expect: GRD201
        """,
        [4],
    ),
    case(
        "leaf-kept-across-loop-iterations",
        """\
        import torch

        theta = torch.tensor([0.5, -0.5], requires_grad=True)
        for step in range(5):
            if step > 0:
                theta.sub_(0.1 * theta.grad)  # expect: GRD201
                theta.grad = None
            loss = (theta ** 2).sum()
            loss.backward()
        """,
        [6],
    ),
    case(
        "after-no-grad-block-ends",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        with torch.no_grad():
            w.mul_(0.5)
        w.add_(1.0)  # expect: GRD201
        """,
        [6],
    ),
    case(
        "enable-grad-inside-no-grad-function",
        """\
        import torch
        import torch.nn as nn

        layer = nn.Linear(3, 3)


        @torch.no_grad()
        def probe(x):
            out = layer(x)
            with torch.enable_grad():
                layer.bias.add_(1.0)  # expect: GRD201
            return out


        probe(torch.randn(2, 3))
        """,
        [11],
    ),
    case(
        "inherited-parameter-in-subclass-method",
        """\
        import torch
        import torch.nn as nn


        class Base(nn.Module):
            def __init__(self):
                super().__init__()
                self.scale = nn.Parameter(torch.ones(4))


        class Normalised(Base):
            def renorm(self):
                self.scale.div_(self.scale.norm())  # expect: GRD201


        Normalised().renorm()
        """,
        [13],
    ),
    case(
        "slice-of-a-leaf-updated",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        w = torch.randn(3, 4, requires_grad=True)
        w[:, 0] -= 0.1  # expect: GRD201
        """,
        [6],
    ),
    case(
        "row-of-a-leaf-in-place-method",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        w = torch.randn(3, 4, requires_grad=True)
        w[0].add_(1.0)  # expect: GRD201
        """,
        [6],
    ),
    case(
        "view-of-a-leaf-assigned",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        w = torch.randn(3, 4, requires_grad=True)
        w.view(-1)[0] = 3.0  # expect: GRD201
        """,
        [6],
    ),
    case(
        "functional-inplace-true",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        w = torch.randn(3, 4, requires_grad=True)
        F.relu(w, inplace=True)  # expect: GRD201
        """,
        [6],
    ),
    case(
        "torch-relu-underscore",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        w = torch.randn(3, 4, requires_grad=True)
        torch.relu_(w)  # expect: GRD201
        """,
        [6],
    ),
    case(
        "in-place-activation-module",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        w = torch.randn(3, 4, requires_grad=True)
        act = nn.LeakyReLU(0.1, inplace=True)
        act(w)  # expect: GRD201
        """,
        [7],
    ),
    case(
        "alias-of-a-view-of-a-bias-sliced-in-place",
        """\
        import torch
        import torch.nn as nn

        head = nn.Linear(3, 15)
        groups = head.bias.view(3, -1)
        groups[:, 4] += 1.0  # expect: GRD201
        """,
        [6],
    ),
    case(
        "alias-of-a-row-of-a-weight-in-place-method",
        """\
        import torch
        import torch.nn as nn

        layer = nn.Linear(4, 4)
        w = layer.weight[0]
        w.add_(1.0)  # expect: GRD201
        """,
        [6],
    ),
    case(
        "alias-through-a-chain-of-views-and-transpose",
        """\
        import torch

        w = torch.randn(4, 6, requires_grad=True)
        t = w.T
        rows = t[1:].unsqueeze(0)
        rows.mul_(0.5)  # expect: GRD201
        """,
        [6],
    ),
    case(
        "alias-of-a-reshape-of-a-leaf",
        """\
        import torch

        w = torch.randn(4, 6, requires_grad=True)
        flat = w.reshape(-1)
        flat[0] = 1.0  # expect: GRD201
        """,
        [5],
    ),
    case(
        "alias-of-a-parameter-view-in-a-method",
        """\
        import torch
        import torch.nn as nn


        class Gate(nn.Module):
            def __init__(self):
                super().__init__()
                self.scale = nn.Parameter(torch.ones(2, 3))

            def reset_first(self):
                first = self.scale[0, ...]
                first.fill_(0.0)  # expect: GRD201


        Gate().reset_first()
        """,
        [12],
    ),
    case(
        "rows-of-a-leaf-by-a-range-index",
        """\
        import torch

        w = torch.randn(3, 4, requires_grad=True)
        for i in range(3):
            row = w[i]
            row.mul_(0.5)  # expect: GRD201
        for j in range(w.shape[1]):
            col = w[:, j]
            col.zero_()  # expect: GRD201
        """,
        [6, 9],
    ),
    case(
        "init-callback-fills-a-weight-under-grad-mode",
        """\
        import torch.nn as nn


        def init_weights(m):
            if isinstance(m, nn.Linear):
                m.weight.fill_(1.0)  # expect: GRD201


        net = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
        net.apply(init_weights)
        """,
        [6],
    ),
    case(
        "list-or-mask-indexed-writes-go-into-the-leaf",
        """\
        import torch

        w = torch.randn(4, requires_grad=True)
        w[[0, 1]] += 1.0  # expect: GRD201
        w[w > 0] = 0.0  # expect: GRD201
        """,
        [4, 5],
    ),
]


NEGATIVES = [
    case(
        "layers-of-a-project-model-after-requires-grad-false-or-an-unknown-flag",
        # the class says fc.weight requires grad; requires_grad_(False) on the instance froze it,
        # and requires_grad_(flag) leaves it unknown
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.block = nn.Sequential(nn.Linear(4, 4))

            def forward(self, x):
                return self.block(self.fc(x))


        def shrink(scale):
            net = Net()
            net.requires_grad_(False)
            net.fc.weight.mul_(scale)
            net.block[0].bias.zero_()
            return net


        def shrink_if(flag, scale):
            net = Net()
            net.requires_grad_(flag)
            net.fc.weight.mul_(scale)
            return net


        def shrink_params(scale):
            net = Net()
            for p in net.parameters():
                p.requires_grad = False
            net.fc.weight.mul_(scale)
            return net
        """,
    ),
    case(
        "layer-weights-of-a-pretrained-model-frozen-detached-or-under-no-grad",
        """\
        import torch
        from custom_bert import BertForMaskedLM
        from transformers import AutoModel


        def frozen_whole(path, emb):
            model = BertForMaskedLM.from_pretrained(path)
            model.requires_grad_(False)
            model.bert.encoder.layer[0].output.dense.weight[:, 0] -= emb


        def frozen_part(path, emb):
            model = AutoModel.from_pretrained(path)
            for p in model.embeddings.parameters():
                p.requires_grad = False
            model.embeddings.word_embeddings.weight[3] = emb
            model.pooler.dense.weight.requires_grad = False
            model.pooler.dense.weight[0] = emb


        def under_no_grad_or_data(path, emb):
            model = AutoModel.from_pretrained(path)
            with torch.no_grad():
                model.embeddings.word_embeddings.weight[3] = emb
            model.embeddings.word_embeddings.weight.data[3] = emb


        def unknown_root(model, loss_fn, emb):
            model.encoder.layer[0].weight[:, 0] -= emb
            loss_fn.weight[0] = 2.0
        """,
    ),
    case(
        "member-stored-into-a-sequential-then-frozen-moved-or-rebound",
        """\
        import torch
        import torch.nn as nn


        def frozen_whole(layers):
            model = nn.Sequential(*layers)
            model[0] = nn.Conv2d(3, 8, 3)
            model.requires_grad_(False)
            model[0].weight[:, :3] = 1.0


        def frozen_by_loop(layers):
            model = nn.Sequential(*layers)
            model[0] = nn.Conv2d(3, 8, 3)
            for p in model.parameters():
                p.requires_grad = False
            model[0].weight[:, :3] = 1.0


        def frozen_member(layers):
            model = nn.Sequential(*layers)
            model[0] = nn.Conv2d(3, 8, 3)
            model[0].weight.requires_grad = False
            model[0].weight[:, :3] = 1.0
            model[1] = nn.Conv2d(3, 8, 3)
            model[1].requires_grad_(False)
            model[1].weight[:, :3] = 1.0


        def under_no_grad(layers):
            model = nn.Sequential(*layers)
            model[0] = nn.Conv2d(3, 8, 3)
            with torch.no_grad():
                model[0].weight[:, :3] = 1.0


        def rebound(layers):
            model = nn.Sequential(*layers)
            model[0] = nn.Conv2d(3, 8, 3)
            model = nn.Sequential(*layers)
            model[0].weight[:, :3] = 1.0


        def other_sign_may_be_the_same_member(layers):
            model = nn.Sequential(*layers)
            model[-1] = nn.Conv2d(3, 8, 3)
            model[2] = nn.Conv2d(3, 8, 3).requires_grad_(False)
            model[-1].weight[:, :3] = 1.0


        def moved_by_insert(layers):
            blocks = nn.ModuleList(layers)
            blocks[0] = nn.Conv2d(3, 8, 3)
            blocks.insert(0, frozen_conv())
            blocks[0].weight[:, :3] = 1.0
        """,
    ),
    case(
        "mxnet-sgd-updating-parameters-from-their-own-grad",
        # d2l's mxnet.py: MXNet arrays have a .grad too, and the file never names torch
        """\
        from mxnet import autograd, np


        class SGD:
            def __init__(self, params, lr):
                self.params, self.lr = params, lr

            def step(self):
                for param in self.params:
                    param -= self.lr * param.grad
        """,
    ),
    case(
        "hand-written-sgd-under-no-grad-or-guarded",
        # the d2l version; a caller that runs the update under no_grad; a .grad read under a test
        # proves nothing about the tensor
        """\
        import torch


        def sgd(params, lr, batch_size):
            with torch.no_grad():
                for param in params:
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()


        def update(params, lr):
            for p in params:
                p -= lr * p.grad


        def maybe_update(params, lr):
            for p in params:
                p -= lr * p.grad if p.grad is not None else 0.0


        def train(w, loader, lr):
            for x, y in loader:
                loss = ((x @ w - y) ** 2).mean()
                loss.backward()
                with torch.no_grad():
                    update([w], lr)
                w.grad = None
        """,
    ),
    case(
        "edits-of-modulelist-members-under-no-grad-or-through-data",
        """\
        import torch
        import torch.nn as nn

        class Layer(nn.Module):
            def __init__(self):
                super().__init__()
                self.dense = nn.Linear(4, 4)

        class Encoder(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.layer = nn.ModuleList([Layer() for _ in range(n)])

        model = Encoder(3)
        with torch.no_grad():
            model.layer[1].dense.weight[:, 0] -= torch.randn(4)
        for block in model.layer:
            block.dense.bias.data.zero_()
        net = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
        net[1].inplace = True
        """,
    ),
    case(
        "edit-of-a-dataparallel-model-under-no-grad",
        """\
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.dense = nn.Linear(4, 4)

        model = Net()
        if torch.cuda.device_count() > 1:
            model = torch.nn.DataParallel(model)
        with torch.no_grad():
            model.dense.weight[:, 0] -= torch.randn(4)
            model.module.dense.bias.zero_()
        """,
    ),
    case(
        "fused-layer-built-frozen-in-one-expression",
        """\
        import torch
        import torch.nn as nn

        def fuse(conv, bn):
            fused = nn.Conv2d(conv.in_channels, conv.out_channels, 3, bias=True).requires_grad_(False).to(conv.weight.device)
            w_bn = torch.diag(bn.weight.div(torch.sqrt(bn.eps + bn.running_var)))
            fused.weight.copy_(torch.mm(w_bn, conv.weight.clone().view(conv.out_channels, -1)).view(fused.weight.shape))
            fused.bias.zero_()
            return fused
        """,
    ),
    case(
        "manual-sgd-under-no-grad",
        """\
        import torch

        x = torch.randn(16, 3)
        y = torch.randn(16, 1)
        w = torch.randn(3, 1, requires_grad=True)
        for step in range(10):
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= 0.1 * w.grad
            w.grad.zero_()
        """,
    ),
    case(
        "no-grad-decorated-update-function",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)


        @torch.no_grad()
        def sgd_step(lr):
            for p in model.parameters():
                p.add_(p.grad, alpha=-lr)


        model(torch.randn(8, 4)).sum().backward()
        sgd_step(0.01)
        """,
    ),
    case(
        "inference-mode-ema-update",
        """\
        import torch
        from torch import nn

        model = nn.Linear(4, 4)
        ema = nn.Linear(4, 4)
        ema.load_state_dict(model.state_dict())
        with torch.inference_mode():
            for e, p in zip(ema.parameters(), model.parameters()):
                e.mul_(0.99).add_(p, alpha=0.01)
        """,
    ),
    case(
        "data-update-after-backward",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        model(torch.randn(8, 4)).pow(2).mean().backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad
            p.data.clamp_(-1.0, 1.0)
        """,
    ),
    case(
        "nn-init-functions-in-init",
        """\
        import torch
        import torch.nn as nn


        class Proj(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.w = nn.Parameter(torch.empty(n, n))
                self.b = nn.Parameter(torch.empty(n))
                nn.init.xavier_uniform_(self.w)
                nn.init.zeros_(self.b)

            def forward(self, x):
                return x @ self.w + self.b


        Proj(3)(torch.randn(2, 3)).sum().backward()
        """,
    ),
    case(
        "zeroing-the-grad-not-the-leaf",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        for _ in range(3):
            (w * w).sum().backward()
            w.grad.zero_()
            w.grad += 1.0
        """,
    ),
    case(
        "requires-grad-switched-off-first",
        """\
        import torch
        import torch.nn as nn

        w = torch.randn(3, requires_grad=True)
        w.requires_grad_(False)
        w.mul_(2.0)
        fc = nn.Linear(2, 2)
        fc.weight.requires_grad_(False)
        fc.weight.fill_(1.0)
        """,
    ),
    case(
        "tensor-that-never-required-grad",
        """\
        import torch

        counts = torch.zeros(5)
        x = torch.randint(0, 5, (20,))
        for i in x:
            counts[i] += 1
        counts /= counts.sum()
        counts.clamp_(min=1e-6)
        """,
    ),
    case(
        "non-leaf-result-written-in-place",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        y = w * 2
        y.add_(1.0)
        z = w.clone()
        z[0] = 0.0
        (y.sum() + z.sum()).backward()
        """,
    ),
    case(
        "detached-alias-written-in-place",
        """\
        import torch

        w = torch.randn(4, requires_grad=True)
        w.detach().clamp_(-1.0, 1.0)
        w.sum().backward()
        """,
    ),
    case(
        "buffer-counter-in-module",
        """\
        import torch
        import torch.nn as nn


        class Counter(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 3)
                self.steps = torch.zeros(1)

            def forward(self, x):
                self.steps += 1
                return self.fc(x)


        Counter()(torch.randn(2, 3)).sum().backward()
        """,
    ),
    case(
        "unknown-function-parameter",
        """\
        import torch


        def accumulate(buf, delta):
            buf += delta
            buf.mul_(0.5)
            return buf


        print(accumulate(torch.zeros(3), torch.ones(3)))
        """,
    ),
    case(
        "set-grad-enabled-false-statement",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        (w ** 2).sum().backward()
        torch.set_grad_enabled(False)
        w -= 0.1 * w.grad
        torch.set_grad_enabled(True)
        """,
    ),
    case(
        "frozen-in-loop-by-attribute-then-zeroed",
        """\
        import torch
        import torch.nn as nn

        backbone = nn.Linear(4, 4)
        head = nn.Linear(4, 2)
        # a frozen all-zero head: the baseline of a linear-probe experiment
        for p in head.parameters():
            p.requires_grad = False
            p.zero_()
        """,
    ),
    case(
        "frozen-in-loop-by-method-then-zeroed",
        """\
        import torch
        import torch.nn as nn

        backbone = nn.Linear(4, 4)
        head = nn.Linear(4, 2)
        # a frozen all-zero head: the baseline of a linear-probe experiment
        for p in head.parameters():
            p.requires_grad_(False)
            p.zero_()
        """,
    ),
    case(
        "parameter-created-without-grad",
        """\
        import torch
        import torch.nn as nn


        class PosEnc(nn.Module):
            def __init__(self, n, d):
                super().__init__()
                self.table = nn.Parameter(torch.zeros(n, d), requires_grad=False)
                self.table[:, 0] = torch.arange(n)
                self.table.mul_(0.01)

            def forward(self, x):
                return x + self.table


        PosEnc(5, 3)(torch.randn(5, 3))
        """,
    ),
    case(
        "bare-no-grad-decorator-in-method",
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(torch.randn(3))

            def forward(self, x):
                return x * self.w

            @torch.no_grad
            def project(self):
                self.w.div_(self.w.norm())
                self.w[0] = 1.0


        net = Net()
        net.project()
        """,
    ),
    case(
        "grad-mode-context-held-in-a-variable",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        (w ** 2).sum().backward()
        frozen = torch.no_grad()
        with frozen:
            w.sub_(0.1 * w.grad)
        """,
    ),
    case(
        "slice-through-data",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        w = torch.randn(3, 4, requires_grad=True)
        w.data[:, 0] -= 0.1
        """,
    ),
    case(
        "slice-under-no-grad",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        w = torch.randn(3, 4, requires_grad=True)
        with torch.no_grad():
            w[:, 0] -= 0.1
            F.relu(w, inplace=True)
        """,
    ),
    case(
        "functional-out-of-place",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        w = torch.randn(3, 4, requires_grad=True)
        y = F.relu(w)
        z = F.relu(w, inplace=False)
        """,
    ),
    case(
        "in-place-module-on-a-non-leaf",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        w = torch.randn(3, 4, requires_grad=True)
        act = nn.ReLU(inplace=True)
        h = act(w * 2)
        """,
    ),
    case(
        "slice-of-a-non-leaf",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        w = torch.randn(3, 4, requires_grad=True)
        h = w * 2
        h[:, 0] -= 0.1
        """,
    ),
    case(
        "alias-of-a-view-made-and-written-under-no-grad",
        """\
        import torch
        import torch.nn as nn

        head = nn.Linear(3, 15)
        with torch.no_grad():
            groups = head.bias.view(3, -1)
            groups[:, 4] += 1.0
        """,
    ),
    case(
        "alias-of-a-view-written-under-no-grad",
        """\
        import torch
        import torch.nn as nn

        layer = nn.Linear(4, 4)
        w = layer.weight[0]
        with torch.no_grad():
            w.add_(1.0)
        """,
    ),
    case(
        "alias-of-a-detached-view",
        """\
        import torch
        import torch.nn as nn

        layer = nn.Linear(4, 4)
        w = layer.weight.detach()[0]
        w.add_(1.0)
        v = layer.weight[0].detach()
        v.add_(1.0)
        """,
    ),
    case(
        "alias-of-a-cloned-slice",
        """\
        import torch
        import torch.nn as nn

        layer = nn.Linear(4, 4)
        w = layer.weight[0].clone()
        w.add_(1.0)
        """,
    ),
    case(
        "alias-of-advanced-indexing-is-a-copy",
        """\
        import torch

        w = torch.randn(4, 4, requires_grad=True)
        picked = w[[0, 2]]
        picked.add_(1.0)
        positive = w[w > 0]
        positive.mul_(2.0)
        """,
    ),
    case(
        "alias-of-a-view-of-a-non-leaf",
        """\
        import torch

        w = torch.randn(4, 4, requires_grad=True)
        h = (w * 2).view(-1)
        h[0] += 1.0
        row = (w + 1)[0]
        row.zero_()
        """,
    ),
    case(
        "alias-through-data-is-grd203s",
        """\
        import torch
        import torch.nn as nn

        layer = nn.Linear(4, 4)
        v = layer.weight.data
        v[0].add_(1.0)
        row = layer.weight.data[0]
        row.mul_(2.0)
        """,
    ),
    case(
        "alias-of-a-reshape-that-copies",
        """\
        import torch

        w = torch.randn(4, 6, requires_grad=True)
        flat = w.T.reshape(-1)
        flat[0] = 1.0
        rows = w.T.flatten()
        rows.zero_()
        """,
    ),
    case(
        "alias-rebound-to-a-copy-before-the-write",
        """\
        import torch

        w = torch.randn(4, 4, requires_grad=True)
        row = w[0]
        row = row * 2
        row.add_(1.0)
        """,
    ),
    case(
        "rows-by-a-range-index-under-no-grad-detached-or-copied",
        """\
        import torch

        w = torch.randn(3, 4, requires_grad=True)
        with torch.no_grad():
            for i in range(3):
                row = w[i]
                row.mul_(0.5)
        for i in range(3):
            row = w.detach()[i]
            row.mul_(0.5)
        for idx in [torch.tensor([0, 1])]:
            rows = w[idx]
            rows.mul_(0.5)
        for i in range(3):
            row = w[i].clone()
            row.mul_(0.5)
        x = torch.randn(3, 4)
        for i in range(3):
            row = x[i]
            row.mul_(0.5)
        """,
    ),
    case(
        "init-callback-applied-under-no-grad",
        """\
        import torch
        import torch.nn as nn


        def init_weights(m):
            if isinstance(m, nn.Linear):
                m.weight.fill_(1.0)
                nn.init.zeros_(m.bias)


        net = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
        with torch.no_grad():
            net.apply(init_weights)
        """,
    ),
    case(
        "in-place-method-on-a-copy-made-by-list-or-mask-indexing",
        """\
        import torch

        w = torch.randn(4, requires_grad=True)
        w[[0, 1]].add_(1.0)
        w[w > 0].mul_(2.0)
        w[~(w > 0)].zero_()
        """,
    ),
    case(
        "in-place-method-on-a-copy-made-by-an-index-bound-to-a-name",
        # `w[mask].zero_()` zeroes a copy (w is unchanged): no leaf error at runtime
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 4)
        mask = model.weight.abs() < 0.1
        model.weight[mask].zero_()
        idx = torch.tensor([0, 1])
        model.weight[idx].mul_(2)
        rows = pick_rows()
        model.weight[rows].zero_()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
