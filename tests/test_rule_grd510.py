"""GRD510 eval-mode-not-restored: model.eval() in a training loop, never undone before the next training forward."""

from textwrap import dedent

from snippets import case_maker, rule_tests

CODE = "GRD510"
case = case_maker(CODE)

SETUP = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
batches = [(torch.randn(8, 4), torch.randint(0, 2, (8,))) for _ in range(4)]
"""

POSITIVES = [
    case(
        "closures-of-a-main-that-the-module-calls",
        # main() runs at the end of the file: its closures are walked once main's names are all
        # bound (texar-pytorch examples/bert/bert_classifier_main.py, issue #310); the optimizer is
        # a library class the analysis does not know, stepped and cleared in the closure
        """\
        import torch
        import texar.torch as tx


        def main():
            model = tx.modules.BERTClassifier(pretrained_model_name="bert-base-uncased")
            optim = tx.core.BertAdam(model.parameters(), lr=2e-5)
            scheduler = torch.optim.lr_scheduler.LambdaLR(optim, lambda step: 1.0)
            iterator = tx.data.DataIterator({})

            def _train_epoch():
                model.train()
                for step, batch in enumerate(iterator):
                    optim.zero_grad()
                    logits, _ = model(batch["input_ids"])
                    loss = torch.nn.functional.cross_entropy(logits, batch["label_ids"])
                    loss.backward()
                    optim.step()
                    scheduler.step()
                    if step % 100 == 0:
                        _eval_epoch()

            @torch.no_grad()
            def _eval_epoch():
                model.eval()  # expect: GRD510
                for batch in iterator:
                    logits, preds = model(batch["input_ids"])

            for _ in range(3):
                _train_epoch()


        if __name__ == "__main__":
            main()
        """,
        [25],
    ),
    case(
        "model-of-a-missing-module-known-from-its-optimizer",
        """\
        import torch
        import torch.nn as nn
        from models import Net
        from data import train_loader, val_loader

        model = Net().to("cuda")
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.Adam(params=model.parameters(), lr=1e-3)
        for epoch in range(10):
            for x, y in train_loader:
                optimizer.zero_grad()
                criterion(model(x), y).backward()
                optimizer.step()
            model.eval()  # expect: GRD510
            with torch.no_grad():
                correct = sum((model(x).argmax(1) == y).sum().item() for x, y in val_loader)
        """,
        [14],
    ),
    case(
        "trainer-validates-inside-its-batch-loop-with-an-optimizer-passed-in",
        """\
        import torch

        class Trainer:
            def __init__(self, model, optimizer, train_loader, val_loader):
                self.model = model
                self.optim = optimizer
                self.train_loader = train_loader
                self.val_loader = val_loader

            def validate(self):
                self.model.eval()  # expect: GRD510
                with torch.no_grad():
                    for data, target in self.val_loader:
                        self.model(data)

            def train_epoch(self):
                self.model.train()
                for batch_idx, (data, target) in enumerate(self.train_loader):
                    if batch_idx % 100 == 0:
                        self.validate()
                    self.optim.zero_grad()
                    loss = torch.nn.functional.cross_entropy(self.model(data), target)
                    loss.backward()
                    self.optim.step()
        """,
        [11],
    ),
    case(
        "test-function-switches-the-global-model-each-epoch",
        SETUP
        + dedent("""\
        def test():
            model.eval()  # expect: GRD510
            with torch.no_grad():
                return sum(F.cross_entropy(model(x), y).item() for x, y in batches)

        model.train()
        for epoch in range(5):
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            print(test())
        """),
        [9],
    ),
    case(
        "closure-defined-after-the-training-closure-switches-the-model",
        """\
        import torch
        import torch.nn as nn

        def main():
            model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 2))
            optim = torch.optim.Adam(model.parameters())

            def train_epoch():
                model.train()
                for step in range(10):
                    optim.zero_grad()
                    model(torch.randn(2, 4)).sum().backward()
                    optim.step()
                    if step % 5 == 0:
                        eval_epoch()

            @torch.no_grad()
            def eval_epoch():
                model.eval()  # expect: GRD510
                for _ in range(3):
                    model(torch.randn(2, 4))

            for epoch in range(3):
                train_epoch()
        """,
        [19],
    ),
    case(
        "periodic-validation-under-a-condition-in-the-step-loop",
        SETUP
        + dedent("""\
        model.train()
        for step, (x, y) in enumerate(batches * 50):
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
            if step % 10 == 0:
                model.eval()  # expect: GRD510
                with torch.no_grad():
                    print(F.cross_entropy(model(x), y).item())
        """),
        [14],
    ),
    case(
        "optimizer-class-chosen-at-run-time",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.optim as optim

        def objective(name, batches):
            model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 2))
            optimizer = getattr(optim, name)(model.parameters(), lr=1e-3)
            model.train()
            for epoch in range(3):
                for x, y in batches:
                    optimizer.zero_grad()
                    F.cross_entropy(model(x), y).backward()
                    optimizer.step()
                model.eval()  # expect: GRD510
                with torch.no_grad():
                    print(sum(F.cross_entropy(model(x), y).item() for x, y in batches))
        """,
        [15],
    ),
    case(
        "validation-helper-called-at-the-end-of-each-epoch",
        SETUP
        + dedent("""\
        def validate(net):
            net.eval()  # expect: GRD510
            with torch.no_grad():
                return sum(F.cross_entropy(net(x), y).item() for x, y in batches)

        model.train()
        for epoch in range(5):
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            print(validate(model))
        """),
        [9],
    ),
    case(
        "validation-at-the-end-of-each-epoch",
        SETUP
        + dedent("""\
        for epoch in range(5):
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            model.eval()  # expect: GRD510
            with torch.no_grad():
                accuracy = (model(batches[0][0]).argmax(1) == batches[0][1]).float().mean()
        """),
        [13],
    ),
    case(
        "train-called-once-before-the-epochs",
        SETUP
        + dedent("""\
        model.train()
        for epoch in range(5):
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            model.eval()  # expect: GRD510
        """),
        [14],
    ),
    case(
        "train-false-instead-of-eval",
        SETUP
        + dedent("""\
        for epoch in range(5):
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            model.train(False)  # expect: GRD510
        """),
        [13],
    ),
    case(
        "while-loop-over-epochs",
        SETUP
        + dedent("""\
        epoch = 0
        while epoch < 3:
            for x, y in batches:
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
            model.eval()  # expect: GRD510
            epoch += 1
        """),
        [15],
    ),
    case(
        "trainer-class-attributes",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
                self.optimizer = torch.optim.Adam(self.model.parameters())

            def fit(self, loader, val_x, epochs):
                for epoch in range(epochs):
                    for x, y in loader:
                        self.optimizer.zero_grad()
                        loss = ((self.model(x) - y) ** 2).mean()
                        loss.backward()
                        self.optimizer.step()
                    self.model.eval()  # expect: GRD510
                    with torch.no_grad():
                        print(self.model(val_x).mean())
        """,
        [17],
    ),
    case(
        "validation-loop-inline-under-no-grad",
        SETUP
        + dedent("""\
        for epoch in range(5):
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            with torch.no_grad():
                model.eval()  # expect: GRD510
                for x, y in batches:
                    print(F.cross_entropy(model(x), y).item())
        """),
        [14],
    ),
    case(
        "single-loop-one-batch-per-epoch",
        SETUP
        + dedent("""\
        x, y = batches[0]
        for epoch in range(100):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            if epoch % 10 == 0:
                print(loss.item())
            model.eval()  # expect: GRD510
            with torch.no_grad():
                val = model(x)
        """),
        [16],
    ),
    case(
        "only-the-generator-is-switched-back",
        """\
        import torch
        import torch.nn as nn

        G = nn.Sequential(nn.Linear(2, 4), nn.Dropout(0.1))
        D = nn.Sequential(nn.Linear(4, 1), nn.Dropout(0.1))
        opt_d = torch.optim.Adam(D.parameters())
        for epoch in range(3):
            G.train()
            opt_d.zero_grad()
            d_loss = D(G(torch.randn(8, 2)).detach()).mean()
            d_loss.backward()
            opt_d.step()
            G.eval()
            D.eval()  # expect: GRD510
        """,
        [14],
    ),
    case(
        "epoch-loop-of-train-and-test-functions-where-only-test-sets-a-mode",
        """\
        import torch
        import torch.nn as nn


        def train(model, criterion, optimizer, loader):
            for x, y in loader:
                loss = criterion(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()


        def test(model, loader):
            model.eval()  # expect: GRD510
            correct = 0
            for x, y in loader:
                correct += (model(x).argmax(1) == y).sum().item()
            return correct


        model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = [(torch.randn(3, 4), torch.tensor([0, 1, 0]))]
        for epoch in range(3):
            train(model, criterion, optimizer, loader)
            with torch.no_grad():
                print(test(model, loader))
        """,
        [14],
    ),
    case(
        "train-and-test-functions-hand-the-same-model-back",
        """\
        import torch
        import torch.nn as nn


        def train(model, criterion, optimizer, loader):
            for x, y in loader:
                loss = criterion(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            return model, optimizer, loss.item()


        def test(model, loader):
            model.eval()  # expect: GRD510
            total = 0.0
            for x, y in loader:
                total += model(x).sum().item()
            return model, total


        def accuracy(model, loader):
            model.eval()
            return sum((model(x).argmax(1) == y).sum().item() for x, y in loader)


        model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = [(torch.randn(3, 4), torch.tensor([0, 1, 0]))]
        for epoch in range(3):
            model, optimizer, train_loss = train(model, criterion, optimizer, loader)
            with torch.no_grad():
                model, test_loss = test(model, loader)
                print(accuracy(model, loader))
        """,
        [15],
    ),
    # the switch inside a helper is reported at the helper's own `model.eval()` (the line to fix, or to
    # follow with `model.train()`), once, however many training loops call the helper
    case(
        "one-evaluation-helper-called-by-two-training-loops",
        SETUP
        + dedent("""\
        def evaluate(net):
            net.eval()  # expect: GRD510
            with torch.no_grad():
                return sum(F.cross_entropy(net(x), y).item() for x, y in batches)


        def pretrain(model, epochs):
            for epoch in range(epochs):
                for x, y in batches:
                    optimizer.zero_grad()
                    F.cross_entropy(model(x), y).backward()
                    optimizer.step()
                print(evaluate(model))


        def finetune(model, epochs):
            for epoch in range(epochs):
                for x, y in batches:
                    optimizer.zero_grad()
                    (F.cross_entropy(model(x), y) * 0.5).backward()
                    optimizer.step()
                print(evaluate(model))


        pretrain(model, 2)
        finetune(model, 2)
        """),
        [9],
    ),
    case(
        "quickstart-test-function-called-after-train-each-epoch",
        # pytorch/tutorials#1624: test() calls model.eval(); train() never calls model.train()
        SETUP
        + dedent("""\
        def train(loader, model, optimizer):
            for x, y in loader:
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()


        def test(loader, model):
            model.eval()  # expect: GRD510
            with torch.no_grad():
                return sum(F.cross_entropy(model(x), y).item() for x, y in loader)


        for t in range(5):
            train(batches, model, optimizer)
            test(batches, model)
        """),
        [17],
    ),
]


NEGATIVES = [
    case(
        "closures-of-a-main-that-the-module-calls-put-the-model-back",
        # the upstream fix: model.train() after the periodic evaluation
        """\
        import torch
        import texar.torch as tx


        def main():
            model = tx.modules.BERTClassifier(pretrained_model_name="bert-base-uncased")
            optim = tx.core.BertAdam(model.parameters(), lr=2e-5)
            iterator = tx.data.DataIterator({})

            def _train_epoch():
                model.train()
                for step, batch in enumerate(iterator):
                    optim.zero_grad()
                    logits, _ = model(batch["input_ids"])
                    loss = torch.nn.functional.cross_entropy(logits, batch["label_ids"])
                    loss.backward()
                    optim.step()
                    if step % 100 == 0:
                        _eval_epoch()
                        model.train()

            @torch.no_grad()
            def _eval_epoch():
                model.eval()
                for batch in iterator:
                    logits, preds = model(batch["input_ids"])

            for _ in range(3):
                _train_epoch()


        main()
        """,
    ),
    case(
        "checkpoint-in-eval-mode-on-the-cpu-then-back-to-training-in-one-chain",
        SETUP
        + dedent("""\
        for epoch in range(3):
            model.train()
            for batch_id, (x, y) in enumerate(batches):
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
                if (batch_id + 1) % 2 == 0:
                    model.eval().cpu()
                    torch.save(model.state_dict(), "ckpt.pth")
                    model.to("cpu").train()
        """),
    ),
    case(
        "distillation-keeps-the-teacher-in-eval-with-an-optimizer-passed-in",
        """\
        import torch

        class Distiller:
            def __init__(self, student, teacher, optimizer, loader):
                self.student = student
                self.teacher = teacher
                self.optim = optimizer
                self.loader = loader

            def freeze_teacher(self):
                self.teacher.eval()

            def train_epoch(self):
                self.student.train()
                for step, (data, target) in enumerate(self.loader):
                    if step % 100 == 0:
                        self.freeze_teacher()
                    self.optim.zero_grad()
                    soft = self.teacher(data)
                    loss = (self.student(data) - soft).pow(2).mean()
                    loss.backward()
                    self.optim.step()
        """,
    ),
    case(
        "test-function-switches-a-global-teacher-or-restores-the-model",
        SETUP
        + dedent("""\
        teacher = nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.1))

        def test():
            model.eval()
            with torch.no_grad():
                score = sum(F.cross_entropy(model(x), y).item() for x, y in batches)
            model.train()
            return score

        def freeze_teacher():
            teacher.eval()

        model.train()
        for epoch in range(5):
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            freeze_teacher()
            print(test())
        """),
    ),
    case(
        "validation-helper-restores-training-mode-or-train-at-each-epoch",
        SETUP
        + dedent("""\
        def validate(net):
            net.eval()
            with torch.no_grad():
                total = sum(F.cross_entropy(net(x), y).item() for x, y in batches)
            net.train()
            return total

        def evaluate(net):
            net.eval()
            with torch.no_grad():
                return sum(F.cross_entropy(net(x), y).item() for x, y in batches)

        for epoch in range(5):
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            print(validate(model))
        for epoch in range(5):
            model.train()
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            print(evaluate(model))
        """),
    ),
    case(
        "train-at-the-top-of-each-epoch",
        SETUP
        + dedent("""\
        for epoch in range(5):
            model.train()
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                model(batches[0][0])
        """),
    ),
    case(
        "train-restored-after-validation",
        SETUP
        + dedent("""\
        for epoch in range(5):
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                model(batches[0][0])
            model.train()
        """),
    ),
    case(
        "pure-evaluation-loop",
        SETUP
        + dedent("""\
        for x, y in batches:
            model.eval()
            with torch.no_grad():
                print(model(x).argmax(1))
        """),
    ),
    case(
        "teacher-kept-in-eval-mode",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        teacher = nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.1))
        student = nn.Linear(4, 2)
        optimizer = torch.optim.SGD(student.parameters(), lr=0.1)
        for step in range(5):
            x = torch.randn(8, 4)
            soft = F.softmax(teacher(x), dim=1)
            optimizer.zero_grad()
            loss = F.kl_div(F.log_softmax(student(x), dim=1), soft, reduction="batchmean")
            loss.backward()
            optimizer.step()
            teacher.eval()
        """,
    ),
    case(
        "eval-only-in-some-epochs",
        SETUP
        + dedent("""\
        for epoch in range(10):
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            if epoch % 5 == 4:
                model.eval()
                with torch.no_grad():
                    model(batches[0][0])
                model.train()
        """),
    ),
    case(
        "model-rebuilt-every-round",
        """\
        import torch
        import torch.nn as nn

        for fold in range(3):
            model = nn.Sequential(nn.Linear(4, 1), nn.Dropout(0.1))
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for step in range(5):
                optimizer.zero_grad()
                model(torch.randn(2, 4)).sum().backward()
                optimizer.step()
            model.eval()
        """,
    ),
    case(
        "training-in-a-helper-function",
        SETUP
        + dedent("""\


        def train_one_epoch():
            model.train()
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()


        for epoch in range(5):
            train_one_epoch()
            model.eval()
        """),
    ),
    case(
        "train-with-a-mode-flag",
        SETUP
        + dedent("""\
        for epoch in range(5):
            model.train(mode=True)
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            model.eval()
        """),
    ),
    case(
        "train-epoch-function-switches-back-to-train-mode-itself",
        """\
        import torch
        import torch.nn as nn


        def train_epoch(model, criterion, optimizer, loader):
            model.train()
            for x, y in loader:
                loss = criterion(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()


        def evaluate(model, loader):
            model.eval()
            with torch.no_grad():
                for x, y in loader:
                    model(x)


        model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = [(torch.randn(3, 4), torch.tensor([0, 1, 0]))]
        for epoch in range(3):
            train_epoch(model, criterion, optimizer, loader)
            evaluate(model, loader)
        """,
    ),
    case(
        "evaluate-a-frozen-teacher-the-epoch-function-never-trains",
        """\
        import torch
        import torch.nn as nn


        def train_epoch(student, teacher, optimizer, loader):
            for x, y in loader:
                with torch.no_grad():
                    target = teacher(x)
                loss = ((student(x) - target) ** 2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()


        def evaluate(model, loader):
            model.eval()
            with torch.no_grad():
                for x, y in loader:
                    model(x)


        student = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
        teacher = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
        optimizer = torch.optim.SGD(student.parameters(), lr=0.1)
        loader = [(torch.randn(3, 4), torch.tensor([0, 1, 0]))]
        for epoch in range(3):
            student.train()
            train_epoch(student, teacher, optimizer, loader)
            evaluate(teacher, loader)
        """,
    ),
    case(
        "a-function-that-builds-a-fresh-model-each-epoch",
        """\
        import torch
        import torch.nn as nn


        def train(model, optimizer, loader):
            model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for x, y in loader:
                loss = nn.functional.cross_entropy(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            return model, optimizer


        def test(model, loader):
            model.eval()
            with torch.no_grad():
                return [model(x) for x, _ in loader]


        model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = [(torch.randn(3, 4), torch.tensor([0, 1, 0]))]
        for epoch in range(3):
            model, optimizer = train(model, optimizer, loader)
            test(model, loader)
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
