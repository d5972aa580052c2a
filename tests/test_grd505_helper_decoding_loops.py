"""GRD505: an evaluation loop whose forwards sit in the own loop of a helper it calls (a seq2seq
trainer's ``run_epoch(pairs, training)`` switching ``self.decoder.train(training)`` and looping
``loss, words = self.run_pair(src, tgt)``, whose body loops over the decoding steps). The helper also
serves training (``run_epoch(train_pairs, True)``), so its own walk does not know the model's mode: the
calling loop, in its ``False`` context, judges the forwards of the helper's loops (``inner_forwards``)
and reports at the call. A helper whose own walk reports its forwards (one evaluation caller) is
reported there only; a helper run under no_grad (by its caller or in its own body), one whose loop
backpropagates, and a loop that backpropagates what the helper returns are not evaluations."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_MODELS = """
import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, vocab, width):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.cell = nn.GRUCell(width, width)

    def forward(self, token, hidden):
        return self.cell(self.embed(token), hidden)


class Decoder(nn.Module):
    def __init__(self, vocab, width):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.cell = nn.GRUCell(width, width)
        self.head = nn.Linear(width, vocab)

    def forward(self, token, hidden):
        hidden = self.cell(self.embed(token), hidden)
        return self.head(hidden), hidden
"""

_TRAINER = _MODELS + """

class Seq2SeqTrainer:
    def __init__(self, encoder, decoder, lr):
        self.encoder = encoder
        self.decoder = decoder
        self.optimizer = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=lr)
        self.criterion = nn.CrossEntropyLoss()

    def run_epoch(self, pairs, training):
        self.encoder.train(training)
        self.decoder.train(training)
        total = 0.0
        for source, target in pairs:
            loss, words = {call}{mark}
            if training:
                loss.backward()
                self.optimizer.step()
            total += loss.item()
        return total / len(pairs)

    def run_pair(self, source, target):
        self.optimizer.zero_grad()
        hidden = torch.zeros(1, 16)
        for position in range(source.size(0)):
            hidden = self.encoder(source[position], hidden)
        token = torch.zeros(1, dtype=torch.long)
        loss = 0
        words = []
        for step in range(target.size(0)):
            logits, hidden = self.decoder(token, hidden)
            loss += self.criterion(logits, target[step])
            token = logits.argmax(dim=-1).detach()
            words.append(token)
        return loss, words


def main(train_pairs, valid_pairs):
    trainer = Seq2SeqTrainer(Encoder(40, 16), Decoder(40, 16), 1e-3)
    for epoch in range(5):
        trainer.run_epoch(train_pairs, True)
        {valid}
"""


def trainer(call="self.run_pair(source, target)", mark="", valid="trainer.run_epoch(valid_pairs, False)"):
    return _TRAINER.format(call=call, mark=mark, valid=valid)


_GREEDY = _MODELS + """

def greedy_decode(encoder, decoder, source, max_len):
    hidden = torch.zeros(1, 16)
    for position in range(source.size(0)):
        hidden = encoder(source[position], hidden){mark_encoder}
    token = torch.zeros(1, dtype=torch.long)
    words = []
    {decoding}for _ in range(max_len):
        {indent}logits, hidden = decoder(token, hidden){mark_decoder}
        {indent}token = logits.argmax(dim=-1)
        {indent}words.append(token.item())
    return words


def evaluate(encoder, decoder, sentences):
    encoder.eval()
    decoder.eval()
    outputs = []
    for source in sentences:
        {evaluation}
    return outputs


{training}
encoder, decoder = Encoder(40, 16), Decoder(40, 16)
print(evaluate(encoder, decoder, [torch.randint(0, 40, (6,)) for _ in range(4)]))
"""


_SAMPLED_IN_TRAINING = """
def train(encoder, decoder, pairs, optimizer):
    encoder.train()
    decoder.train()
    for source, target in pairs:
        hidden = torch.zeros(1, 16)
        for position in range(source.size(0)):
            hidden = encoder(source[position], hidden)
        logits, _ = decoder(target[:1], hidden)
        loss = nn.functional.cross_entropy(logits, target[1:2])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        print(greedy_decode(encoder, decoder, source, 12))

"""


def greedy(evaluation="outputs.append(greedy_decode(encoder, decoder, source, 12))", mark="", decoding="", indent="", marks=("", ""), training=""):
    evaluation += mark
    return _GREEDY.format(
        evaluation=evaluation, decoding=decoding, indent=indent, mark_encoder=marks[0], mark_decoder=marks[1], training=training
    )


_ATTACK = _MODELS + """

def perturbed_decode(encoder, decoder, source, target):
    hidden = torch.zeros(1, 16, requires_grad=True)
    for step in range(target.size(0)):
        logits, out = decoder(source[step], hidden)
        nn.functional.cross_entropy(logits, target[step]).backward()
        hidden = (hidden + 0.01 * hidden.grad.sign()).detach().requires_grad_(True)
    return decoder(source[0], hidden)[0]


def robustness(encoder, decoder, pairs):
    decoder.eval()
    wrong = 0
    for source, target in pairs:
        wrong += (perturbed_decode(encoder, decoder, source, target).argmax(-1) != target[0]).sum().item()
    return wrong
"""

POSITIVES = [
    case(
        "validation_epoch_of_a_trainer_whose_pair_helper_loops_over_decoding_steps",
        trainer(mark="  # expect: GRD505"),
        lines=(40,),
    ),
    case(
        "one_evaluation_caller_is_reported_inside_the_helper_once",
        greedy(marks=("  # expect: GRD505", "  # expect: GRD505")),
        lines=(31, 35),
    ),
    case(
        "greedy_helper_also_sampled_in_training_is_reported_inside_it_not_at_the_call",
        greedy(marks=("  # expect: GRD505", "  # expect: GRD505"), training=_SAMPLED_IN_TRAINING),
        lines=(31, 35),
    ),
]

NEGATIVES = [
    case("training_epochs_only", trainer(valid="pass")),
    case(
        "validation_epoch_called_under_no_grad",
        trainer(valid="with torch.no_grad():\n            trainer.run_epoch(valid_pairs, False)"),
    ),
    case(
        "grad_mode_set_by_phase_around_the_helper_call",
        trainer(call="self.run_pair(source, target)").replace(
            "            loss, words = self.run_pair(source, target)",
            "            with torch.set_grad_enabled(training):\n                loss, words = self.run_pair(source, target)",
        ),
    ),
    case(
        "pair_helper_switching_grad_mode_by_the_phase_itself",
        trainer(call="self.run_pair(source, target, training)").replace(
            "def run_pair(self, source, target):\n        self.optimizer.zero_grad()\n",
            "def run_pair(self, source, target, training):\n        self.optimizer.zero_grad()\n        torch.set_grad_enabled(training)\n",
        ),
    ),
    case(
        "greedy_decoding_under_no_grad_in_a_helper_also_sampled_in_training",
        greedy(decoding="with torch.no_grad():\n      ", indent="  ", training=_SAMPLED_IN_TRAINING).replace(
            "    for position in range(source.size(0)):\n        hidden = encoder(source[position], hidden)\n",
            "    with torch.no_grad():\n        for position in range(source.size(0)):\n            hidden = encoder(source[position], hidden)\n",
        ),
    ),
    case(
        "greedy_decoding_called_under_no_grad",
        greedy(evaluation="with torch.no_grad():\n            outputs.append(greedy_decode(encoder, decoder, source, 12))"),
    ),
    case("helper_loop_backpropagates_each_step", _ATTACK),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
