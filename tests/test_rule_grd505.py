"""GRD505 eval-without-no-grad: forward passes after model.eval() in an evaluation loop with gradients enabled.

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD505`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)


# a CycleGAN-style helper: a single module is wrapped into a list before the loop
TOGGLE_GRAD = """\
        import torch
        import torch.nn as nn


        def toggle_grad(nets, requires_grad=False):
            if not isinstance(nets, list):
                nets = [nets]
            for net in nets:
                if net is not None:
                    for param in net.parameters():
                        param.requires_grad = requires_grad
"""

POSITIVES = [
    case(
        "forward-method-called-directly-in-an-evaluation-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1))

        def validation(loader):
            model.eval()
            acc = 0
            for x, y in loader:
                out = model.forward(x)  # expect: GRD505
                acc += (out.argmax(1) == y).sum().item()
            return acc
        """,
        [10],
    ),
    case(
        "module-level-evaluation-loop-after-training",
        """\
        import torch
        import torch.nn as nn
        import torch.optim as optim

        x_train, y_train = torch.randn(256, 20), torch.randint(0, 2, (256,))
        x_test, y_test = torch.randn(128, 20), torch.randint(0, 2, (128,))
        model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 2))
        criterion = nn.CrossEntropyLoss()
        optimizer = optim.Adam(model.parameters(), lr=1e-2)
        model.train()
        for epoch in range(5):
            optimizer.zero_grad()
            loss = criterion(model(x_train), y_train)
            loss.backward()
            optimizer.step()
        model.eval()
        correct = 0
        for start in range(0, len(x_test), 32):
            out = model(x_test[start:start + 32])  # expect: GRD505
            correct += (out.argmax(dim=1) == y_test[start:start + 32]).sum().item()
        """,
        [19],
    ),
    case(
        "evaluate-function-with-unknown-model-parameter",
        """\
        import torch


        def evaluate(model, loader):
            model.eval()
            correct = 0
            for x, y in loader:
                logits = model(x)  # expect: GRD505
                correct += (logits.argmax(1) == y).sum().item()
            return correct
        """,
        [8],
    ),
    case(
        "trainer-validate-method",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(10, 3)
                self.criterion = nn.CrossEntropyLoss()

            def validate(self, loader):
                self.model.eval()
                total = 0.0
                for x, y in loader:
                    out = self.model(x)  # expect: GRD505
                    total += self.criterion(out, y).item()
                return total


        Trainer().validate([(torch.randn(4, 10), torch.randint(0, 3, (4,)))])
        """,
        [14],
    ),
    case(
        "from-torch-import-nn-while-loop",
        """\
        import torch
        from torch import nn

        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        net.eval()
        batches = [torch.randn(2, 4) for _ in range(3)]
        i = 0
        preds = []
        while i < len(batches):
            preds.append(net(batches[i]).squeeze(1).tolist())  # expect: GRD505
            i += 1
        """,
        [10],
    ),
    case(
        "train-false-switches-to-evaluation",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        model.train(False)
        for xb in torch.randn(3, 5, 4):
            scores = model(xb)  # expect: GRD505
            print(scores.softmax(-1).max().item())
        """,
        [7],
    ),
    case(
        "alias-T-custom-module-evaluated",
        """\
        import torch as T


        class Net(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = T.nn.Linear(6, 2)

            def forward(self, x):
                return self.fc(x)


        net = Net()
        net.eval()
        for xb in T.randn(4, 3, 6):
            pred = net(xb).argmax(dim=1)  # expect: GRD505
        """,
        [16],
    ),
    case(
        "no-grad-block-ends-before-the-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(8, 2)
        model.eval()
        with torch.no_grad():
            warmup = model(torch.randn(1, 8))
        outputs = []
        for xb in torch.randn(5, 4, 8):
            outputs.append(model(xb).argmax(1))  # expect: GRD505
        """,
        [10],
    ),
    case(
        "every-forward-of-an-evaluated-model-is-reported",
        # each forward pass keeps its own activations (idinvert training_loop_encoder.py: a
        # snapshot loop runs E.net on the training batch, then on the validation batch)
        """\
        import torch
        import torch.nn as nn

        encoder = nn.Linear(8, 4)
        classifier = nn.Linear(4, 2)
        encoder.eval()
        classifier.eval()
        for xb in torch.randn(3, 2, 8):
            h = encoder(xb)  # expect: GRD505
            p = classifier(h)  # expect: GRD505
            q = classifier(h * 2)  # expect: GRD505
            print(p.argmax(1), q.argmax(1))
        """,
        [9, 10, 11],
    ),
    case(
        "nested-loops-over-runs-and-batches",
        """\
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.Linear(4, 1))
        model.eval()
        results = []
        for run in range(3):
            for xb in torch.randn(4, 2, 4):
                results.append(model(xb).mean().item())  # expect: GRD505
        """,
        [9],
    ),
    case(
        "pretrained-encoder-kept-in-eval-through-training-is-a-fixed-extractor-the-head-is-not",
        """\
        import torch
        import torch.nn as nn
        from encoders import ImageEncoder

        encoder = ImageEncoder(pretrained=True).to("cpu")
        head = nn.Linear(512, 10)
        optimizer = torch.optim.Adam(head.parameters(), lr=1e-3)
        criterion = nn.CrossEntropyLoss()

        for epoch in range(3):
            encoder.eval()
            head.train()
            for x, y in train_loader:
                feats = encoder(x)
                loss = criterion(head(feats), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            head.eval()
            correct = 0
            for x, y in val_loader:
                feats = encoder(x)
                out = head(feats)  # expect: GRD505
                correct += (out.argmax(1) == y).sum().item()
        """,
        [23],
    ),
    case(
        "fixed-extractor-also-when-the-optimizer-takes-a-list-of-the-head-parameters",
        """\
        import torch
        import torch.nn as nn
        from encoders import FlowNet, Predictor

        flow_net = FlowNet().cuda()
        predictor = Predictor().cuda()
        params = list(predictor.parameters())
        optimizer = torch.optim.AdamW(params, lr=1e-4)

        for epoch in range(10):
            flow_net.eval()
            predictor.train()
            for frames, target in train_loader:
                flow = flow_net(frames)
                loss = ((predictor(flow) - target) ** 2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            predictor.eval()
            total = 0.0
            for frames, target in val_loader:
                flow = flow_net(frames)
                total += ((predictor(flow) - target) ** 2).mean().item()  # expect: GRD505
        """,
        [23],
    ),
    case(
        "model-kept-in-eval-while-its-own-optimizer-trains-it-is-still-evaluated-with-grad",
        """\
        import torch
        import torch.nn as nn
        from nets import Net

        model = Net()
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
        criterion = nn.CrossEntropyLoss()

        for epoch in range(3):
            model.eval()  # batch-norm statistics stay frozen while fine-tuning
            for x, y in train_loader:
                loss = criterion(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            correct = 0
            for x, y in val_loader:
                out = model(x)  # expect: GRD505
                correct += (out.argmax(1) == y).sum().item()
        """,
        [18],
    ),
    case(
        "fixed-generator-given-the-trained-encoder-output-still-carries-its-graph",
        """\
        import torch
        from nets import Encoder, Generator

        E = Encoder()
        G = Generator()
        G.eval()
        optimizer = torch.optim.Adam(E.parameters(), lr=1e-4)

        for epoch in range(10):
            E.train()
            for x in train_loader:
                loss = ((G(E(x)) - x) ** 2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            E.eval()
            total = 0.0
            for x in val_loader:
                z = E(x)  # expect: GRD505
                rec = G(z)  # expect: GRD505
                total += ((rec - x) ** 2).mean().item()
        """,
        [19, 20],
    ),
    case(
        "validation-loop-nested-in-a-training-loop-of-an-imported-model",
        """\
        import torch
        from models import InpaintingModel


        class Runner:
            def __init__(self, config, loader, val_loader):
                self.model = InpaintingModel(config).cuda()
                self.loader = loader
                self.val_loader = val_loader

            def train(self, epochs):
                for epoch in range(epochs):
                    self.model.train()
                    for images, masks in self.loader:
                        outputs, gen_loss, dis_loss = self.model.process(images, masks)
                        self.model.backward(gen_loss, dis_loss)
                    self.model.eval()
                    total = 0.0
                    for images, masks in self.val_loader:
                        outputs = self.model(images, masks)  # expect: GRD505
                        total += (outputs - images).abs().mean().item()
                    print(epoch, total)
        """,
        [20],
    ),
    case(
        "model-class-deriving-from-a-base-of-a-file-not-linted",
        """\
        import torch.nn as nn
        from networks import BaseNetwork


        class Generator(BaseNetwork):
            def __init__(self):
                super().__init__()
                self.net = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))

            def forward(self, x):
                return self.net(x)


        def evaluate(loader):
            model = Generator()
            model.eval()
            total = 0.0
            for x in loader:
                out = model(x)  # expect: GRD505
                total += out.sum().item()
            return total
        """,
        [19],
    ),
    case(
        # the try body runs the forward with gradients on: the handler is no deliberate retry
        "handler-after-a-grad-mode-attempt-still-counts",
        """\
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1))
        model.eval()
        scores = []
        for x in [torch.randn(2, 4) for _ in range(3)]:
            try:
                out = model(x)  # expect: GRD505
            except RuntimeError:
                out = model(x.double())  # expect: GRD505
            scores.append(out.argmax(1))
        """,
        [9, 11],
    ),
    case(
        # a helper of the file that takes no gradients does not make the loop differentiate
        "local-helper-without-autograd-grad",
        """\
        import torch
        import torch.nn as nn


        def top1(out):
            return out.argmax(1)


        model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1))
        model.eval()
        preds = []
        for x in [torch.randn(2, 4) for _ in range(3)]:
            preds.append(top1(model(x)))  # expect: GRD505
        """,
        [13],
    ),
    case(
        # the helper unfreezes (requires_grad=True): the evaluated models still require grad
        "helper-over-a-list-of-models-unfreezes-them",
        TOGGLE_GRAD
        + """\


        scorer = nn.Linear(4, 1)
        ranker = nn.Linear(4, 1)
        toggle_grad([scorer, ranker], requires_grad=True)
        scorer.eval()
        scores = []
        for batch in torch.randn(5, 3, 4):
            scores.append(scorer(batch).mean().item())  # expect: GRD505
        """,
        [20],
    ),
]


NEGATIVES = [
    case(
        # allennlp influence_interpreter.py: the eval-mode forward is differentiated with autograd.grad
        "eval-forward-differentiated-with-autograd-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        params = [p for p in model.parameters()]
        scores = []
        for x in [torch.randn(2, 4) for _ in range(3)]:
            model.eval()
            loss = model(x).sum()
            grads = torch.autograd.grad(loss, params)
            scores.append(sum(g.sum().item() for g in grads))
        """,
    ),
    case(
        "evaluation-loop-calls-a-helper-decorated-with-no-grad",
        # the helper runs under its own decorator whatever its caller's mode
        """\
        import torch
        import torch.nn as nn


        @torch.no_grad()
        def predict(model, x):
            return model(x).argmax(1)


        @torch.inference_mode
        def score(model, x):
            return model(x).max(1).values


        model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 2))
        model.eval()
        preds, scores = [], []
        for x in torch.randn(5, 3, 4):
            preds.append(predict(model, x))
            scores.append(score(model, x))
        """,
    ),
    case(
        "evaluation-under-a-project-decorator-that-may-disable-grad",
        """\
        import torch
        import torch.nn as nn
        from utils.torch_utils import smart_inference_mode

        def no_grad_when(flag):
            def decorate(fn):
                return torch.no_grad()(fn) if flag else fn
            return decorate

        model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1))

        @smart_inference_mode()
        def run(loader):
            model.eval()
            for x in loader:
                model(x)

        @no_grad_when(True)
        def run_local(loader):
            model.eval()
            for x in loader:
                model(x)
        """,
    ),
    case(
        "eval-mode-kept-on-purpose-with-losses-accumulated-in-an-inner-loop",
        """\
        import torch
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        net.eval()  # frozen batch-norm statistics while fine-tuning
        for step in range(10):
            losses = []
            for _ in range(4):
                losses.append(net(torch.randn(8, 4)).pow(2).mean().view(1))
            opt.zero_grad()
            torch.cat(losses).mean().backward()
            opt.step()
        """,
    ),
    case(
        "evaluation-loop-under-no-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 2))
        x_test, y_test = torch.randn(128, 20), torch.randint(0, 2, (128,))
        model.eval()
        correct = 0
        with torch.no_grad():
            for start in range(0, len(x_test), 32):
                out = model(x_test[start:start + 32])
                correct += (out.argmax(dim=1) == y_test[start:start + 32]).sum().item()
        """,
    ),
    case(
        "evaluation-loop-under-inference-mode",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        model.eval()
        with torch.inference_mode():
            for xb in torch.randn(3, 5, 4):
                preds = model(xb).argmax(dim=1)
        """,
    ),
    case(
        "no-grad-decorated-evaluate-function",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)


        @torch.no_grad()
        def evaluate(loader):
            model.eval()
            correct = 0
            for x, y in loader:
                correct += (model(x).argmax(1) == y).sum().item()
            return correct


        evaluate([(torch.randn(2, 4), torch.tensor([0, 1]))])
        """,
    ),
    case(
        "helper-called-inside-no-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)


        def run_eval(batches):
            model.eval()
            return [model(b).argmax(1) for b in batches] + [model(b).max() for b in batches[:1]]


        def score(batches):
            model.eval()
            for b in batches:
                print(model(b).softmax(-1))


        with torch.no_grad():
            run_eval([torch.randn(2, 4)])
            score([torch.randn(2, 4)])
        """,
    ),
    case(
        "trainer-validate-decorated-with-inference-mode",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(10, 3)

            @torch.inference_mode()
            def validate(self, loader):
                self.model.eval()
                for x, y in loader:
                    out = self.model(x)
                    print((out.argmax(1) == y).float().mean().item())


        Trainer().validate([(torch.randn(4, 10), torch.randint(0, 3, (4,)))])
        """,
    ),
    case(
        "eval-mode-fine-tuning-with-frozen-batchnorm",
        """\
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        model.eval()
        for xb in torch.randn(3, 8, 4):
            optimizer.zero_grad()
            loss = model(xb).pow(2).mean()
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "saliency-under-eval-needs-gradients",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(6, 3)
        model.eval()
        maps = []
        for img in torch.randn(4, 1, 6):
            img.requires_grad_()
            model(img)[0, 1].backward()
            maps.append(img.grad.abs())
        """,
    ),
    case(
        "back-to-train-mode-before-the-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        model.eval()
        with torch.no_grad():
            baseline = model(torch.randn(8, 4)).mean()
        model.train()
        for xb in torch.randn(3, 8, 4):
            optimizer.zero_grad()
            model(xb).pow(2).mean().backward()
            optimizer.step()
        """,
    ),
    case(
        "frozen-feature-extractor-in-eval-mode",
        """\
        import torch
        import torch.nn as nn

        backbone = nn.Sequential(nn.Linear(8, 8), nn.ReLU())
        backbone.requires_grad_(False)
        backbone.eval()
        feats = []
        for xb in torch.randn(4, 2, 8):
            feats.append(backbone(xb))
        """,
    ),
    case(
        "set-grad-enabled-false-before-the-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        model.eval()
        torch.set_grad_enabled(False)
        for xb in torch.randn(3, 5, 4):
            print(model(xb).argmax(1))
        torch.set_grad_enabled(True)
        """,
    ),
    case(
        "lightning-validation-step-hook",
        """\
        import torch
        import torch.nn as nn
        import lightning.pytorch as pl


        class Model(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.net = nn.Linear(4, 2)

            def validation_step(self, batch, batch_idx):
                self.net.eval()
                for x in batch:
                    self.log("val", self.net(x).mean())
        """,
    ),
    case(
        "no-grad-set-up-by-a-contextmanager-helper",
        """\
        import contextlib

        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)


        @contextlib.contextmanager
        def frozen():
            with torch.no_grad():
                yield


        model.eval()
        with frozen():
            for xb in torch.randn(3, 2, 4):
                print(model(xb).argmax(1))
        """,
    ),
    case(
        "evaluate-called-under-no-grad-from-a-later-function",
        """\
        import torch
        import torch.nn as nn


        def evaluate(model, loader):
            model.eval()
            correct = 0
            for x, y in loader:
                correct += (model(x).argmax(1) == y).sum().item()
            return correct


        def main():
            model = nn.Linear(4, 2)
            loader = [(torch.randn(2, 4), torch.tensor([0, 1]))]
            with torch.no_grad():
                print(evaluate(model, loader))


        if __name__ == "__main__":
            main()
        """,
    ),
    case(
        "sample-step-called-now-and-then-from-a-training-loop-of-an-imported-model",
        """\
        import torch
        from models import InpaintingModel


        class Runner:
            def __init__(self, config, loader):
                self.model = InpaintingModel(config).cuda()
                self.loader = loader

            def train(self):
                for step, (images, masks) in enumerate(self.loader):
                    self.model.train()
                    outputs, gen_loss, dis_loss = self.model.process(images, masks)
                    self.model.backward(gen_loss, dis_loss)
                    if step % 1000 == 0:
                        self.sample(images, masks)

            def sample(self, images, masks):
                self.model.eval()
                outputs = self.model(images, masks)
                torch.save(outputs * masks + images * (1 - masks), "sample.pt")
        """,
    ),
    case(
        "class-with-a-forward-method-on-a-plain-base-is-not-a-module",
        """\
        import abc
        import torch.nn as nn
        from runners import Runner


        class Wrapper(object):
            def __init__(self):
                self.net = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))

            def forward(self, x):
                return self.net(x)

            def __call__(self, x):
                return self.forward(x)

            def eval(self):
                return self


        class Interface(abc.ABC):
            def __init__(self):
                self.net = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))

            def forward(self, x):
                return self.net(x)

            def __call__(self, x):
                return self.forward(x)

            def eval(self):
                return self


        class Step(Runner):
            @staticmethod
            def forward(ctx, x):
                return x


        def evaluate(loader):
            total = 0.0
            model = Wrapper()
            model.eval()
            for x in loader:
                total += model(x).sum().item()
            other = Interface()
            other.eval()
            for x in loader:
                total += other(x).sum().item()
            return total
        """,
    ),
    case(
        # pythae trainers: evaluated under no_grad, retried with gradients only when that raises
        # (a model whose forward needs autograd): the retry's gradients are wanted
        "retry-with-gradients-after-a-no-grad-attempt-raised",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self, model, loader):
                self.model = model
                self.loader = loader

            def eval_step(self):
                self.model.eval()
                total = 0.0
                for x in self.loader:
                    try:
                        with torch.no_grad():
                            out = self.model(x)
                    except RuntimeError:
                        out = self.model(x)
                    total += out.sum().item()
                return total


        trainer = Trainer(nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1)), [torch.randn(2, 4)])
        trainer.eval_step()
        """,
    ),
    case(
        # DomainBed algorithms.py: the loop differentiates its eval-mode forward through a local helper
        "eval-forward-differentiated-by-a-local-hessian-vector-helper",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch import autograd


        def influence(model, batch, v):
            def hvp(y, w, v):
                first = autograd.grad(y, w, retain_graph=True, create_graph=True)[0]
                return autograd.grad((first * v).sum(), w)[0]

            model.eval()
            estimate = v
            for i in range(10):
                y = model(batch[0])
                loss = F.cross_entropy(y, batch[1])
                v = v - hvp(loss, model.weight, v)
                estimate = (v + estimate).detach()
            return estimate


        influence(nn.Linear(4, 3), (torch.randn(5, 4), torch.randint(0, 3, (5,))), torch.zeros(3, 4))
        """,
    ),
    case(
        # SPADE test.py: forward(data, mode="inference") generates under its own no_grad
        "model-whose-forward-runs-under-its-own-no-grad",
        """\
        import torch
        import torch.nn as nn


        class Pix2Pix(nn.Module):
            def __init__(self):
                super().__init__()
                self.netG = nn.Linear(4, 4)

            def forward(self, data):
                with torch.no_grad():
                    fake = self.netG(data)
                return fake


        model = Pix2Pix()
        model.eval()
        outs = []
        for data in [torch.randn(2, 4) for _ in range(3)]:
            outs.append(model(data).numpy())
        """,
    ),
    case(
        # fairseq speaker_embedder: a frozen feature extractor, frozen through the CycleGAN-style
        # helper that wraps a single module into a list before looping over it
        "frozen-by-a-helper-that-wraps-one-module-in-a-list",
        TOGGLE_GRAD
        + """\


        class Embedder(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = nn.Linear(4, 4)
                self.encoder.eval()
                toggle_grad(self.encoder, requires_grad=False)

            def forward(self, chunks):
                outs = []
                for chunk in chunks:
                    outs += [self.encoder(chunk)]
                return torch.stack(outs).mean(0)
        """,
    ),
    case(
        "frozen-by-a-helper-given-a-list-of-models",
        """\
        import torch
        import torch.nn as nn


        def toggle_grad(nets, requires_grad=False):
            for net in nets:
                for param in net.parameters():
                    param.requires_grad = requires_grad


        scorer = nn.Linear(4, 1)
        ranker = nn.Linear(4, 1)
        toggle_grad([scorer, ranker], False)
        scorer.eval()
        scores = []
        for batch in torch.randn(5, 3, 4):
            scores.append(scorer(batch).mean().item())
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
