"""GRD503 numpy-on-grad-tensor: .numpy() on a grad tensor without .detach().

Every snippet is a complete program. In positives, each line the rule must report
carries a ``# expect: GRD503`` marker, and the expected line numbers are also
spelled out in the parameters (the two are checked against each other).
"""

from snippets import case_maker, rule_tests

CODE = "GRD503"
case = case_maker(CODE)

#: a training loop that keeps each loss with its graph in a list
LOSS_HISTORY = """\
import numpy as np
import torch
import torch.nn as nn

model = nn.Linear(3, 1)
losses = []
for step in range(3):
    loss = model(torch.randn(4, 3)).pow(2).mean()
    loss.backward()
    losses.append(loss)
"""


# a model whose predict() hands its output to a helper that converts it to numpy
TAGGER = """\
        import torch
        import torch.nn as nn
        {imports}

        class Tagger({base}):
            def __init__(self):
                super().__init__()
                self.head = nn.Linear(8, 4)

            def forward(self, x, mode="tensor"):
                if mode == "predict":
                    return self.predict(x)
                return self.head(x)

            def predict(self, x):
                return self.tags(self.head(x))

            def tags(self, logits):
                return torch.sigmoid(logits).cpu().numpy(){mark}
"""

POSITIVES = [
    case(
        "losses-plotted-on-axes-of-subplots",
        # Lofi (issue #14): axs[0, 0].plot(epochs, train_losses) raises like plt.plot (checked with
        # matplotlib 3.11)
        """\
        import matplotlib.pyplot as plot
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        losses = []
        for step in range(3):
            loss = model(torch.randn(2, 4)).pow(2).mean()
            loss.backward()
            losses.append(loss)
        fig, axs = plot.subplots(2, 2)
        axs[0, 0].plot(range(3), losses)  # expect: GRD503
        ax = plot.figure().add_subplot(111)
        ax.semilogy(losses)  # expect: GRD503
        """,
        [12, 14],
    ),
    case(
        "losses-kept-in-a-dict-of-lists-then-plotted",
        """\
        import numpy as np
        import matplotlib.pyplot as plt
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        history = {"train": [], "val": []}
        for step in range(3):
            opt.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            opt.step()
            history["train"].append(loss)
            history["val"].append(loss.item())
        plt.plot(history["train"])  # expect: GRD503
        print(np.mean(history["val"]))
        """,
        [16],
    ),
    case(
        "values-of-max-with-dim",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 3)
        score = model(torch.randn(2, 4))
        best = score.max(1)[0].numpy()  # expect: GRD503
        values, order = torch.sort(score)
        ranked = values.numpy()  # expect: GRD503
        pairwise = torch.max(score, torch.zeros(2, 3)).numpy()  # expect: GRD503
        """,
        [6, 8, 9],
    ),
    case(
        "model-output-to-numpy",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        preds = model(torch.randn(8, 4)).numpy()  # expect: GRD503
        """,
        [5],
    ),
    case(
        "cpu-then-numpy-without-detach",
        """\
        import torch
        from torch import nn

        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        out = net(torch.randn(3, 4))
        arr = out.cpu().numpy()  # expect: GRD503
        """,
        [6],
    ),
    case(
        "leaf-with-requires-grad-to-numpy",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        print(w.numpy())  # expect: GRD503
        """,
        [4],
    ),
    case(
        "loss-to-numpy-in-training-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        history = []
        for step in range(3):
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
            history.append(loss.numpy())  # expect: GRD503
        """,
        [12],
    ),
    case(
        "alias-T-parameter-to-numpy",
        """\
        import numpy as np
        import torch as T

        fc = T.nn.Linear(3, 3)
        np.save("weights.npy", fc.weight.numpy())  # expect: GRD503
        """,
        [5],
    ),
    case(
        "module-parameter-attribute-in-method",
        """\
        import torch
        import torch.nn as nn


        class Embedder(nn.Module):
            def __init__(self):
                super().__init__()
                self.table = nn.Parameter(torch.randn(10, 4))

            def forward(self, idx):
                return self.table[idx]

            def export(self):
                return self.table.numpy()  # expect: GRD503


        Embedder().export()
        """,
        [14],
    ),
    case(
        "trainer-predict-method",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(6, 2)

            def predict(self, x):
                probs = torch.softmax(self.model(x), dim=-1)
                return probs.squeeze(0).numpy()  # expect: GRD503


        Trainer().predict(torch.randn(1, 6))
        """,
        [11],
    ),
    case(
        "parameters-loop-to-numpy",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(3, 2)
        arrays = {}
        for name, p in model.named_parameters():
            arrays[name] = p.numpy()  # expect: GRD503
        """,
        [7],
    ),
    case(
        "embedding-computed-in-function",
        """\
        import torch
        import torch.nn as nn

        encoder = nn.Linear(16, 4)


        def embed(batch):
            z = encoder(batch)
            z = z / z.norm(dim=1, keepdim=True)
            return z.numpy()  # expect: GRD503


        embed(torch.randn(5, 16))
        """,
        [10],
    ),
    case(
        "no-grad-block-ended-before-numpy",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        x = torch.randn(3, 4)
        with torch.no_grad():
            reference = model(x)
        out = model(x)
        print(reference.numpy(), out.numpy())  # expect: GRD503
        """,
        [9],
    ),
    case(
        "np-mean-of-a-list-of-losses",
        LOSS_HISTORY + "print(np.mean(losses))  # expect: GRD503\n",
        [11],
    ),
    case(
        "np-array-of-a-list-of-losses",
        LOSS_HISTORY + "history = np.array(losses)  # expect: GRD503\n",
        [11],
    ),
    case(
        "ufunc-on-a-model-output",
        LOSS_HISTORY + "np.log(model(torch.randn(2, 3)))  # expect: GRD503\n",
        [11],
    ),
    case(
        "np-float32-of-a-loss",
        LOSS_HISTORY + "value = np.float32(losses[0])  # expect: GRD503\n",
        [11],
    ),
    case(
        "np-stack-of-a-list",
        LOSS_HISTORY + "stacked = np.stack(losses)  # expect: GRD503\n",
        [11],
    ),
    case(
        "pyplot-plot-of-losses",
        """\
        import matplotlib.pyplot as plt
        import torch

        w = torch.randn(3, requires_grad=True)
        curve = [(w * t).sum() for t in range(5)]
        plt.plot(curve)  # expect: GRD503
        """,
        [6],
    ),
    case(
        "float-accumulated-loss-to-numpy-after-the-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        total = 0.0
        for step in range(3):
            total += model(torch.randn(8, 4)).pow(2).mean()
        total.backward()
        print(total.numpy())  # expect: GRD503
        """,
        [9],
    ),
    case(
        # a field the training step of the same file stores and reads back with grad on
        "field-stored-by-a-method-other-than-forward",
        """\
        import torch
        import torch.nn as nn


        class Probe(nn.Module):
            def __init__(self):
                super().__init__()
                self.selector = nn.Linear(4, 3)
                self.stats = dict([])

            def record(self, x):
                self.stats = {"p": torch.softmax(self.selector(x), dim=-1)}

            def report(self):
                return self.stats.get("p").mean(dim=0).numpy()  # expect: GRD503
        """,
        [15],
    ),
    case(
        # the same model on a plain nn.Module: nothing runs predict() without gradients
        "predict-of-a-plain-module-and-its-helper",
        TAGGER.format(imports="", base="nn.Module", mark="  # expect: GRD503"),
        [19],
    ),
    case(
        # an mmengine model's other methods run with gradients (its loss() trains)
        "loss-of-an-mmengine-model",
        """\
        import torch
        import torch.nn as nn
        from mmengine.model import BaseModel


        class Tagger(BaseModel):
            def __init__(self):
                super().__init__()
                self.head = nn.Linear(8, 4)

            def loss(self, x):
                probs = torch.sigmoid(self.head(x))
                print(probs.numpy().mean())  # expect: GRD503
                return probs.sum()
        """,
        [13],
    ),
]


NEGATIVES = [
    case(
        "item-losses-plotted-on-axes-of-subplots",
        """\
        import matplotlib.pyplot as plt
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        losses = []
        for step in range(3):
            loss = model(torch.randn(2, 4)).pow(2).mean()
            loss.backward()
            losses.append(loss.item())
        fig, axs = plt.subplots(1, 2)
        axs[0].plot(losses)
        axs[1].set_title(str(losses[-1]))
        plt.gca().plot([l * 2 for l in losses])
        """,
    ),
    case(
        "indices-of-max-sort-topk",
        # (values, indices) reductions: the indices are integers and never require grad
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 3)
        score = model(torch.randn(2, 4))
        a = score.max(1)[1].numpy()
        _, pred = score.max(dim=1)
        b = pred.cpu().numpy()
        c = torch.max(score, 1)[1].numpy()
        d = score.topk(2)[1].numpy()
        e = torch.sort(score, dim=1)[1].numpy()
        """,
    ),
    case(
        "data-of-the-output-of-a-model-of-unknown-class",
        # pytorch-fcn's Trainer: self.model is a constructor argument (its class unknown, its output
        # maybe a tuple); `.data` of it is still detached, `.max(1)[1]` still integer indices
        """\
        class Trainer(object):
            def __init__(self, model, loader):
                self.model = model
                self.loader = loader

            def train_epoch(self):
                self.model.train()
                for data, target in self.loader:
                    score = self.model(data)
                    lbl_pred = score.data.max(1)[1].cpu().numpy()[:, :, :]
                    probs = score.data.cpu().numpy()
        """,
    ),
    case(
        "detach-cpu-numpy",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        out = model(torch.randn(8, 4))
        preds = out.detach().cpu().numpy()
        weights = model.weight.detach().numpy()
        """,
    ),
    case(
        "numpy-under-no-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        with torch.no_grad():
            out = model(torch.randn(8, 4))
            arr = out.numpy()
        print(arr, out.numpy())
        """,
    ),
    case(
        "numpy-under-inference-mode-evaluation-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        model.eval()
        results = []
        with torch.inference_mode():
            for xb in torch.randn(3, 8, 4):
                results.append(model(xb).numpy())
        """,
    ),
    case(
        "no-grad-decorated-predict-function",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(6, 2)


        @torch.no_grad()
        def predict(x):
            return torch.softmax(model(x), dim=-1).numpy()


        predict(torch.randn(2, 6))
        """,
    ),
    case(
        "tensors-that-never-required-grad",
        """\
        import torch

        x = torch.randn(10, 3)
        y = (x ** 2).sum(dim=1)
        labels = torch.randint(0, 2, (10,))
        print(x.numpy(), y.numpy(), labels.numpy())
        """,
    ),
    case(
        "grad-attribute-and-argmax-to-numpy",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 3)
        out = model(torch.randn(5, 4))
        out.sum().backward()
        grads = model.weight.grad.numpy()
        classes = out.argmax(dim=1).numpy()
        """,
    ),
    case(
        "data-attribute-to-numpy",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 3)
        out = model(torch.randn(5, 4))
        arr = out.data.numpy()
        bias = model.bias.data.cpu().numpy()
        """,
    ),
    case(
        "frozen-parameter-to-numpy",
        """\
        import torch
        import torch.nn as nn

        table = nn.Parameter(torch.randn(10, 4), requires_grad=False)
        codebook = torch.randn(8, 2, requires_grad=True)
        codebook.requires_grad_(False)
        print(table.numpy(), codebook.numpy())
        """,
    ),
    case(
        "numpy-array-method-not-a-tensor",
        """\
        import numpy as np
        import torch

        arr = np.linspace(0.0, 1.0, 4)
        values = np.asarray(arr).copy()
        t = torch.from_numpy(values)
        print(t.numpy())
        """,
    ),
    case(
        "eval-helper-called-under-no-grad",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)


        def collect(batches):
            return [model(b).numpy() for b in batches]


        with torch.no_grad():
            collect([torch.randn(2, 4)])
        """,
    ),
    case(
        "set-grad-enabled-false-statement",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        torch.set_grad_enabled(False)
        out = model(torch.randn(3, 4))
        print(out.numpy())
        torch.set_grad_enabled(True)
        """,
    ),
    case(
        "module-frozen-before-export",
        """\
        import torch
        import torch.nn as nn

        fc = nn.Linear(3, 3)
        fc.requires_grad_(False)
        print(fc.weight.numpy(), fc(torch.randn(2, 3)).numpy())
        """,
    ),
    case(
        "lightning-validation-step-runs-without-grad",
        """\
        import torch
        import torch.nn as nn
        import lightning.pytorch as pl


        class Model(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x)

            def validation_step(self, batch, batch_idx):
                x, y = batch
                preds = self(x).argmax(dim=1)
                self.scores = self.fc(x).softmax(dim=1).numpy()
                return preds
        """,
    ),
    case(
        "np-mean-of-a-bare-tensor-raises-a-type-error-instead",
        LOSS_HISTORY + "np.mean(model(torch.randn(2, 3)))\n",
    ),
    case(
        "losses-kept-as-numbers",
        LOSS_HISTORY + "print(np.mean([l.item() for l in losses]))\n",
    ),
    case(
        "detached-before-numpy",
        LOSS_HISTORY + "np.log(model(torch.randn(2, 3)).detach())\n",
    ),
    case(
        "numpy-on-data-tensors",
        """\
        import numpy as np
        import torch

        x = torch.randn(4, 3)
        print(np.array(x), np.mean([x.sum(), x.mean()]))
        """,
    ),
    case(
        "under-no-grad",
        """\
        import numpy as np
        import torch
        import torch.nn as nn

        model = nn.Linear(3, 1)
        with torch.no_grad():
            print(np.array(model(torch.randn(2, 3))))
        """,
    ),
    case(
        "float-accumulated-items-to-numpy-after-the-loop",
        """\
        import numpy as np
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        total = 0.0
        for step in range(3):
            total += model(torch.randn(8, 4)).pow(2).mean().item()
        print(np.float32(total))
        """,
    ),
    case(
        # neuralforecast tft.py: forward() keeps its variable-selection weights on self; which call
        # ran last (a training one with grad, or a prediction under no_grad) is not known
        "weights-forward-left-on-self-read-by-another-method",
        """\
        import torch
        import torch.nn as nn
        from base import BaseModel


        class Fusion(BaseModel):
            def __init__(self):
                super().__init__()
                self.selector = nn.Linear(4, 3)
                self.head = nn.Linear(4, 1)
                self.weights = dict([])

            def forward(self, batch):
                x = batch["x"]
                weights = torch.softmax(self.selector(x), dim=-1)
                self.weights = {"history": weights}
                return self.head(x)

            def mean_on_batch(self, tensor):
                return tensor.mean(dim=0)

            def feature_importances(self):
                history = self.weights.get("history")
                return self.mean_on_batch(history).cpu().numpy()
        """,
    ),
    case(
        # SPADE pix2pix_model.py: forward generates under its own no_grad
        "output-of-a-forward-that-runs-under-its-own-no-grad",
        """\
        import torch
        import torch.nn as nn


        class Pix2Pix(nn.Module):
            def __init__(self):
                super().__init__()
                self.netG = nn.Linear(4, 4)

            def forward(self, data, mode):
                if mode == "inference":
                    with torch.no_grad():
                        fake = self.netG(data)
                    return fake
                raise ValueError("bad mode")


        model = Pix2Pix()
        generated = model(torch.randn(2, 4), mode="inference")
        print(generated.numpy())
        """,
    ),
    case(
        # mmpretrain ram.py / clip.py: mmengine's val and test loops run predict() (forward(mode="predict"))
        # under @torch.no_grad(), and the helpers it calls with it
        "predict-of-an-mmengine-model-and-its-helpers",
        TAGGER.format(imports="from mmengine.model import BaseModel\n", base="BaseModel", mark=""),
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)


def test_the_fix_asks_for_cpu_only_where_the_tensor_may_be_on_a_gpu():
    from gradlint.engine import lint_bytes
    from gradlint.rules import ALL_RULES

    source = "import torch\n\nw = torch.randn(3, requires_grad=True)\nprint(w.numpy())\nprint((w * 2).cpu().numpy())\n"
    rules = [rule for rule in ALL_RULES if rule.code == CODE]
    messages = [f.message for f in lint_bytes(source.encode(), "t.py", rules)]
    assert len(messages) == 2
    assert messages[0].endswith("Use `w.detach().numpy()` (add `.cpu()` for a GPU tensor).")
    assert messages[1].endswith("Use `(w * 2).cpu().detach().numpy()`.")
