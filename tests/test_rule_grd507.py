"""GRD507 discarded-tensor-result: an out-of-place tensor method as a statement of its own."""

from snippets import case_maker, rule_tests

CODE = "GRD507"
case = case_maker(CODE)


POSITIVES = [
    case(
        "hidden-state-started-at-none-detached-under-a-none-guard",
        # `h` is None in the first iteration, the GRU's state after: under `if h is not None:` it is that tensor
        """\
        import torch.nn as nn


        def train(batches, optimizer):
            rnn = nn.GRU(8, 16, batch_first=True)
            head = nn.Linear(16, 4)
            h = None
            for x, y in batches:
                if h is not None:
                    h.detach()  # expect: GRD507
                out, h = rnn(x, h)
                loss = nn.functional.cross_entropy(head(out[:, -1]), y)
                optimizer.zero_grad()
                loss.backward(retain_graph=True)
                optimizer.step()
        """,
        lines=(10,),
    ),
    case(
        "recurrent-state-detach-as-a-statement",
        """\
        import torch
        import torch.nn as nn

        cell = nn.GRUCell(3, 4)
        h = torch.zeros(1, 4)
        for chunk in range(3):
            for t in range(5):
                h = cell(torch.randn(1, 3), h)
            h.sum().backward()
            h.detach()  # expect: GRD507
        """,
        [10],
    ),
    case(
        "factory-tensor-moved-without-assignment",
        """\
        import torch

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        x = torch.randn(8, 3)
        x.to(device)  # expect: GRD507
        print(x.device)
        """,
        [5],
    ),
    case(
        "dtype-conversion-thrown-away",
        """\
        import torch

        labels = torch.randint(0, 2, (16,))
        labels.float()  # expect: GRD507
        loss = torch.nn.functional.binary_cross_entropy_with_logits(torch.randn(16), labels)
        """,
        [4],
    ),
    case(
        "cuda-call-on-a-batch-built-with-a-factory",
        """\
        import torch

        images = torch.rand(4, 3, 32, 32)
        if torch.cuda.is_available():
            images.cuda()  # expect: GRD507
        """,
        [5],
    ),
    case(
        "clone-of-a-parameter-discarded",
        """\
        import torch
        import torch.nn as nn

        w = nn.Parameter(torch.randn(3))
        w.clone()  # expect: GRD507
        """,
        [5],
    ),
    case(
        "module-output-squeezed-in-vain",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 1)
        out = model(torch.randn(8, 4))
        out.squeeze()  # expect: GRD507
        loss = (out - torch.randn(8)).pow(2).mean()
        """,
        [6],
    ),
    case(
        "out-of-place-add-meant-in-place-inside-a-function",
        """\
        import torch


        def shifted(n):
            t = torch.zeros(n)
            t.add(1.0)  # expect: GRD507
            return t
        """,
        [6],
    ),
    case(
        "parameter-attribute-detached-in-a-method",
        """\
        import torch
        import torch.nn as nn


        class Memory(nn.Module):
            def __init__(self):
                super().__init__()
                self.state = nn.Parameter(torch.zeros(4))

            def reset(self):
                self.state.detach()  # expect: GRD507
        """,
        [11],
    ),
    case(
        "two-discarded-calls-after-a-leaf-factory",
        """\
        import torch

        w = torch.randn(3, requires_grad=True)
        w.double()  # expect: GRD507
        w.cpu()  # expect: GRD507
        """,
        [4, 5],
    ),
]


NEGATIVES = [
    case(
        "hidden-state-started-at-none-rebound-detached-under-a-none-guard",
        """\
        import torch.nn as nn


        def train(batches, optimizer):
            rnn = nn.GRU(8, 16, batch_first=True)
            head = nn.Linear(16, 4)
            h = None
            for x, y in batches:
                if h is not None:
                    h = h.detach()
                out, h = rnn(x, h)
                loss = nn.functional.cross_entropy(head(out[:, -1]), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        """,
    ),
    case(
        "state-started-at-none-then-maybe-an-unknown-object-with-a-detach-method",
        # not None on the other path, but of unknown kind (a stream's detach() does something)
        """\
        def run(make, items):
            h = None
            for item in items:
                if h is not None:
                    h.detach()
                h = make(item)
        """,
    ),
    case(
        "none-guard-on-a-name-never-none-nor-a-tensor",
        """\
        import torch.nn as nn


        def train(batches, stream=None):
            h = None
            for x in batches:
                if stream is not None:
                    stream.detach()
                h = nn.GRU(8, 16)(x, h)[1]
        """,
    ),
    case(
        "module-to-device-moves-it-in-place",
        """\
        import torch
        import torch.nn as nn

        device = torch.device("cpu")
        model = nn.Linear(4, 1)
        model.to(device)
        model.cuda() if torch.cuda.is_available() else None
        """,
    ),
    case(
        "own-module-class-cuda-and-float",
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)

            def forward(self, x):
                return self.fc(x)


        net = Net()
        net.float()
        net.to("cpu")
        """,
    ),
    case(
        "result-assigned-back",
        """\
        import torch

        h = torch.zeros(2, 4, requires_grad=True) * 2
        h = h.detach()
        x = torch.randn(3)
        x = x.to("cpu")
        """,
    ),
    case(
        "in-place-detach-underscore",
        """\
        import torch

        h = torch.zeros(2, 4, requires_grad=True) * 2
        h.detach_()
        h.add_(1.0)
        """,
    ),
    case(
        "unknown-batch-object-from-a-tokenizer",
        """\
        import torch


        def prepare(tokenizer, texts, device):
            batch = tokenizer(texts, return_tensors="pt")
            batch.to(device)
            return batch
        """,
    ),
    case(
        "function-parameter-of-unknown-type",
        """\
        def move(x, device):
            x.to(device)
            x.float()
        """,
    ),
    case(
        "result-used-in-a-call",
        """\
        import torch

        x = torch.randn(3)
        print(x.float())
        torch.save(x.clone(), "x.pt")
        """,
    ),
    case(
        "model-output-of-an-lstm-is-a-tuple",
        """\
        import torch
        import torch.nn as nn

        lstm = nn.LSTM(3, 4)
        output = lstm(torch.randn(5, 1, 3))
        output.to("cpu")
        """,
    ),
    case(
        "list-of-numbers-is-not-a-tensor",
        """\
        values = [1, 2, 3]
        values.clear()
        values.copy()
        """,
    ),
    case(
        "view-chained-on-an-in-place-copy-into-each-parameter",
        """\
        import torch
        import torch.nn as nn

        net = nn.Linear(3, 2)
        flat = torch.cat([p.detach().view(-1) for p in net.parameters()])
        offset = 0
        for param in net.parameters():
            param.data.copy_(flat[offset:offset + param.nelement()].view(param.shape)).view(-1)
            offset += param.nelement()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
