"""GRD502 and a running sum a function returns for its caller to backpropagate: a seq2seq trainer's
step adds each decoding step's loss (``loss += criterion(out, target[t])`` in a loop with no
backward of its own) and returns ``loss, predictions``; the epoch loop calls it and runs
``loss.backward()``. The sum is the sequence's loss, built to be backpropagated (``result_uses.
handed_back``): no history is kept. Before, only a list the loop appended to was taken for handed
back, so the sum was reported as an evaluation loop's history (corpus33 c37102001 Seq2Seq-analysis
src/task1/trainer.py:94 and :102, false alarms).

Still reported: the same sum in a function whose result no caller backpropagates (a validation
helper returning the summed loss tensor keeps every step's graph until the caller drops it).
"""

from snippets import case_maker, rule_tests

CODE = "GRD502"
case = case_maker(CODE)

POSITIVES = [
    case(
        "summed-loss-only-logged-by-the-caller",
        """\
        import torch
        import torch.nn as nn


        class Evaluator:
            def __init__(self, n_in, n_hidden, n_out):
                self.cell = nn.GRUCell(n_in, n_hidden)
                self.head = nn.Linear(n_hidden, n_out)
                self.criterion = nn.CrossEntropyLoss()

            def score(self, inputs, targets):
                total = 0
                state = None
                for t in range(targets.size(0)):
                    state = self.cell(inputs[t], state)
                    total += self.criterion(self.head(state), targets[t])  # expect: GRD502
                return total, state

            def report(self, batches):
                for inputs, targets in batches:
                    total, _ = self.score(inputs, targets)
                    print(float(total.detach()))
        """,
        lines=(16,),
    ),
]

NEGATIVES = [
    case(
        "sequence-loss-backpropagated-by-the-epoch-loop",
        """\
        import random

        import torch
        import torch.nn as nn


        class Seq2SeqTrainer:
            def __init__(self, encoder, decoder, lr=0.01):
                self.encoder, self.decoder = encoder, decoder
                self.criterion = nn.NLLLoss()
                self.optimizer = torch.optim.SGD(list(encoder.parameters()) + list(decoder.parameters()), lr=lr)

            def run_epoch(self, pairs, training):
                self.encoder.train(training)
                self.decoder.train(training)
                total = 0.0
                for source, target in pairs:
                    loss, predicted = self.run_iter(source, target)
                    if training:
                        loss.backward()
                        self.optimizer.step()
                    total += loss.item() / target.size(0)
                return total / max(len(pairs), 1)

            def run_iter(self, source, target):
                self.optimizer.zero_grad()
                loss = 0
                predicted = []
                hidden = self.encoder(source)
                token = target[0]
                for t in range(target.size(0)):
                    output, hidden = self.decoder(token, hidden)
                    loss += self.criterion(output, target[t])
                    predicted.append(output.argmax(-1).item())
                    token = target[t] if random.random() < 0.5 else output.argmax(-1).detach()
                return loss, predicted
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
