"""Whole programs whose pitfalls (or their absence) hinge on facts from other functions.

Each snippet is a complete program of several functions or methods. Every line that
must be reported carries ``# expect: CODE``; a snippet is checked at the default
selection against exactly those markers, so a negative is a snippet with none.
"""

import re
import textwrap

import pytest

from gradlint.engine import lint_text
from gradlint.rules import ALL_RULES


def expected(src: str):
    return sorted(
        (number, code)
        for number, line in enumerate(src.splitlines(), 1)
        for code in re.findall(r"#\s*expect:\s*(GRD\d+)", line)
    )


def reported(src: str):
    rules = [rule for rule in ALL_RULES if rule.default_enabled()]
    return sorted((f.line, f.code) for f in lint_text(src, "program.py", rules))


PROGRAMS = {
    "accelerate-loop-without-zero-grad-keeping-its-losses": """\
        import torch
        from accelerate import Accelerator
        from transformers import AutoModelForSequenceClassification

        def main(train_dl):
            accelerator = Accelerator()
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-cased")
            optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
            model, optimizer, train_dl = accelerator.prepare(model, optimizer, train_dl)
            total_loss = 0
            for batch in train_dl:
                outputs = model(**batch)
                loss = outputs.loss
                accelerator.backward(loss)
                optimizer.step()  # expect: GRD501
                total_loss += loss  # expect: GRD502
            return total_loss
        """,
    "accelerate-loop-done-right": """\
        import torch
        from accelerate import Accelerator

        def main(model, train_dl, engine):
            accelerator = Accelerator()
            optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
            model, optimizer, train_dl = accelerator.prepare(model, optimizer, train_dl)
            total_loss = 0
            for batch in train_dl:
                loss = model(**batch).loss
                accelerator.backward(loss)
                optimizer.step()
                optimizer.zero_grad()
                total_loss += loss.item()
            for batch in train_dl:
                loss = engine(batch)
                engine.backward(loss)
                engine.step()
            return total_loss
        """,
    "loss-proven-by-a-scaled-backward-in-every-branch": """\
        import torch

        def train(model, loader, optimizer, scaler, accum):
            history = []
            for step, (x, y) in enumerate(loader):
                with torch.autocast("cuda"):
                    loss = model(x, y)["loss"].mean()
                loss.float()  # expect: GRD507
                if scaler:
                    scaler.scale(loss / accum).backward()
                else:
                    (loss / accum).backward()
                if step % accum == 0:
                    optimizer.step()
                    optimizer.zero_grad()
                history.append(loss)  # expect: GRD502
            return history
        """,
    "what-a-backward-of-an-expression-does-not-prove": """\
        import torch

        def train(model, loader, optimizer, weight, scaler):
            history, other = [], []
            for step, (x, y) in enumerate(loader):
                loss = model(x, y)["loss"].mean()
                (loss * weight).backward()
                history.append(loss)
                aux = model(x, y)["aux"].mean()
                if scaler:
                    scaler.scale(aux).backward()
                other.append(aux)
                optimizer.step()
                optimizer.zero_grad()
            return history, other
        """,
    "train-function-called-with-real-objects-never-clears": """\
        import torch
        import torch.nn as nn

        def train(model, loader, criterion, optimizer):
            model.train()
            for x, y in loader:
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()  # expect: GRD501

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = [(torch.randn(8, 4), torch.randn(8, 1)) for _ in range(3)]
        train(model, loader, nn.MSELoss(), optimizer)
        """,
    "epoch-loss-kept-as-tensor-inside-train-function": """\
        import torch
        import torch.nn as nn

        def train_epoch(model, loader, criterion, optimizer):
            epoch_loss = 0
            for x, y in loader:
                optimizer.zero_grad()
                out = model(x)
                loss = criterion(out, y)
                loss.backward()
                optimizer.step()
                epoch_loss += loss  # expect: GRD502
            return epoch_loss / len(loader)

        def main():
            model = nn.Linear(4, 1)
            optimizer = torch.optim.Adam(model.parameters())
            loader = [(torch.randn(8, 4), torch.randn(8, 1))]
            for epoch in range(5):
                print(train_epoch(model, loader, nn.MSELoss(), optimizer))

        if __name__ == "__main__":
            main()
        """,
    "loss-returned-by-a-helper": """\
        import torch
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        opt = torch.optim.SGD(net.parameters(), lr=0.01)

        def compute_loss(model, batch):
            x, y = batch
            return ((model(x) - y) ** 2).mean()

        history = []
        for batch in [(torch.randn(2, 4), torch.randn(2, 1))]:
            opt.zero_grad()
            loss = compute_loss(net, batch)
            loss.backward()
            opt.step()
            history.append(loss)  # expect: GRD502
        """,
    "no-caller-but-backward-proves-the-loss-requires-grad": """\
        def train(model, loader, criterion, optimizer, epochs):
            for epoch in range(epochs):
                running_loss = 0.0
                for inputs, labels in loader:
                    optimizer.zero_grad()
                    outputs = model(inputs)
                    loss = criterion(outputs, labels)
                    running_loss += loss  # expect: GRD502
                    loss.backward()
                    optimizer.step()
                print(running_loss)
        """,
    "annotated-parameters-are-facts": """\
        import torch
        from torch import nn

        def fit(model: nn.Module, opt: torch.optim.Optimizer, loader, loss_fn):
            for x, y in loader:
                loss = loss_fn(model(x), y)
                loss.backward()
                opt.step()  # expect: GRD501
        """,
    "trainer-method-steps-without-clearing": """\
        import torch
        import torch.nn as nn

        class Trainer:
            def __init__(self):
                self.model = nn.Linear(3, 1)
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)

            def train_step(self, x, y):
                loss = nn.functional.mse_loss(self.model(x), y)
                loss.backward()
                self.optimizer.step()  # expect: GRD501
                return loss.item()

            def fit(self, data):
                for x, y in data:
                    self.train_step(x, y)

        Trainer().fit([(torch.randn(4, 3), torch.randn(4, 1))])
        """,
    "tuple-output-of-own-forward": """\
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                logits = self.fc(x)
                return logits, logits.softmax(dim=-1)

        model = Net()
        logits, probs = model(torch.randn(3, 4))
        print(probs.numpy())  # expect: GRD503
        """,
    "helper-updates-a-leaf-outside-no-grad": """\
        import torch

        w = torch.randn(3, requires_grad=True)

        def sgd_update(param, lr):
            param -= lr * param.grad  # expect: GRD201

        for _ in range(3):
            loss = (w * 2).sum()
            loss.backward()
            sgd_update(w, 0.1)
            w.grad.zero_()
        """,
    # ---- correct programs that look like the above
    "helper-update-called-under-no-grad": """\
        import torch

        w = torch.randn(3, requires_grad=True)

        def sgd_update(param, lr):
            param -= lr * param.grad

        for _ in range(3):
            loss = (w * 2).sum()
            loss.backward()
            with torch.no_grad():
                sgd_update(w, 0.1)
            w.grad.zero_()
        """,
    "gradients-cleared-by-a-helper": """\
        import torch
        import torch.nn as nn

        def reset(opt):
            opt.zero_grad(set_to_none=True)

        def train(model, loader, optimizer):
            for x, y in loader:
                reset(optimizer)
                loss = (model(x) - y).pow(2).mean()
                loss.backward()
                optimizer.step()

        model = nn.Linear(4, 1)
        train(model, [(torch.randn(2, 4), torch.randn(2, 1))], torch.optim.SGD(model.parameters(), lr=0.1))
        """,
    "loss-accumulated-as-a-number": """\
        def train(model, loader, criterion, optimizer):
            total = 0.0
            for x, y in loader:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                total += loss.item()
                loss.backward()
                optimizer.step()
            return total
        """,
    "evaluation-helper-called-under-no-grad": """\
        import torch
        import torch.nn as nn

        def evaluate(model, loader):
            model.eval()
            correct = 0
            for x, y in loader:
                correct += (model(x).argmax(1) == y).sum().item()
            return correct

        model = nn.Linear(4, 3)
        with torch.no_grad():
            evaluate(model, [(torch.randn(2, 4), torch.tensor([0, 1]))])
        """,
    "gradient-accumulation-with-conditional-step": """\
        import torch
        import torch.nn as nn

        def train(model, loader, optimizer, accumulation=4):
            optimizer.zero_grad()
            for i, (x, y) in enumerate(loader):
                loss = (model(x) - y).pow(2).mean() / accumulation
                loss.backward()
                if (i + 1) % accumulation == 0:
                    optimizer.step()
                    optimizer.zero_grad()

        model = nn.Linear(4, 1)
        train(model, [(torch.randn(2, 4), torch.randn(2, 1))] * 8, torch.optim.SGD(model.parameters(), lr=0.1))
        """,
    "helper-returns-a-detached-value": """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)

        def predict(x):
            return model(x).detach()

        preds = []
        for x in [torch.randn(2, 4)]:
            preds.append(predict(x).numpy())
        """,
    "scheduler-step-is-not-an-optimizer-step": """\
        def train(model, loader, criterion, optimizer, scheduler):
            for x, y in loader:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                scheduler.step()
        """,
    "recursive-helpers-terminate": """\
        import torch

        def ping(x, n):
            return pong(x * 2, n - 1) if n else x

        def pong(x, n):
            return ping(x + 1, n - 1)

        w = torch.randn(2, requires_grad=True)
        out = ping(w, 10)
        """,
    "grad-mode-flag-parameter-bound-at-each-call": """\
        import torch
        import torch.nn as nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)

            def forward(self, x):
                return self.fc(x), self.fc(x)

            # CRU: the same step for training (default flag) and validation (track_gradient=False)
            def step(self, data, track_gradient=True):
                with torch.set_grad_enabled(track_gradient):
                    mean, var = self(data)
                    loss = ((mean - data) ** 2).mean()
                    imput_loss = (var * 2).mean()
                return loss, imput_loss

            def train_epoch(self, loader, optimizer):
                total = 0
                total_imput = 0
                for data in loader:
                    loss, imput_loss = self.step(data)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    total += loss.item()
                    total_imput += imput_loss  # expect: GRD502
                return total, total_imput

            def eval_epoch(self, loader):
                total_imput = 0
                for data in loader:
                    _, imput_loss = self.step(data, track_gradient=False)
                    total_imput += imput_loss
                return total_imput

            def flagged(self, loader, flag):
                total_imput = 0
                for data in loader:
                    _, imput_loss = self.step(data, track_gradient=flag)
                    total_imput += imput_loss
                return total_imput
        """,
    "grad-mode-statement-from-a-flag-and-the-branch-of-that-flag": """\
        import torch
        import torch.nn as nn

        # ocr-teamcode: one run_epoch for training and validation; the backward only runs where
        # train is true, so validation's set_grad_enabled(False) never meets it
        def run_epoch(loader, model, criterion, optimizer, train=True):
            torch.set_grad_enabled(train)
            total = 0.0
            for x, y in loader:
                loss = criterion(model(x), y)
                if train:
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                else:
                    total += loss
            return total

        def main(train_loader, val_loader):
            model = nn.Linear(4, 2)
            criterion = nn.CrossEntropyLoss()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for epoch in range(3):
                run_epoch(train_loader, model, criterion, optimizer, train=True)
                run_epoch(val_loader, model, criterion, optimizer, train=False)
        """,
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program(name):
    src = textwrap.dedent(PROGRAMS[name])
    assert reported(src) == expected(src)


CONTAINER_PROGRAMS = {
    "dict-returned-by-a-training-step": """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

        def training_step(batch):
            x, y = batch
            loss = F.mse_loss(model(x), y)
            return {"loss": loss, "size": len(x)}

        total = 0
        for batch in [(torch.randn(2, 4), torch.randn(2, 1))]:
            optimizer.zero_grad()
            result = training_step(batch)
            result["loss"].backward()
            optimizer.step()
            total += result["loss"]  # expect: GRD502
        """,
    "dict-built-with-dict-call": """\
        import torch
        import torch.nn as nn

        net = nn.Linear(3, 2)
        out = dict(logits=net(torch.randn(1, 3)), step=1)
        scores = out["logits"].numpy()  # expect: GRD503
        """,
    "lstm-hidden-state-unpacked": """\
        import torch
        import torch.nn as nn

        lstm = nn.LSTM(4, 8, batch_first=True)
        output, (h, c) = lstm(torch.randn(2, 5, 4))
        print(h.numpy())  # expect: GRD503
        """,
    "module-list-member-called": """\
        import torch
        import torch.nn as nn

        heads = nn.ModuleList([nn.Linear(4, 2) for _ in range(3)])
        first = heads[0](torch.randn(1, 4))
        print(first.numpy())  # expect: GRD503
        """,
    "trainer-built-from-constructor-arguments": """\
        import torch
        import torch.nn as nn

        class Trainer:
            def __init__(self, model, optimizer, criterion):
                self.model = model
                self.optimizer = optimizer
                self.criterion = criterion

            def fit(self, loader, epochs):
                for epoch in range(epochs):
                    for x, y in loader:
                        loss = self.criterion(self.model(x), y)
                        loss.backward()
                        self.optimizer.step()  # expect: GRD501

        net = nn.Linear(4, 1)
        trainer = Trainer(net, torch.optim.Adam(net.parameters()), nn.MSELoss())
        trainer.fit([(torch.randn(2, 4), torch.randn(2, 1))], 3)
        """,
    # ---- correct look-alikes
    "dict-of-numbers-accumulated": """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

        def training_step(batch):
            x, y = batch
            loss = F.mse_loss(model(x), y)
            return {"loss": loss, "value": loss.item()}

        total = 0
        for batch in [(torch.randn(2, 4), torch.randn(2, 1))]:
            optimizer.zero_grad()
            result = training_step(batch)
            result["loss"].backward()
            optimizer.step()
            total += result["value"]
        """,
    "lstm-hidden-state-detached": """\
        import torch
        import torch.nn as nn

        lstm = nn.LSTM(4, 8, batch_first=True)
        output, (h, c) = lstm(torch.randn(2, 5, 4))
        print(h.detach().numpy())
        """,
    "trainer-that-clears-gradients": """\
        import torch
        import torch.nn as nn

        class Trainer:
            def __init__(self, model, optimizer):
                self.model = model
                self.optimizer = optimizer

            def fit(self, loader):
                for x, y in loader:
                    self.optimizer.zero_grad()
                    loss = (self.model(x) - y).pow(2).mean()
                    loss.backward()
                    self.optimizer.step()

        net = nn.Linear(4, 1)
        Trainer(net, torch.optim.Adam(net.parameters())).fit([(torch.randn(2, 4), torch.randn(2, 1))])
        """,
    "model-outputs-dict-of-metadata": """\
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return {"logits": self.fc(x), "shape": list(x.shape)}

        model = Net()
        out = model(torch.randn(1, 4))
        with torch.no_grad():
            probs = model(torch.randn(1, 4))["logits"].softmax(-1)
        print(probs.numpy(), out["shape"])
        """,
}


@pytest.mark.parametrize("name", sorted(CONTAINER_PROGRAMS))
def test_containers_and_objects(name):
    src = textwrap.dedent(CONTAINER_PROGRAMS[name])
    assert reported(src) == expected(src)


STORE_PROGRAMS = {
    "average-meter-fed-the-loss-tensor": """\
        import torch
        import torch.nn as nn

        class AverageMeter:
            def __init__(self):
                self.sum = 0
                self.count = 0

            def update(self, val, n=1):
                self.sum += val * n
                self.count += n

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        losses = AverageMeter()
        for x, y in [(torch.randn(2, 4), torch.randn(2, 1))]:
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            optimizer.step()
            losses.update(loss, x.size(0))  # expect: GRD502
        """,
    "history-kept-by-a-recorder-method": """\
        import torch
        import torch.nn as nn

        class Recorder:
            def __init__(self):
                self.history = []

            def record(self, loss):
                self.history.append(loss)

        def train(model, loader, optimizer, recorder):
            for x, y in loader:
                optimizer.zero_grad()
                loss = ((model(x) - y) ** 2).mean()
                loss.backward()
                optimizer.step()
                recorder.record(loss)  # expect: GRD502

        net = nn.Linear(4, 1)
        train(net, [(torch.randn(2, 4), torch.randn(2, 1))], torch.optim.SGD(net.parameters(), lr=0.1), Recorder())
        """,
    # ---- correct look-alikes
    "average-meter-fed-numbers": """\
        import torch
        import torch.nn as nn

        class AverageMeter:
            def __init__(self):
                self.sum = 0

            def update(self, val, n=1):
                self.sum += val * n

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        losses = AverageMeter()
        for x, y in [(torch.randn(2, 4), torch.randn(2, 1))]:
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            optimizer.step()
            losses.update(loss.item(), x.size(0))
        """,
    "meter-made-afresh-each-iteration": """\
        import torch
        import torch.nn as nn

        class Total:
            def __init__(self):
                self.value = 0

            def add(self, v):
                self.value += v

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in [(torch.randn(2, 4), torch.randn(2, 1))]:
            optimizer.zero_grad()
            total = Total()
            loss = ((model(x) - y) ** 2).mean()
            total.add(loss)
            total.value.backward()
            optimizer.step()
        """,
    "meter-updated-under-no-grad": """\
        import torch
        import torch.nn as nn

        class AverageMeter:
            def __init__(self):
                self.sum = 0

            def update(self, val):
                self.sum += val

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        meter = AverageMeter()
        for x, y in [(torch.randn(2, 4), torch.randn(2, 1))]:
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                meter.update(loss)
        """,
}


@pytest.mark.parametrize("name", sorted(STORE_PROGRAMS))
def test_objects_that_keep_graphs(name):
    src = textwrap.dedent(STORE_PROGRAMS[name])
    assert reported(src) == expected(src)


GENERATOR_AND_DISTRIBUTION_PROGRAMS = {
    "generator-yields-model-outputs": """\
        import torch
        import torch.nn as nn

        def losses(model, batches):
            for x in batches:
                yield model(x).sum()

        model = nn.Linear(4, 1)
        for loss in losses(model, [torch.randn(2, 4)]):
            print(loss.numpy())  # expect: GRD503
        """,
    "generator-yields-detached-values": """\
        import torch
        import torch.nn as nn

        def losses(model, batches):
            for x in batches:
                out = model(x).sum()
                yield out.detach()
            yield from [torch.zeros(())]

        model = nn.Linear(4, 1)
        for loss in losses(model, [torch.randn(2, 4)]):
            print(loss.numpy())
        """,
    "reinforce-log-probs-copied-into-a-new-tensor": """\
        import torch
        import torch.nn as nn
        from torch.distributions import Categorical

        policy = nn.Linear(4, 2)
        optimizer = torch.optim.Adam(policy.parameters())
        log_probs = []
        for step in range(5):
            dist = Categorical(logits=policy(torch.randn(4)))
            action = dist.sample()
            print(action.numpy())
            log_probs.append(dist.log_prob(action))
        loss = -torch.tensor(log_probs).sum()  # expect: GRD101
        optimizer.zero_grad()
        loss.backward()  # expect: GRD103
        optimizer.step()
        """,
    "reparameterised-draw-and-what-depends-on-one-parameter": """\
        import torch
        import torch.nn as nn
        import torch.distributions as D

        encoder = nn.Linear(4, 2)
        mu = encoder(torch.randn(4))
        posterior = D.Normal(mu, 1.0)
        print(posterior.rsample().numpy())  # expect: GRD503
        print(posterior.sample().numpy())
        print(posterior.stddev.numpy(), posterior.entropy().numpy())
        print(D.kl_divergence(posterior, D.Normal(torch.zeros(2), 1.0)).numpy())  # expect: GRD503
        with torch.no_grad():
            print(D.Normal(encoder(torch.randn(4)), 1.0).log_prob(torch.zeros(2)).numpy())
        """,
}


@pytest.mark.parametrize("name", sorted(GENERATOR_AND_DISTRIBUTION_PROGRAMS))
def test_generators_and_distributions(name):
    """Runtime facts (torch 2.13): sample() and a Normal's stddev/entropy with a constant scale
    do not require grad; rsample(), log_prob() and kl_divergence() do."""
    src = textwrap.dedent(GENERATOR_AND_DISTRIBUTION_PROGRAMS[name])
    assert reported(src) == expected(src)


FIELD_PROGRAMS = {
    "fields-set-by-a-helper-that-init-calls": """\
        import torch
        import torch.nn as nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.build()
                self.scale.mul_(2.0)  # expect: GRD201

            def build(self):
                self.scale = nn.Parameter(torch.ones(3))
                self.shift = nn.Parameter(torch.zeros(3))
                self.shift = load_shift()

            def reset(self):
                self.scale.fill_(1.0)  # expect: GRD201
                self.shift.zero_()
        """,
    "losses-kept-by-one-method-plotted-by-another": """\
        import matplotlib.pyplot as plt
        import torch
        import torch.nn as nn

        class Agent:
            def __init__(self):
                self.net = nn.Linear(4, 1)
                self.optimizer = torch.optim.SGD(self.net.parameters(), lr=0.1)
                self.cost_his = []

            def learn(self, x, y):
                loss = ((self.net(x) - y) ** 2).mean()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                self.cost_his.append(loss)  # expect: GRD502

            def plot_cost(self):
                plt.plot(self.cost_his)  # expect: GRD503
        """,
    "numbers-kept-by-one-method-plotted-by-another": """\
        import matplotlib.pyplot as plt
        import torch
        import torch.nn as nn

        class Agent:
            def __init__(self):
                self.net = nn.Linear(4, 1)
                self.cost_his = []

            def learn(self, x, y):
                loss = ((self.net(x) - y) ** 2).mean()
                loss.backward()
                self.cost_his.append(loss.item())

            @torch.no_grad()
            def record(self, x):
                self.cost_his.append(self.net(x).sum())

            def plot_cost(self):
                plt.plot(self.cost_his)
        """,
    "field-rebound-by-another-method-is-no-longer-init-s-value": """\
        import torch
        import torch.nn as nn

        class Runner:
            def __init__(self):
                self.net = nn.Linear(4, 1)
                self.last = self.net(torch.randn(1, 4))

            def settle(self):
                self.last = self.last.detach()

            def report(self):
                print(self.last.numpy())
        """,
}


@pytest.mark.parametrize("name", sorted(FIELD_PROGRAMS))
def test_fields_shared_between_methods(name):
    src = textwrap.dedent(FIELD_PROGRAMS[name])
    assert reported(src) == expected(src)


ARGUMENT_PROGRAMS = {
    "step-function-appends-the-loss-to-the-caller-s-list": """\
        import numpy as np
        import torch
        import torch.nn as nn

        def train_step(model, optimizer, batch, history):
            x, y = batch
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            optimizer.step()
            history.append(loss)

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        history = []
        for batch in [(torch.randn(2, 4), torch.randn(2, 1))]:
            train_step(model, optimizer, batch, history)  # expect: GRD502
        print(np.mean(history))  # expect: GRD503
        """,
    "step-function-records-numbers-or-rebinds-its-own-list": """\
        import numpy as np
        import torch
        import torch.nn as nn

        def train_step(model, optimizer, batch, history, log):
            x, y = batch
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            optimizer.step()
            history.append(loss.item())
            log["last"] = loss.detach()
            log = {"loss": loss}
            return log

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        history, log = [], {}
        for batch in [(torch.randn(2, 4), torch.randn(2, 1))]:
            train_step(model, optimizer, batch, history, log)
        print(np.mean(history), log["last"].numpy())
        """,
}


@pytest.mark.parametrize("name", sorted(ARGUMENT_PROGRAMS))
def test_containers_changed_through_arguments(name):
    src = textwrap.dedent(ARGUMENT_PROGRAMS[name])
    assert reported(src) == expected(src)


MODULE_PROGRAMS = {
    "model-frozen-by-a-helper-then-trained": """\
        import torch
        import torch.nn as nn

        def freeze(model):
            for p in model.parameters():
                p.requires_grad = False

        net = nn.Sequential(nn.Linear(4, 2))
        freeze(net)  # expect: GRD407
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        for x in torch.randn(3, 4):
            opt.zero_grad()
            net(x).sum().backward()
            opt.step()
        """,
    "helper-freezes-on-a-flag-or-its-own-copy-or-the-head-is-unfrozen": """\
        import copy
        import torch
        import torch.nn as nn

        def freeze(model, really):
            if really:
                for p in model.parameters():
                    p.requires_grad = False

        def frozen_copy(model):
            teacher = copy.deepcopy(model)
            for p in teacher.parameters():
                p.requires_grad = False
            return teacher

        def freeze_all(model):
            for p in model.parameters():
                p.requires_grad = False

        net = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2))
        freeze(net, True)
        teacher = frozen_copy(net)
        other = nn.Sequential(nn.Linear(4, 2))
        freeze_all(other)
        for p in other[0].parameters():
            p.requires_grad = True
        opt = torch.optim.SGD(list(net.parameters()) + list(other.parameters()), lr=0.1)
        for x in torch.randn(3, 4):
            opt.zero_grad()
            (net(x).sum() + other(x).sum()).backward()
            opt.step()
        """,
    "layer-subclass-inherits-its-parameters-and-self-call": """\
        import torch
        import torch.nn as nn

        class ScaledLinear(nn.Linear):
            def forward(self, x):
                return super().forward(x) * 2

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = ScaledLinear(4, 2)

            def forward(self, x):
                return self.fc(x)

            def predict(self, x):
                out = self(x)
                return out.numpy()  # expect: GRD503

            @torch.no_grad()
            def predict_safely(self, x):
                return self(x).numpy()

        layer = ScaledLinear(4, 2)
        layer.weight.add_(1.0)  # expect: GRD201
        with torch.no_grad():
            layer.bias.zero_()
        """,
}


@pytest.mark.parametrize("name", sorted(MODULE_PROGRAMS))
def test_modules_through_helpers_and_subclasses(name):
    src = textwrap.dedent(MODULE_PROGRAMS[name])
    assert reported(src) == expected(src)
