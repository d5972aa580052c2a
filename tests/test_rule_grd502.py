"""GRD502 loss-history-accumulation: a grad tensor accumulated across loop iterations into a name that outlives the loop.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD502`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD502"
case = case_maker(CODE)


POSITIVES = [
    case(
        "metric-averaged-with-a-differentiable-horovod-allreduce",
        # hvd.allreduce wraps an autograd function: the running sum carries every batch's graph
        # (horovod examples/pytorch_imagenet_resnet50.py before PR #641)
        """\
        import torch
        import torch.nn.functional as F
        import horovod.torch as hvd


        class Metric:
            def __init__(self, name):
                self.name = name
                self.sum = torch.tensor(0.0)
                self.n = torch.tensor(0.0)

            def update(self, val):
                self.sum += hvd.allreduce(val.cpu(), name=self.name)
                self.n += 1


        def train(model, loader, optimizer):
            train_loss = Metric("train_loss")
            for data, target in loader:
                optimizer.zero_grad()
                loss = F.cross_entropy(model(data), target)
                loss.backward()
                optimizer.step()
                train_loss.update(loss)  # expect: GRD502
        """,
        [24],
    ),
    case(
        "step-output-dict-appended-after-its-loss-backpropagated",
        # nothing in the file says what training_step returns, but output["loss"].backward()
        # proves the dict holds a graph tensor; appending the dict keeps it (packnet-sfm #47)
        """\
        def train(module, dataloader, optimizer):
            module.train()
            outputs = []
            for i, batch in enumerate(dataloader):
                optimizer.zero_grad()
                output = module.training_step(batch, i)
                output["loss"].backward()
                optimizer.step()
                outputs.append(output)  # expect: GRD502
            return outputs


        def fit(model, loader, optimizer):
            history = []
            for batch in loader:
                optimizer.zero_grad()
                out = model(**batch)
                out.loss.backward()
                optimizer.step()
                history.append(out)  # expect: GRD502
            return history
        """,
        [9, 20],
    ),
    case(
        "prediction-unpacked-from-an-unknown-models-output-and-given-to-a-loss",
        # the model's class is in a file the linter does not see: only the loss shows which
        # element of its output carries the graph
        """\
        import torch
        import torch.nn.functional as F
        from torch import nn
        from model import VAE

        model = VAE()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        bce = nn.BCELoss(reduction="sum")
        recon_history, kl_history = [], []
        total_mse = 0.0
        for epoch in range(10):
            for x, _ in loader:
                recon, mu, logvar = model(x)
                recon_loss = bce(recon.view(-1, 784), x.view(-1, 784))
                kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
                recon_history.append(recon_loss)  # expect: GRD502
                kl_history.append(kl)
                mse = F.mse_loss(recon[:, 0], x[:, 0])
                total_mse += mse  # expect: GRD502
                optimizer.zero_grad()
                (recon_loss + kl).backward()
                optimizer.step()
        """,
        [16, 19],
    ),
    case(
        "losses-returned-as-a-tuple-by-a-closure-of-the-training-function",
        # Lofi: `def compute_loss(data)` inside `train(dataset, model, name)` runs the model it closes over
        """\
        import torch
        import torch.nn as nn


        def train(model, batches):
            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
            ce = nn.CrossEntropyLoss()

            def compute_loss(data):
                x, y = data
                out = model(x)
                return ce(out, y), out.pow(2).mean()

            history = []
            for data in batches:
                loss, penalty = compute_loss(data)
                history.append(penalty)  # expect: GRD502
                optimizer.zero_grad()
                (loss + penalty).backward()
                optimizer.step()
            return history


        train(nn.Linear(4, 3), [(torch.randn(2, 4), torch.tensor([0, 1]))])
        """,
        [17],
    ),
    case(
        "submodule-class-defined-after-the-model-that-builds-it",
        # the model's __init__ runs when the model is made, after the module defined Decoder
        """\
        import torch
        import torch.nn as nn


        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.decoder = Decoder()

            def forward(self, x):
                logits, hidden = self.decoder(x)
                return logits, hidden


        class Decoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.head = nn.Linear(4, 3)

            def forward(self, x):
                h = self.head(x)
                return h, h.tanh()


        model = Model()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        seen = []
        for x in [torch.randn(2, 4)]:
            opt.zero_grad()
            logits, hidden = model(x)
            logits.sum().backward()
            opt.step()
            seen.append(hidden)  # expect: GRD502
        """,
        [33],
    ),
    case(
        "lightning-training-step-keeps-every-loss-it-returns",
        """\
        import pytorch_lightning as pl
        import torch
        import torch.nn.functional as F

        class Lit(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.net = torch.nn.Linear(4, 2)
                self.train_losses = []
                self.epoch_outputs = []

            def training_step(self, batch, batch_idx):
                x, y = batch
                loss = F.cross_entropy(self.net(x), y)
                self.train_losses.append(loss)  # expect: GRD502
                self.epoch_outputs.append(loss)
                return loss

            def validation_step(self, batch, batch_idx):
                x, y = batch
                self.train_losses.append(F.cross_entropy(self.net(x), y))

            def on_train_epoch_end(self):
                self.log("avg", torch.stack(self.epoch_outputs).mean())
                self.epoch_outputs.clear()
        """,
        [15],
    ),
    case(
        "losses-appended-to-a-list-inside-a-dict",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        history = {"train": [], "grad_norm": []}
        for step in range(3):
            opt.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            opt.step()
            history["train"].append(loss)  # expect: GRD502
            history["grad_norm"].append(model.weight.grad.norm())
            fresh = {"loss": []}
            fresh["loss"].append(loss)
        """,
        [12],
    ),
    case(
        "parts-of-the-loss-added-up-in-an-inner-loop",
        """\
        import torch
        import torch.nn as nn

        net = nn.Linear(4, 2)
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        total = {"a": 0.0, "b": 0.0}
        for step in range(5):
            out = net(torch.randn(8, 4))
            parts = {"a": out[:, 0].pow(2).mean(), "b": out[:, 1].abs().mean()}
            opt.zero_grad()
            sum(parts.values()).backward()
            opt.step()
            for name, val in parts.items():
                total[name] += val * 8  # expect: GRD502
        """,
        [14],
    ),
    case(
        "epoch-loss-summed-as-tensor",
        """\
        import torch
        import torch.nn as nn
        import torch.optim as optim

        inputs = torch.randn(256, 8)
        targets = torch.randn(256, 1)
        model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
        criterion = nn.MSELoss()
        optimizer = optim.SGD(model.parameters(), lr=0.05)
        for epoch in range(3):
            total_loss = 0.0
            for start in range(0, len(inputs), 32):
                optimizer.zero_grad()
                loss = criterion(model(inputs[start:start + 32]), targets[start:start + 32])
                loss.backward()
                optimizer.step()
                total_loss += loss  # expect: GRD502
        """,
        [17],
    ),
    case(
        "losses-appended-to-history-list",
        """\
        import torch
        from torch import nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.Adam(model.parameters())
        history = []
        for step in range(100):
            optimizer.zero_grad()
            loss = model(torch.randn(16, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
            history.append(loss)  # expect: GRD502
        """,
        [12],
    ),
    case(
        "running-loss-weighted-by-batch-size",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(10, 2)
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = [(torch.randn(8, 10), torch.randint(0, 2, (8,))) for _ in range(4)]
        running_loss = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            running_loss += loss * x.size(0)  # expect: GRD502
        """,
        [14],
    ),
    case(
        "alias-T-while-loop-tensor-accumulator",
        """\
        import torch as T

        net = T.nn.Linear(3, 1)
        opt = T.optim.SGD(net.parameters(), lr=0.1)
        total = T.zeros(())
        step = 0
        while step < 50:
            opt.zero_grad()
            loss = net(T.randn(8, 3)).abs().mean()
            loss.backward()
            opt.step()
            total += loss  # expect: GRD502
            step += 1
        """,
        [12],
    ),
    case(
        "trainer-method-local-history",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(6, 1)
                self.criterion = nn.MSELoss()
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.01)

            def train_epoch(self, loader):
                losses = []
                for x, y in loader:
                    self.optimizer.zero_grad()
                    loss = self.criterion(self.model(x), y)
                    loss.backward()
                    self.optimizer.step()
                    losses.append(loss)  # expect: GRD502
                return losses


        Trainer().train_epoch([(torch.randn(4, 6), torch.randn(4, 1))])
        """,
        [18],
    ),
    case(
        "outputs-collected-in-training-function",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(5, 3)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)


        def train(batches):
            outputs = []
            for xb in batches:
                optimizer.zero_grad()
                out = model(xb)
                out.pow(2).mean().backward()
                optimizer.step()
                outputs.append(out)  # expect: GRD502
            return outputs


        train([torch.randn(2, 5) for _ in range(3)])
        """,
        [15],
    ),
    case(
        "accumulated-inside-nn-module-method",
        """\
        import torch
        import torch.nn as nn


        class AutoEncoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.enc = nn.Linear(8, 2)
                self.dec = nn.Linear(2, 8)

            def forward(self, x):
                return self.dec(self.enc(x))

            def fit(self, data, epochs=2):
                optimizer = torch.optim.Adam(self.parameters())
                epoch_loss = 0
                for epoch in range(epochs):
                    optimizer.zero_grad()
                    loss = ((self(data) - data) ** 2).mean()
                    loss.backward()
                    optimizer.step()
                    epoch_loss += loss  # expect: GRD502
                return epoch_loss


        AutoEncoder().fit(torch.randn(16, 8))
        """,
        [22],
    ),
    case(
        "two-accumulators-in-one-loop",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        model = nn.Linear(4, 4)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        rec_total = 0.0
        reg_history = []
        for step in range(10):
            optimizer.zero_grad()
            x = torch.randn(8, 4)
            out = model(x)
            rec = F.mse_loss(out, x)
            reg = out.abs().mean()
            (rec + 0.1 * reg).backward()
            optimizer.step()
            rec_total += rec  # expect: GRD502
            reg_history.append(reg)  # expect: GRD502
        """,
        [17, 18],
    ),
    case(
        "running-total-rebound-with-plus",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        epoch_loss = 0.0
        for step in range(20):
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
            epoch_loss = epoch_loss + loss  # expect: GRD502
        """,
        [12],
    ),
    case(
        "subscript-accumulator",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        stats = {"loss": 0.0}
        for step in range(5):
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
            stats["loss"] += loss  # expect: GRD502
        """,
        [12],
    ),
    case(
        "tuple-appended",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        history = []
        for step in range(5):
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
            history.append((step, loss))  # expect: GRD502
        """,
        [12],
    ),
    case(
        "dict-appended",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        history = []
        for step in range(5):
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
            history.append({"loss": loss})  # expect: GRD502
        """,
        [12],
    ),
    case(
        "evaluation-loop-under-grad-mode",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        total = 0.0
        for step in range(5):
            total += model(torch.randn(8, 4)).pow(2).mean()  # expect: GRD502
        print(total)
        """,
        [8],
    ),
    case(
        "attribute-history-in-a-trainer",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(4, 1)
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
                self.history = []

            def fit(self, batches):
                for x in batches:
                    self.optimizer.zero_grad()
                    loss = self.model(x).pow(2).mean()
                    loss.backward()
                    self.optimizer.step()
                    self.history.append(loss)  # expect: GRD502
        """,
        [17],
    ),
    case(
        "float-accumulator-appended-once-per-epoch",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        criterion = nn.MSELoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = [(torch.randn(8, 4), torch.randn(8, 1)) for _ in range(3)]
        history = []
        for epoch in range(5):
            epoch_loss = 0.0
            for x, y in loader:
                opt.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                opt.step()
                epoch_loss += loss  # expect: GRD502
            history.append(epoch_loss / len(loader))  # expect: GRD502
        """,
        [16, 17],
    ),
    case(
        "float-accumulator-per-epoch-in-a-fit-function",
        """\
        import torch
        import torch.nn as nn


        def fit(model, loader, opt, criterion, epochs):
            history = []
            for epoch in range(epochs):
                running = 0.0
                for x, y in loader:
                    opt.zero_grad()
                    loss = criterion(model(x), y)
                    loss.backward()
                    opt.step()
                    running = running + loss * x.size(0)  # expect: GRD502
                history.append(running / len(loader))  # expect: GRD502
            return history


        model = nn.Linear(4, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = [(torch.randn(8, 4), torch.randn(8, 1))]
        fit(model, loader, opt, nn.MSELoss(), 3)
        """,
        [14, 15],
    ),
    case(
        "training-step-method-keeps-its-losses-on-self",
        """\
        import torch
        import torch.nn as nn

        class AverageMeter:
            def __init__(self):
                self.sum, self.count = 0, 0

            def update(self, val, n=1):
                self.sum += val * n
                self.count += n

        class Agent:
            def __init__(self):
                self.net = nn.Linear(4, 2)
                self.opt = torch.optim.Adam(self.net.parameters())
                self.cost_his = []
                self.meter = AverageMeter()
                self.total = 0

            def learn(self, x, y):
                _, loss = self.criterion(x, y)
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                self.cost_his.append(loss)  # expect: GRD502
                self.meter.update(loss, x.size(0))  # expect: GRD502
                self.total += loss  # expect: GRD502
                self.last = loss

            def criterion(self, x, y):
                loss = ((self.net(x) - y) ** 2).mean()
                return loss.detach(), loss
        """,
        [25, 26, 27],
    ),
    case(
        "losses-appended-whose-sum-or-itself-was-backpropagated",
        """\
        class Trainer:
            def __init__(self, model, optimizer):
                self.model = model
                self.optimizer = optimizer

            def train_epoch(self, train_data):
                self.model.train()
                losses_list = []
                for interaction in train_data:
                    self.optimizer.zero_grad()
                    losses = self.model.calculate_loss(interaction)
                    loss = sum(losses) if isinstance(losses, tuple) else losses
                    loss.backward()
                    self.optimizer.step()
                    losses_list.append(losses)  # expect: GRD502
                return sum(losses_list).item()
        """,
        [15],
    ),
    case(
        "per-sample-losses-kept-after-their-mean-was-backpropagated",
        """\
        def train(model, loader, optimizer, steps):
            history = []
            for x, y in loader:
                optimizer.zero_grad()
                per_sample = model.per_sample_loss(x, y)
                loss = per_sample.mean() / steps
                loss.backward()
                optimizer.step()
                history.append(per_sample)  # expect: GRD502
            return history
        """,
        [9],
    ),
    case(
        "helper-backpropagates-and-returns-the-loss-after-a-none-guard",
        """\
        class Trainer:
            def __init__(self, model, opt):
                self.model = model
                self.opt = opt

            def _backward(self, loss, opt, mul=1):
                if loss is None:
                    return 0
                loss = loss * mul
                loss.backward()
                return loss

            def train(self, batches):
                total = 0
                for batch in batches:
                    self.opt.zero_grad()
                    loss = self.model.loss(batch)
                    total += self._backward(loss, self.opt)  # expect: GRD502
                    self.opt.step()
                return total
        """,
        [18],
    ),
    case(
        "loss-backpropagated-through-apex-scale-loss-then-accumulated",
        """\
        from apex import amp


        def train(model, loader, criterion, optimizer):
            running = 0.0
            for x, y in loader:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                with amp.scale_loss(loss, optimizer) as scaled_loss:
                    scaled_loss.backward()
                optimizer.step()
                running += loss  # expect: GRD502
            return running
        """,
        [12],
    ),
    case(
        "dict-of-loss-terms-whose-total-entry-was-backpropagated-appended",
        """\
        def train_epoch(model, loader, optimizer, args):
            epoch_loss = []
            for inputs in loader:
                optimizer.zero_grad()
                loss = compute_training_loss(model, inputs, args)
                loss["loss"] = args.alpha * loss["ego_loss"] + loss["neighbor_loss"]
                loss["loss"].backward()
                optimizer.step()
                epoch_loss.append(loss)  # expect: GRD502
            return epoch_loss
        """,
        [9],
    ),
    case(
        # a class that sets self.training itself is not shown to be an nn.Module by reading it
        # (the outputs are counted, not returned: a returned list is handed back to the caller)
        "evaluation-loop-of-a-class-that-sets-its-own-training-flag",
        """\
        import torch
        import torch.nn as nn
        from somewhere import Agent


        class Evaluator(Agent):
            def __init__(self):
                self.training = False
                self.net = nn.Linear(8, 8)

            def evaluate(self, batches):
                outs = []
                for x in batches:
                    outs.append(self.net(x))  # expect: GRD502
                if self.training:
                    return None
                return len(outs)
        """,
        [14],
    ),
    case(
        # bug threads (detection and scene-completion code): a loss dict of unknown structure, one
        # entry backpropagated, every entry added to the epoch's totals
        "every-entry-of-a-loss-dict-with-a-backpropagated-entry-accumulated",
        """\
        from collections import defaultdict


        def train_epoch(model, loader, optimizer):
            epoch_losses = defaultdict(float)
            for batch in loader:
                losses = model.compute_loss(batch)
                optimizer.zero_grad()
                losses["total"].backward()
                optimizer.step()
                for key in losses:
                    epoch_losses[key] += losses[key]  # expect: GRD502
            return epoch_losses
        """,
        [12],
    ),
    case(
        "items-of-a-loss-dict-with-a-backpropagated-entry-accumulated",
        """\
        def train_epoch(model, loader, optimizer, meters):
            for images, targets in loader:
                loss_dict = model(images, targets)
                loss_dict["loss"].backward()
                optimizer.step()
                optimizer.zero_grad()
                for name, value in loss_dict.items():
                    meters[name] += value  # expect: GRD502
        """,
        [8],
    ),
    case(
        # one model over many batches, the losses stacked and returned: every batch's graph is kept
        "one-model-over-batches-stacks-their-losses",
        """\
        import torch
        import torch.nn as nn


        def validation_loss(model, batches):
            losses = []
            for x, y in batches:
                losses.append(nn.functional.mse_loss(model(x), y))  # expect: GRD502
            return torch.stack(losses).mean()


        net = nn.Linear(4, 1)
        print(validation_loss(net, [(torch.randn(8, 4), torch.randn(8, 1)) for _ in range(3)]).item())
        """,
        [8],
    ),
    case(
        # the function switches the model to eval() itself: the outputs it returns are an
        # evaluation's history, each with its graph, whoever receives them
        "evaluation-returns-the-outputs-it-kept",
        """\
        import torch
        import torch.nn as nn


        def predict(model, batches):
            model.eval()
            outputs = []
            for x in batches:
                outputs.append(model(x))  # expect: GRD502
            return outputs


        print(len(predict(nn.Linear(4, 1), [torch.randn(8, 4) for _ in range(3)])))
        """,
        [9],
    ),
    case(
        "per-sample-outputs-stored-by-a-key-of-the-inner-loop-across-attack-iterations",
        """\
        import torch


        def attack(x, ids, steps):
            delta = torch.zeros(4, 8, requires_grad=True)
            optimizer = torch.optim.Adam([delta], lr=0.1)
            best = {}
            for step in range(steps):
                optimizer.zero_grad()
                out = torch.tanh(x + delta)
                out.sum().backward()
                optimizer.step()
                for i, sample_id in enumerate(ids):
                    best[(step, sample_id)] = out[i]  # expect: GRD502
            return best
        """,
        [14],
    ),
    case(
        "list-slots-indexed-by-the-training-loop-and-an-inner-loop",
        """\
        import torch


        def attack(x, steps):
            delta = torch.zeros(4, 8, requires_grad=True)
            optimizer = torch.optim.Adam([delta], lr=0.1)
            history = [None for _ in range(2 * steps)]
            for step in range(steps):
                optimizer.zero_grad()
                out = torch.tanh(x + delta)
                out.sum().backward()
                optimizer.step()
                for half in range(2):
                    history[2 * step + half] = out[half]  # expect: GRD502
            return history
        """,
        [14],
    ),
]


NEGATIVES = [
    case(
        "loss-dict-entries-accumulated-as-numbers-or-detached",
        """\
        from collections import defaultdict


        def train_epoch(model, loader, optimizer):
            epoch_losses, detached = defaultdict(float), defaultdict(float)
            for batch in loader:
                losses = model.compute_loss(batch)
                optimizer.zero_grad()
                losses["total"].backward()
                optimizer.step()
                for key in losses:
                    epoch_losses[key] += losses[key].item()
                for key, value in losses.items():
                    detached[key] += value.detach()
            return epoch_losses, detached
        """,
    ),
    case(
        "loss-dict-loop-that-skips-the-backpropagated-entry",
        """\
        def train_epoch(model, loader, optimizer, meters):
            for batch in loader:
                losses = model.compute_loss(batch)
                losses["total"].backward()
                optimizer.step()
                optimizer.zero_grad()
                for key, value in losses.items():
                    if key == "total":
                        continue
                    meters[key] += value
                for key in losses.keys():
                    if key.startswith("aux"):
                        meters[key] += losses[key]
        """,
    ),
    case(
        "dict-of-outputs-with-no-entry-backpropagated",
        """\
        def evaluate(model, loader, meters):
            for batch in loader:
                stats = model.compute_stats(batch)
                for key in stats:
                    meters[key] += stats[key]
        """,
    ),
    case(
        "tiled-decode-of-a-model-whose-module-base-is-not-resolved",
        # diffusers' AutoencoderDC(ModelMixin, ...) with ModelMixin out of reach: a class with a
        # forward is a model, and its tiled encode stacks tiles into its output on purpose
        """\
        import torch
        from somewhere_else import ModelMixin


        class Autoencoder(ModelMixin):
            def __init__(self):
                super().__init__()
                self.encoder = torch.nn.Conv2d(3, 4, 8, stride=8)

            def tiled_encode(self, x, stride):
                rows = []
                for i in range(0, x.shape[2], stride):
                    row = []
                    for j in range(0, x.shape[3], stride):
                        row.append(self.encoder(x[:, :, i : i + stride, j : j + stride]))
                    rows.append(torch.cat(row, dim=3))
                return torch.cat(rows, dim=2)

            def forward(self, x):
                return self.tiled_encode(x, 64)
        """,
    ),
    case(
        "metric-averaged-with-allreduce-of-a-detached-value-or-in-place",
        # the upstream fix detaches; an in-place collective returns nothing differentiable
        """\
        import torch
        import torch.distributed as dist
        import torch.nn.functional as F
        import horovod.torch as hvd


        class Metric:
            def __init__(self, name):
                self.name = name
                self.sum = torch.tensor(0.0)

            def update(self, val):
                self.sum += hvd.allreduce(val.detach().cpu(), name=self.name)


        def train(model, loader, optimizer):
            train_loss = Metric("train_loss")
            total = torch.tensor(0.0)
            for data, target in loader:
                optimizer.zero_grad()
                loss = F.cross_entropy(model(data), target)
                loss.backward()
                optimizer.step()
                train_loss.update(loss)
                reduced = loss.detach().clone()
                dist.all_reduce(reduced)
                total += reduced
        """,
    ),
    case(
        "step-output-kept-after-its-loss-is-detached-or-only-scalars-kept",
        # the upstream fix (packnet-sfm 2698f1f) replaces the loss by its detached copy before
        # keeping the dict; the other trainers keep a number or an unproven field only
        """\
        def train(module, dataloader, optimizer):
            outputs = []
            for i, batch in enumerate(dataloader):
                optimizer.zero_grad()
                output = module.training_step(batch, i)
                output["loss"].backward()
                optimizer.step()
                output["loss"] = output["loss"].detach()
                outputs.append(output)
            return outputs


        def train_items(module, dataloader, optimizer):
            losses, metrics = [], []
            for i, batch in enumerate(dataloader):
                optimizer.zero_grad()
                output = module.training_step(batch, i)
                output["loss"].backward()
                optimizer.step()
                losses.append(output["loss"].item())
                metrics.append(output["metrics"])
            return losses, metrics


        def train_sometimes(module, dataloader, optimizer):
            outputs = []
            for i, batch in enumerate(dataloader):
                optimizer.zero_grad()
                output = module.training_step(batch, i)
                if i > 3:
                    output["loss"].backward()
                optimizer.step()
                outputs.append(output)
            return outputs
        """,
    ),
    case(
        "elements-of-an-unknown-models-output-that-no-loss-takes-as-its-input",
        """\
        import torch
        from torch import nn
        from model import Detector

        model = Detector()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        ce = nn.CrossEntropyLoss()
        kept_labels, kept_losses, seen = [], [], []
        for x in loader:
            logits, labels, boxes = model(x)
            loss = ce(logits, labels)
            kept_labels.append(labels)
            seen.append(boxes)
            kept_losses.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            for x in loader:
                logits, labels, boxes = model(x)
                kept_losses.append(ce(logits, labels))
        """,
    ),
    case(
        "closure-whose-losses-are-taken-with-item-or-detach",
        """\
        import torch
        import torch.nn as nn


        def train(model, batches):
            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
            ce = nn.CrossEntropyLoss()

            def compute_loss(data):
                x, y = data
                out = model(x)
                return ce(out, y), out.pow(2).mean()

            history, penalties = [], []
            for data in batches:
                loss, penalty = compute_loss(data)
                optimizer.zero_grad()
                (loss + penalty).backward()
                optimizer.step()
                history.append(loss.item())
                penalties.append(penalty.detach())
            with torch.no_grad():
                for data in batches:
                    _, penalty = compute_loss(data)
                    penalties.append(penalty)
            return history, penalties


        train(nn.Linear(4, 3), [(torch.randn(2, 4), torch.tensor([0, 1]))])
        """,
    ),
    case(
        "euler-steps-feed-the-state-back-into-the-model",
        """\
        import torch
        import torch.nn as nn

        flow_head = nn.Linear(4, 4).eval()
        latents = torch.randn(2, 4)
        for step in range(8):
            velocity = flow_head(latents)
            latents = latents + velocity.to(latents.device) / 8
        """,
    ),
    case(
        "parts-added-up-as-numbers-or-into-a-fresh-dict-each-step",
        """\
        import torch
        import torch.nn as nn

        net = nn.Linear(4, 2)
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        total = {"a": 0.0, "b": 0.0}
        for step in range(5):
            out = net(torch.randn(8, 4))
            parts = {"a": out[:, 0].pow(2).mean(), "b": out[:, 1].abs().mean()}
            opt.zero_grad()
            sum(parts.values()).backward()
            opt.step()
            logged = {"a": 0.0, "b": 0.0}
            for name, val in parts.items():
                total[name] += val.item() * 8
                logged[name] += val
            print(logged)
        """,
    ),
    case(
        "item-accumulated",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(8, 1)
        criterion = nn.MSELoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        for epoch in range(3):
            total_loss = 0.0
            history = []
            for step in range(8):
                optimizer.zero_grad()
                loss = criterion(model(torch.randn(4, 8)), torch.randn(4, 1))
                loss.backward()
                optimizer.step()
                total_loss += loss.item()
                history.append(loss.item())
        """,
    ),
    case(
        "detached-values-accumulated",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(8, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        total = torch.zeros(())
        preds = []
        for step in range(8):
            optimizer.zero_grad()
            out = model(torch.randn(4, 8))
            loss = out.pow(2).mean()
            loss.backward()
            optimizer.step()
            total += loss.detach()
            preds.append(out.detach().cpu().numpy())
        """,
    ),
    case(
        "metrics-that-never-require-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(8, 3)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        correct = 0
        predictions = []
        for step in range(8):
            x, y = torch.randn(4, 8), torch.randint(0, 3, (4,))
            optimizer.zero_grad()
            out = model(x)
            nn.functional.cross_entropy(out, y).backward()
            optimizer.step()
            correct += (out.argmax(dim=1) == y).sum()
            predictions.append(out.argmax(dim=1))
        """,
    ),
    case(
        "evaluation-losses-under-no-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        criterion = nn.MSELoss()
        val_losses = []
        total = 0.0
        with torch.no_grad():
            for step in range(5):
                loss = criterion(model(torch.randn(8, 4)), torch.randn(8, 1))
                val_losses.append(loss)
                total += loss
        """,
    ),
    case(
        "deliberate-sum-of-chunk-losses-then-one-backward",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        optimizer.zero_grad()
        total = 0.0
        for chunk in torch.randn(4, 8, 4):
            total += model(chunk).pow(2).mean()
        total.backward()
        optimizer.step()
        """,
    ),
    case(
        "reinforce-log-probs-collected-per-episode",
        """\
        import torch
        import torch.nn as nn

        policy = nn.Linear(4, 2)
        optimizer = torch.optim.Adam(policy.parameters(), lr=1e-2)
        for episode in range(3):
            log_probs = []
            rewards = []
            for t in range(10):
                state = torch.randn(4)
                logp = torch.log_softmax(policy(state), dim=-1)
                action = int(torch.randint(0, 2, ()))
                log_probs.append(logp[action])
                rewards.append(1.0)
            optimizer.zero_grad()
            loss = -torch.stack(log_probs).sum() * sum(rewards)
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "accumulated-loss-is-what-gets-backpropagated",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        batches = [torch.randn(8, 4) for _ in range(8)]
        acc = 0.0
        for i, xb in enumerate(batches):
            acc += model(xb).pow(2).mean()
            if (i + 1) % 4 == 0:
                optimizer.zero_grad()
                acc.backward()
                optimizer.step()
                acc = 0.0
        """,
    ),
    case(
        "multitask-losses-list-rebuilt-each-iteration",
        """\
        import torch
        import torch.nn as nn

        trunk = nn.Linear(4, 4)
        heads = [nn.Linear(4, 1), nn.Linear(4, 1)]
        optimizer = torch.optim.SGD(trunk.parameters(), lr=0.1)
        for step in range(5):
            optimizer.zero_grad()
            h = trunk(torch.randn(8, 4))
            losses = []
            for head in heads:
                losses.append(head(h).pow(2).mean())
            loss = sum(losses)
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "per-iteration-list-reset-at-the-top-of-the-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(5):
            optimizer.zero_grad()
            parts = []
            out = model(torch.randn(8, 4))
            parts.append(out[:, 0].pow(2).mean())
            parts.append(out[:, 1].abs().mean())
            torch.stack(parts).sum().backward()
            optimizer.step()
        """,
    ),
    case(
        "float-counter-of-samples",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        seen = 0
        for step in range(5):
            x = torch.randn(8, 4)
            optimizer.zero_grad()
            model(x).sum().backward()
            optimizer.step()
            seen += x.size(0)
        """,
    ),
    case(
        "subscript-accumulator-of-items",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        stats = {"loss": 0.0}
        for step in range(5):
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
            stats["loss"] += loss.item()
        """,
    ),
    case(
        "tuple-of-numbers-appended",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        history = []
        for step in range(5):
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
            history.append((step, loss.item()))
        """,
    ),
    case(
        "evaluation-loop-under-no-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        total = 0.0
        with torch.no_grad():
            for step in range(5):
                total += model(torch.randn(8, 4)).pow(2).mean()
        """,
    ),
    case(
        "accumulated-then-backpropagated-after-the-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        total = 0.0
        for step in range(5):
            total += model(torch.randn(8, 4)).pow(2).mean()
        total.backward()
        optimizer.step()
        """,
    ),
    case(
        "subscript-container-rebuilt-each-iteration",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(5):
            stats = {"loss": 0.0}
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
            stats["loss"] += loss
        """,
    ),
    case(
        "leaf-updated-in-place-in-a-loop-without-backward",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        for step in range(3):
            loss = (w * 2).sum()
            w -= 0.1 * w
        """,
    ),
    case(
        "forward-collects-per-step-outputs-to-stack",
        """\
        import torch
        import torch.nn as nn


        class RNN(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.RNN(1, 32, batch_first=True)
                self.out = nn.Linear(32, 1)

            def forward(self, x, h_state):
                r_out, h_state = self.rnn(x, h_state)
                outs = []
                for time_step in range(r_out.size(1)):
                    outs.append(self.out(r_out[:, time_step, :]))
                return torch.stack(outs, dim=1), h_state
        """,
    ),
    case(
        "differentiable-result-built-in-a-loop-without-a-model-call",
        """\
        import torch
        import torch.nn as nn


        def log_likelihood(weights, votes):
            cll = torch.zeros(len(votes), 3)
            for i, k in votes:
                logp = weights[i] - weights[k]
                cll[i, k] += logp
            return cll


        w = nn.Parameter(torch.randn(5))
        log_likelihood(w, [(0, 1), (2, 2)]).sum().backward()
        """,
    ),
    case(
        "float-accumulator-of-items-appended-per-epoch",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        criterion = nn.MSELoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = [(torch.randn(8, 4), torch.randn(8, 1)) for _ in range(3)]
        history = []
        for epoch in range(5):
            epoch_loss = 0.0
            for x, y in loader:
                opt.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                opt.step()
                epoch_loss += loss.item()
            history.append(epoch_loss / len(loader))
        """,
    ),
    case(
        "float-accumulator-backpropagated-every-k-steps",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        criterion = nn.MSELoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = [(torch.randn(8, 4), torch.randn(8, 1)) for _ in range(8)]
        accumulated = 0.0
        for i, (x, y) in enumerate(loader):
            accumulated = accumulated + criterion(model(x), y)
            if (i + 1) % 4 == 0:
                accumulated.backward()
                opt.step()
                opt.zero_grad()
                accumulated = 0.0
        """,
    ),
    case(
        "number-from-item-joined-with-a-loss",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        history = []
        for step in range(3):
            opt.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            opt.step()
            value = loss.item() if step % 2 else loss.detach()
            history.append(value)
        """,
    ),
    case(
        "training-step-keeps-numbers-or-resets-its-history",
        """\
        import torch
        import torch.nn as nn

        class Agent:
            def __init__(self):
                self.net = nn.Linear(4, 2)
                self.opt = torch.optim.Adam(self.net.parameters())
                self.cost_his = []
                self.log_probs = []
                self.episode = []
                self.acc = 0
                self.last = None

            def learn(self, x, y):
                loss = ((self.net(x) - y) ** 2).mean()
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                self.cost_his.append(loss.item())
                self.last = loss
                self.episode.append(loss)
                self.acc += loss.detach()

            def finish_episode(self):
                self.episode = []

            def act(self, x):
                # a policy's log-probabilities kept for the update that reads them
                self.log_probs.append(self.net(x).log_softmax(-1)[0])

            def update(self, x, y):
                loss = ((self.net(x) - y) ** 2).mean()
                self.log_probs.append(loss)
                total = torch.stack(self.log_probs).sum()
                total.backward()
                del self.log_probs[:]

            def evaluate(self, x, y):
                with torch.no_grad():
                    self.cost_his.append(((self.net(x) - y) ** 2).mean())

        class Accumulator:
            def __init__(self, net):
                self.net = net
                self.loss = 0

            def add(self, x):
                loss = self.net(x).sum()
                loss.backward(retain_graph=True)
                self.loss += loss

            def flush(self):
                self.loss.backward()
        """,
    ),
    case(
        "losses-appended-when-another-unknown-term-joins-their-sum",
        """\
        def train(model, loader, optimizer, regularizer):
            history = []
            for x, y in loader:
                optimizer.zero_grad()
                losses = model.calculate_loss(x, y)
                loss = sum(losses) + regularizer(model)
                loss.backward()
                optimizer.step()
                history.append(losses)
            return history
        """,
    ),
    case(
        "items-of-backpropagated-losses-appended",
        """\
        def train(model, loader, optimizer):
            history = []
            for x, y in loader:
                optimizer.zero_grad()
                losses = model.calculate_loss(x, y)
                loss = sum(losses)
                loss.backward()
                optimizer.step()
                history.append([part.item() for part in losses])
            return history
        """,
    ),
    case(
        "helper-backpropagates-and-returns-the-loss-value-after-a-none-guard",
        """\
        class Trainer:
            def __init__(self, model, opt):
                self.model = model
                self.opt = opt

            def _backward(self, loss, opt):
                if loss is None:
                    return 0
                loss.backward()
                return loss.item()

            def train(self, batches):
                total = 0
                for batch in batches:
                    self.opt.zero_grad()
                    total += self._backward(self.model.loss(batch), self.opt)
                    self.opt.step()
                return total
        """,
    ),
    case(
        "dict-of-loss-terms-turned-into-numbers-before-it-is-kept",
        """\
        def train_epoch(model, loader, optimizer, args):
            epoch_loss = []
            for inputs in loader:
                optimizer.zero_grad()
                loss = compute_training_loss(model, inputs, args)
                loss["loss"].backward()
                optimizer.step()
                loss = {name: value.item() for name, value in loss.items()}
                epoch_loss.append(loss)
            return epoch_loss
        """,
    ),
    case(
        # mmdet ddq_detr.py: a detector on an unresolvable base (mmengine's BaseModel) whose methods
        # read self.training is an nn.Module: stacking per-image queries is its own forward computation
        "per-image-queries-stacked-in-a-method-of-a-module-known-by-self-training",
        """\
        import torch
        import torch.nn as nn
        from somewhere import Detector


        class QueryDetector(Detector):
            def _init_layers(self):
                self.query_map = nn.Linear(8, 8)

            def pre_decoder(self, memory, keep):
                query = []
                for img_id in range(len(memory)):
                    mapped = self.query_map(memory[img_id].detach())
                    query.append(mapped[keep])
                query = torch.stack(query)
                if self.training:
                    return query, {"dense": query}
                return query, {}
        """,
    ),
    case(
        # botorch relevance_pursuit.py: a loop over candidate models (each built or taken anew in
        # its iteration) scores each once; the stacked scores are the function's differentiable result
        "loop-over-candidate-models-stacks-their-scores",
        """\
        import torch
        import torch.nn as nn


        def score_candidates(widths, x, y):
            scores = []
            for width in widths:
                candidate = nn.Sequential(nn.Linear(4, width), nn.Tanh(), nn.Linear(width, 1))
                scores.append(-nn.functional.mse_loss(candidate(x), y))
            return torch.softmax(torch.stack(scores), dim=0)


        weights = score_candidates([2, 4, 8], torch.randn(16, 4), torch.randn(16, 1))
        """,
    ),
    case(
        # an RL rollout hands every step's log-prob and value back to its caller, whose update
        # backpropagates them (practical-pytorch reinforce-gridworld shape): not an evaluation loop
        "rollout-hands-its-per-step-outputs-to-the-update",
        """\
        import torch
        import torch.nn as nn

        policy = nn.Linear(4, 2)
        critic = nn.Linear(4, 1)
        optimizer = torch.optim.Adam(list(policy.parameters()) + list(critic.parameters()))


        def run_episode(states):
            log_probs, values = [], []
            for state in states:
                dist = torch.distributions.Categorical(logits=policy(state))
                log_probs.append(dist.log_prob(dist.sample()))
                values.append(critic(state))
            return log_probs, values


        def finish_episode(log_probs, values, returns):
            advantages = returns - torch.cat(values).detach()
            loss = -(torch.stack(log_probs) * advantages).sum() + (torch.cat(values) - returns).pow(2).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


        for episode in range(2):
            log_probs, values = run_episode([torch.randn(4) for _ in range(5)])
            finish_episode(log_probs, values, torch.randn(5))
        """,
    ),
    case(
        "best-per-sample-kept-in-list-slots-of-an-inner-batch-loop",
        """\
        import torch


        def attack(x, target, steps):
            delta = torch.zeros(4, 8, requires_grad=True)
            optimizer = torch.optim.Adam([delta], lr=0.1)
            successful = [None] * len(x)
            for step in range(steps):
                optimizer.zero_grad()
                out = torch.tanh(x + delta)
                out.sum().backward()
                optimizer.step()
                for idx in range(len(x)):
                    if out[idx].argmax() == target[idx]:
                        successful[idx] = out[idx]
                if step == steps - 1:
                    for idx in range(len(x)):
                        if successful[idx] is None:
                            successful[idx] = out[idx]
            return torch.stack(successful)
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
