"""GRD505 at the call of a helper whose forwards all run in loops of its own and whose outputs it hands
back: ``loss, pred = self.run_iter(x, y)`` with an encoder loop over the input tokens and a greedy
decoding loop over the output tokens, called by ``run_epoch(data, training)`` after
``self.encoder.train(training)``. The validation call (``training=False``) evaluates with gradients on.

The helper's forwards reached the caller's loop only as the forwards of an inner loop, which GRD505 did
not judge; inside the helper its loops are a rollout the training call backpropagates, rightly silent.
The call is the evaluation: reported there, unless the helper's own loop was reported (a pure
evaluation helper, ``predict(model, x)`` looping over chunks, is reported inside, once)."""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

_TRAINER = """\
import random
import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 8)
        self.gru = nn.GRU(8, 8)

    def forward(self, token, hidden):
        out, hidden = self.gru(self.emb(token).view(1, 1, -1), hidden)
        return out, hidden


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 8)
        self.gru = nn.GRU(8, 8)
        self.out = nn.Linear(8, 10)

    def forward(self, token, hidden):
        out, hidden = self.gru(torch.relu(self.emb(token).view(1, 1, -1)), hidden)
        return self.out(out[0]).log_softmax(1), hidden


class Trainer:
    def __init__(self, encoder, decoder):
        self.encoder, self.decoder = encoder, decoder
        self.opt = torch.optim.SGD(list(encoder.parameters()) + list(decoder.parameters()), lr=0.01)
        self.criterion = nn.NLLLoss()

    def run_epoch(self, pairs, training):
        self.encoder.train(training)
        self.decoder.train(training)
        total = 0.0
        for source, target in pairs:
            {call}
            if training:
                loss.backward()
                self.opt.step()
            total += loss.item() / target.size(0)
        return total

    def run_iter(self, source, target):
        self.opt.zero_grad()
        loss = 0
        hidden = torch.zeros(1, 1, 8)
{helper}        return loss, predicted


def main():
    trainer = Trainer(Encoder(), Decoder())
    pairs = [(torch.randint(10, (5,)), torch.randint(10, (4,))) for _ in range(3)]
    for epoch in range(2):
        trainer.run_epoch(pairs, True)
        trainer.run_epoch(pairs, False)


main()
"""

_LOOPS = """\
        for i in range(source.size(0)):
            _, hidden = self.encoder(source[i], hidden)
        token = torch.tensor([[0]])
        predicted = []
        for i in range(target.size(0)):
            out, hidden = self.decoder(token, hidden)
            loss += self.criterion(out, target[i:i + 1])
            token = out.argmax(1).detach()
            predicted.append(token.item())
"""

_TEACHER_FORCED = _LOOPS.replace("token = out.argmax(1).detach()", "token = target[i:i + 1]")
_NO_GRAD = "        with torch.no_grad():\n" + "".join("    " + line + "\n" for line in _LOOPS.splitlines())

_CALL = "loss, predicted = self.run_iter(source, target)"


def trainer(helper=_LOOPS, call=_CALL, mark="  # expect: GRD505"):
    return _TRAINER.format(helper=helper, call=call + mark)


POSITIVES = [
    case("greedy-decoding-helper", trainer(), [40]),
    case("teacher-forced-helper", trainer(helper=_TEACHER_FORCED), [40]),
]

_PURE = """\
import torch
import torch.nn as nn


def predict(model, x):
    outs = []
    for chunk in x.split(2):
        outs.append(model(chunk).argmax(1))
    return torch.cat(outs)


def evaluate(model, loader):
    model.eval()
    correct = 0.0
    {wrap}for x, y in loader:
        {indent}correct += (predict(model, x) == y).float().mean().item()
    return correct


print(evaluate(nn.Linear(4, 3), [(torch.randn(4, 4), torch.tensor([0, 1, 2, 0]))]))
"""

NEGATIVES = [
    case("helper-loops-under-no-grad", trainer(helper=_NO_GRAD, mark="")),
    case("validation-call-under-no-grad", trainer(call="with torch.no_grad():\n                " + _CALL, mark="").replace(
        "            if training:\n                loss.backward()", "            if training:\n                loss = self.run_iter(source, target)[0]\n                loss.backward()")),
    case("evaluation-loop-under-no-grad", _PURE.format(wrap="with torch.no_grad():\n        ", indent="    ").replace(
        "\n        for x, y", "\n        for x, y")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)


def test_a_pure_evaluation_helper_is_reported_inside_once():
    from snippets import findings

    # its own loop evaluates: reported there, not again at the caller's call
    assert findings(_PURE.format(wrap="", indent=""), CODE) == [(8, CODE)]
