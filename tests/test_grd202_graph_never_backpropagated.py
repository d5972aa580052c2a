"""GRD202 and a graph nothing can backpropagate.

An evaluation loop run with gradients enabled that post-processes predictions in place (captum's
TracInCP tutorial: ``probs = softmax(net(x), dim=1)``, then ``probs[rows, labels] = 0`` to pick
the most probable wrong label with ``argmax``; decoders that mask banned tokens in their
log-probabilities) overwrites what softmax saved, but the graph is dropped unused: no backward
runs through it and nothing raises (checked, torch 2.13). The same writes raise "modified by an
inplace operation" as soon as a loss computed from the written tensor is backpropagated, in the
loop or in a function of the file; the rule also stays when the tensor leaves the scope (a helper
returning it, a list keeping it), where code it does not see may backpropagate it.
"""

from snippets import case_maker, rule_tests

CODE = "GRD202"
case = case_maker(CODE)

_WRONG_LABELS = """\
    import torch
    from torch import nn

    net = nn.Linear(4, 3)
    loader = [(torch.randn(8, 4), torch.randint(0, 3, (8,))) for _ in range(3)]
    wrong = []
    for x, y in loader:
        probs = torch.softmax(net(x), dim=1)
        probs[torch.arange(len(probs)), y] = 0  # WRITE
        wrong.append(probs.argmax(1))
    print(torch.cat(wrong))
"""

_MASKED_DECODING = """\
    import torch
    import torch.nn.functional as F
    from torch import nn


    def pick(net, x, banned):
        logp = F.log_softmax(net(x), dim=-1)
        logp[:, banned] = -1e9  # WRITE
        return logp.argmax(-1)


    net = nn.Linear(4, 6)
    tokens = [pick(net, torch.randn(2, 4), [0, 1]) for _ in range(3)]
"""


def _marked(src):
    return src.replace("# WRITE", "# expect: GRD202")


POSITIVES = [
    case(
        "loss-from-the-written-tensor-backpropagated",
        _marked(_WRONG_LABELS).replace(
            "wrong.append(probs.argmax(1))", "probs.max(1).values.mean().backward()"
        ),
        lines=(9,),
    ),
    case(
        "a-function-of-the-file-backpropagates-the-global",
        _marked(_WRONG_LABELS)
        + "\n\n    def tune():\n        probs.sum().backward()\n\n\n    tune()\n",
        lines=(9,),
    ),
    case(
        "helper-returns-the-written-log-probabilities",
        _marked(_MASKED_DECODING).replace("return logp.argmax(-1)", "return logp"),
        lines=(8,),
    ),
    case(
        "the-written-tensor-is-kept-in-a-list",
        _marked(_WRONG_LABELS).replace("wrong.append(probs.argmax(1))", "wrong.append(probs)"),
        lines=(9,),
    ),
]

NEGATIVES = [
    case("wrong-labels-picked-by-argmax", _WRONG_LABELS),
    case(
        "wrong-labels-named-then-kept",
        _WRONG_LABELS.replace(
            "wrong.append(probs.argmax(1))", "labels = torch.argmax(probs, dim=1)\n    wrong.append(labels)"
        ),
    ),
    case("decoding-helper-returns-indices", _MASKED_DECODING),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
