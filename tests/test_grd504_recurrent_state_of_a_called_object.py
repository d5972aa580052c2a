"""GRD504 through the recurrent state a method keeps on its object (``out, self.state =
self.lstm(chunk, self.state)``), the method called once per iteration of a loop (``tagger.step(...)``):
each call's backward() frees the state's graph, and the next call builds on it (torch 2.13: the second
call raises "Trying to backward through the graph a second time"). Two facts were missing:
``loops._carried_freed`` carried to the next iteration the freed fields of ``self`` only, not those of an
object the loop calls a method on (``tagger.state``, freed by ``step()``: ``freed_fields``); and a state
unpacked beside the output of a library module (``Bindings._bind``) named only its sibling output as
its source, so its rebinding cleared the freed mark that ``h = cell(x, h)`` keeps: it now names the
argument it rebinds (a function of the project says so through its summary, and may detach). The shape
of corpus_threads24 p17 (a seq2seq trainer keeping the encoder's state on self), with a torch module."""

from snippets import case_maker, rule_tests

case = case_maker("GRD504")

_TAGGER = """
import torch
import torch.nn as nn


class StreamingTagger:
    def __init__(self, n_feats=7, hidden=12, n_tags=5):
        self.lstm = nn.LSTM(n_feats, hidden)
        self.proj = nn.Linear(hidden, n_tags)
        params = list(self.lstm.parameters()) + list(self.proj.parameters())
        self.optimizer = torch.optim.Adam(params, lr=1e-3)
        self.state = (torch.zeros(1, 2, hidden), torch.zeros(1, 2, hidden))

    def step(self, chunk, tags):
        {forward}
        loss = nn.functional.cross_entropy(self.proj(out).flatten(0, 1), tags.flatten())
        self.optimizer.zero_grad()
        loss.backward(){mark}
        self.optimizer.step()
        return loss.item()


tagger = StreamingTagger()
for chunk_index in range(4):
    tagger.step(torch.randn(6, 2, 7), torch.randint(0, 5, (6, 2)))
"""

_CARRIED = "out, self.state = self.lstm(chunk, self.state)"
_DETACHED = (
    "out, self.state = self.lstm(chunk, self.state)\n"
    "        self.state = tuple(s.detach() for s in self.state)"
)
_FRESH = "out, self.state = self.lstm(chunk)"


def _tagger(forward, mark=""):
    return _TAGGER.format(forward=forward, mark=mark)


POSITIVES = [
    case("state_unpacked_beside_the_output", _tagger(_CARRIED, mark="  # expect: GRD504"), lines=(18,)),
]

NEGATIVES = [
    case("state_detached_after_the_forward", _tagger(_DETACHED)),
    case("state_not_fed_back", _tagger(_FRESH)),
]

test_fires, test_silent = rule_tests("GRD504", POSITIVES, NEGATIVES)
