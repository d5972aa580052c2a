"""GRD407 when the training runs in a project function: the model is frozen whole, then
``train(model, loader, optimizer)`` steps the optimizer it is given over that model (the freeze
of runebook.dev's requires_grad_ page, ``model.requires_grad_(False)``, with the loop in a
helper). The callee's unfreezes are replayed at the call before the rule judges it.
"""

from snippets import case_maker, rule_tests

CODE = "GRD407"
case = case_maker(CODE)

_TRAIN = """\
        import torch
        import torch.nn as nn


        def train(model, loader, optimizer):
            for x, y in loader:
                optimizer.zero_grad()
                loss = nn.functional.mse_loss(model(x), y)
                loss.backward()
                optimizer.step()

"""

POSITIVES = [
    case(
        "frozen-whole-then-handed-to-the-training-function",
        _TRAIN
        + """\

        def main():
            model = nn.Linear(10, 1)
            model.requires_grad_(False)  # expect: GRD407
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            train(model, [(torch.randn(4, 10), torch.randn(4, 1))], optimizer)


        main()
        """,
        [15],
    ),
    case(
        "freeze-loop-then-trainer-called-with-keywords",
        _TRAIN
        + """\

        def main():
            net = nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 1))
            for p in net.parameters():
                p.requires_grad = False  # expect: GRD407
            opt = torch.optim.Adam(net.parameters())
            train(loader=[(torch.randn(4, 10), torch.randn(4, 1))], optimizer=opt, model=net)


        main()
        """,
        [16],
    ),
]


NEGATIVES = [
    case(
        "the-training-function-unfreezes-first",
        """\
        import torch
        import torch.nn as nn


        def train(model, loader, optimizer):
            model.requires_grad_(True)
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.mse_loss(model(x), y).backward()
                optimizer.step()


        def main():
            model = nn.Linear(10, 1)
            model.requires_grad_(False)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            train(model, [(torch.randn(4, 10), torch.randn(4, 1))], optimizer)


        main()
        """,
    ),
    case(
        "a-new-head-placed-after-the-freeze",
        _TRAIN
        + """\

        def main():
            model = nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 1))
            model.requires_grad_(False)
            model[2] = nn.Linear(8, 1)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            train(model, [(torch.randn(4, 10), torch.randn(4, 1))], optimizer)


        main()
        """,
    ),
    case(
        "frozen-only-when-asked",
        _TRAIN
        + """\

        def main(freeze):
            model = nn.Linear(10, 1)
            if freeze:
                model.requires_grad_(False)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            train(model, [(torch.randn(4, 10), torch.randn(4, 1))], optimizer)


        main(False)
        """,
    ),
    case(
        "the-function-only-evaluates",
        """\
        import torch
        import torch.nn as nn


        def evaluate(model, loader, optimizer):
            with torch.no_grad():
                return sum(nn.functional.mse_loss(model(x), y).item() for x, y in loader)


        def main():
            model = nn.Linear(10, 1)
            model.requires_grad_(False)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            print(evaluate(model, [(torch.randn(4, 10), torch.randn(4, 1))], optimizer))


        main()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
