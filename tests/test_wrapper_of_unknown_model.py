"""The output of ``nn.DataParallel(model)`` (or ``DistributedDataParallel``) is the wrapped model's
output. When the analysis does not know what ``model`` is (a class of a file that is not there),
that output's structure is not known either: ``loss, pred, correct = net(x, y)`` may unpack a loss
with a graph, predicted indices and a count, so the parts of it are not known to carry a graph.
A wrapper is not a layer whose output is one tensor (``nn.Linear``). A wrapped model this file
defines is still followed, its output's parts known."""

from snippets import case_maker, rule_tests

CODE = "GRD502"
case = case_maker(CODE)

_UNKNOWN_MODEL = """\
    import torch
    from torch import nn
    from fewshot_nets import RelationNet


    def evaluate(net, episodes):
        correct = 0
        for support, query in episodes:
            preds = []
            net.eval()
            for qx, qy in zip(query[0], query[1]):
                loss, pred, hits = net(support, qx, qy, False)
                preds.append(pred)
                correct += hits.sum().item()
        return correct


    def main(episodes):
        net = nn.DataParallel(RelationNet(5, 1), device_ids=[0, 1]).cuda()
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
        for support, query in episodes:
            evaluate(net, episodes[:10])
            net.train()
            loss, pred, hits = net(support, query[0], query[1])
            optimizer.zero_grad()
            loss.sum().backward()
            optimizer.step()
"""

_KNOWN_MODEL = """\
    import torch
    from torch import nn


    class Scorer(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 5)

        def forward(self, x):
            return self.fc(x)


    def evaluate(net, batches):
        preds = []
        net.eval()
        for x in batches:
            pred = net(x)
            preds.append(pred)  # expect: GRD502
        return len(preds)


    def main(batches):
        net = nn.DataParallel(Scorer()).cuda()
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
        for x in batches:
            evaluate(net, batches[:10])
            net.train()
            optimizer.zero_grad()
            net(x).sum().backward()
            optimizer.step()
"""

POSITIVES = [
    case("a-wrapped-model-of-this-file-whose-forward-returns-one-tensor", _KNOWN_MODEL, lines=(19,)),
    case(
        "a-part-of-the-output-of-a-wrapped-model-of-this-file-that-returns-a-tuple",
        _KNOWN_MODEL.replace("return self.fc(x)", "h = self.fc(x)\n            return h.sum(), h, h.argmax(1)")
        .replace("pred = net(x)", "loss, pred, hits = net(x)")
        .replace("net(x).sum().backward()", "net(x)[0].backward()"),
        lines=(20,),
    ),
]

NEGATIVES = [
    case("a-part-of-the-output-of-a-wrapped-model-of-unknown-class", _UNKNOWN_MODEL),
    case(
        "a-part-of-the-output-of-a-distributed-wrapper-of-unknown-class",
        _UNKNOWN_MODEL.replace("nn.DataParallel(RelationNet(5, 1), device_ids=[0, 1]).cuda()", "nn.parallel.DistributedDataParallel(RelationNet(5, 1))"),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
