"""GRD502 and an accumulator object built by a library.

A MONAI pathology training script keeps its running loss in ``run_loss = CumulativeAverage()``
and calls ``run_loss.append(loss)`` after each step. That ``append`` is the library class's
method, not a list's: MONAI's detaches the tensor and adds it to a running sum, so no graph is
kept. What a library object keeps is unknown to the analysis, so the rule stays silent on it;
it still reports a list, a deque (the standard library keeps what it is given) and the
project's own class whose ``append`` keeps the tensor.
"""

from snippets import case_maker, rule_tests

CODE = "GRD502"
case = case_maker(CODE)

_TRAIN = """\
    import torch
    from torch import nn
    from monai.metrics import CumulativeAverage


    def train_epoch(model, loader, optimizer):
        model.train()
        run_loss = CumulativeAverage()
        for x, y in loader:
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            run_loss.append(loss)  # KEEP
        return run_loss.aggregate()


    model = nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    train_epoch(model, [(torch.randn(8, 4), torch.randn(8, 1))], opt)
"""


def _marked(src):
    return src.replace("# KEEP", "# expect: GRD502")


POSITIVES = [
    case("a-list", _marked(_TRAIN).replace("run_loss = CumulativeAverage()", "run_loss = []"), lines=(14,)),
    case(
        "a-deque",
        _marked(_TRAIN)
        .replace("from monai.metrics import CumulativeAverage", "from collections import deque")
        .replace("run_loss = CumulativeAverage()", "run_loss = deque()"),
        lines=(14,),
    ),
    case(
        "a-list-rebound-from-a-library-call",
        _marked(_TRAIN).replace(
            "run_loss = CumulativeAverage()", "run_loss = CumulativeAverage()\n        run_loss = []"
        ),
        lines=(15,),
    ),
]

NEGATIVES = [
    case("library-accumulator", _TRAIN),
    case(
        "library-accumulator-at-module-level",
        """\
        import torch
        from torch import nn
        from monai.metrics import CumulativeAverage

        model = nn.Linear(4, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        run_loss = CumulativeAverage()
        for x, y in [(torch.randn(8, 4), torch.randn(8, 1))]:
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            run_loss.append(loss)
        print(run_loss.aggregate())
        """,
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
