"""GRD204 data-attribute: any .data read or write on a tensor (info).

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD204`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD204"
case = case_maker(CODE)


POSITIVES = [
    case(
        "manual-sgd-through-data-over-parameters",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        model(torch.randn(8, 4)).pow(2).mean().backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad  # expect: GRD204
        """,
        [7],
    ),
    case(
        "data-read-into-a-name",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        snapshot = w.data  # expect: GRD204
        print(snapshot)
        """,
        [4],
    ),
    case(
        "data-attribute-assigned",
        """\
        import torch
        from torch import nn

        fc = nn.Linear(3, 3)
        fc.weight.data = torch.eye(3)  # expect: GRD204
        """,
        [5],
    ),
    case(
        "reset-parameters-in-module-method",
        """\
        import math

        import torch
        import torch.nn as nn


        class Dense(nn.Module):
            def __init__(self, n_in, n_out):
                super().__init__()
                self.weight = nn.Parameter(torch.empty(n_out, n_in))
                self.bias = nn.Parameter(torch.empty(n_out))
                self.reset_parameters()

            def reset_parameters(self):
                bound = 1 / math.sqrt(self.weight.size(1))
                self.weight.data.uniform_(-bound, bound)  # expect: GRD204
                self.bias.data.zero_()  # expect: GRD204

            def forward(self, x):
                return x @ self.weight.t() + self.bias


        Dense(3, 2)(torch.randn(4, 3))
        """,
        [16, 17],
    ),
    case(
        "classic-mnist-prediction-from-output-data",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(784, 10)
        images = torch.randn(16, 784)
        labels = torch.randint(0, 10, (16,))
        correct = 0
        for step in range(3):
            output = model(images)
            pred = output.data.max(1)[1]  # expect: GRD204
            correct += pred.eq(labels).sum().item()
        """,
        [10],
    ),
    case(
        "legacy-variable-loss-data-in-trainer",
        """\
        import torch
        import torch.nn as nn
        from torch.autograd import Variable


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(4, 1)
                self.criterion = nn.MSELoss()
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)

            def fit(self, x, y):
                losses = []
                for epoch in range(3):
                    self.optimizer.zero_grad()
                    loss = self.criterion(self.model(Variable(x)), Variable(y))
                    loss.backward()
                    self.optimizer.step()
                    losses.append(loss.data)  # expect: GRD204
                return losses


        Trainer().fit(torch.randn(8, 4), torch.randn(8, 1))
        """,
        [19],
    ),
    case(
        "weight-copy-between-networks-in-function",
        """\
        import torch
        import torch.nn as nn

        online = nn.Linear(4, 4)
        target = nn.Linear(4, 4)


        def soft_update(tau):
            for t, o in zip(target.parameters(), online.parameters()):
                t.data.copy_(tau * o.detach() + (1 - tau) * t.detach())  # expect: GRD204


        soft_update(0.01)
        """,
        [10],
    ),
    case(
        "parameter-data-written-from-numpy-in-loop",
        """\
        import numpy as np
        import torch
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
        for name, p in net.named_parameters():
            p.data = torch.from_numpy(np.zeros(tuple(p.shape), dtype=np.float32))  # expect: GRD204
        """,
        [7],
    ),
    case(
        "non-leaf-data-read-for-logging",
        """\
        import torch

        x = torch.randn(5, requires_grad=True)
        y = (x ** 2).sum()
        print(y.data)  # expect: GRD204
        y.backward()
        """,
        [5],
    ),
    case(
        "weight-init-through-data-on-layers-narrowed-by-isinstance",
        """\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)
                self.bn = nn.BatchNorm2d(8)
                self.fc = nn.Linear(8, 2)
                for m in self.modules():
                    if isinstance(m, nn.Conv2d):
                        m.weight.data.normal_(0.0, 0.02)  # expect: GRD204
                    elif isinstance(m, (nn.BatchNorm2d, nn.Linear)) and m.bias is not None:
                        m.bias.data.zero_()  # expect: GRD204


        def init_weights(m):
            if isinstance(m, nn.Linear):
                m.weight.data.uniform_(-0.1, 0.1)  # expect: GRD204


        Net().apply(init_weights)
        """,
        [12, 14, 19],
    ),
]


NEGATIVES = [
    case(
        "data-of-values-that-require-no-grad",
        """\
        import torch
        import torch.nn as nn

        net = nn.Linear(4, 4)
        hr = torch.randn(2, 4)
        with torch.no_grad():
            sr = net(hr)
            mse = ((sr - hr) ** 2).data.mean()
            print(sr.data.cpu(), hr.data.cpu(), mse)
        """,
    ),
    case(
        "alias-T-grad-data-cannot-require-grad",
        """\
        import torch as T

        w = T.randn(4, requires_grad=True)
        (w * w).sum().backward()
        w.grad.data.zero_()
        """,
    ),
    case(
        "detach-and-no-grad-instead-of-data",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        out = model(torch.randn(8, 4))
        snapshot = out.detach()
        out.pow(2).mean().backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= 0.01 * p.grad
        """,
    ),
    case(
        "torchvision-dataset-data-attribute",
        """\
        import torch
        from torchvision import datasets

        train_set = datasets.MNIST("./mnist", train=True, download=False)
        images = train_set.data.float() / 255.0
        labels = train_set.targets
        print(images.shape, labels.shape)
        """,
    ),
    case(
        "torch-utils-data-module-path",
        """\
        import torch
        import torch.utils.data
        from torch.utils.data import DataLoader, TensorDataset

        ds = TensorDataset(torch.randn(10, 3), torch.randn(10))
        loader = torch.utils.data.DataLoader(ds, batch_size=4)
        other = DataLoader(ds, batch_size=2)
        """,
    ),
    case(
        "dataset-class-storing-self-data",
        """\
        import torch
        from torch.utils.data import Dataset


        class Points(Dataset):
            def __init__(self, n):
                self.data = torch.randn(n, 2)
                self.labels = torch.randint(0, 2, (n,))

            def __len__(self):
                return len(self.data)

            def __getitem__(self, i):
                return self.data[i], self.labels[i]


        ds = Points(10)
        print(ds.data.shape)
        """,
    ),
    case(
        "graph-batch-data-attribute",
        """\
        import torch


        def collate(batch):
            return torch.stack([item.data for item in batch])


        def train(loader):
            for batch in loader:
                x = batch.data
                print(x.shape)
        """,
    ),
    case(
        "argparse-namespace-data",
        """\
        import argparse

        import torch

        parser = argparse.ArgumentParser()
        parser.add_argument("--data", default="./data")
        args = parser.parse_args([])
        path = args.data
        weights = torch.load(path + "/weights.pt") if False else torch.zeros(3)
        """,
    ),
    case(
        "names-and-strings-containing-data",
        """\
        import torch

        data = torch.randn(4, 3, requires_grad=True)
        train_data = data * 2
        meta = {"data": train_data.shape}
        loss = data.sum() + train_data.sum()
        loss.backward()
        print(meta["data"], data.grad)
        """,
    ),
    case(
        "numpy-array-and-module-data",
        """\
        import numpy as np
        import torch
        import torch.nn as nn

        arr = np.arange(6.0)
        buf = arr.data
        model = nn.Linear(3, 3)
        print(buf.nbytes, getattr(model, "data", None))
        """,
    ),
    case(
        "requires-grad-attribute-and-grad-reads",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        (w * 2).sum().backward()
        print(w.grad, w.requires_grad, w.is_leaf, w.dtype)
        """,
    ),
    case(
        "isinstance-narrowed-layers-initialised-without-data",
        """\
        import torch
        import torch.nn as nn


        def init_weights(m):
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight)
                with torch.no_grad():
                    m.bias.zero_()
                if m.weight.grad is not None:
                    m.weight.grad.data.zero_()
            elif isinstance(m, nn.ReLU):
                m.inplace = True


        nn.Sequential(nn.Linear(2, 2), nn.ReLU()).apply(init_weights)
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
