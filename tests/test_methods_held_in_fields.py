"""A method stored in a field (``self.search = self.greedy``) runs where the field is called: under
no_grad when that call is, in the file or in an importer calling the object under no_grad."""

import textwrap

import libcst as cst

from gradlint.analysis.method_aliases import aliased_methods
from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import BY_CODE
from tests.snippets import findings

# a decoder picking its search method once; the search sums the log-probabilities of a model with
# parameters: a graph per step when it runs with gradients
SEARCH = """\
import torch
import torch.nn as nn


class Search:
    def __init__(self, greedy=True):
        self.net = nn.Linear(4, 4)
        if greedy:
            self.search = self.greedy
        else:
            self.search = self.beam

    def __call__(self, x):
        return self.search(x)

    def greedy(self, x):
        score = 0.0
        for t in range(x.size(0)):
            top, k = torch.max(torch.log_softmax(self.net(x[t]), dim=-1), dim=-1)
            score += top
        return score

    def beam(self, x):
        return self.greedy(x)
"""
ACCUMULATION = 20  # `score += top`

INFERENCE = """\
import torch
from search import Search


class Inference:
    def __init__(self):
        self.searcher = Search()

    @torch.no_grad()
    def __call__(self, x):
        return self.searcher(x)
"""


def _lint_search(tmp_path, inference):
    (tmp_path / "search.py").write_text(SEARCH)
    (tmp_path / "infer.py").write_text(inference)
    path = tmp_path / "search.py"
    forget_projects()
    try:
        return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), [BY_CODE["GRD502"]])]
    finally:
        forget_projects()


def test_the_search_is_reported_when_nothing_says_how_it_runs():
    assert findings(SEARCH, "GRD502") == [(ACCUMULATION, "GRD502")]


def test_a_search_held_in_a_field_an_importer_calls_under_no_grad_is_not_reported(tmp_path):
    # espnet2's BeamSearchTransducer: `self.search_algorithm = self.multi_blank_greedy_search`, called by
    # `__call__`, which asr_inference.py runs inside `@torch.no_grad() def __call__`
    assert _lint_search(tmp_path, INFERENCE) == []


def test_an_importer_calling_the_object_with_gradients_keeps_the_report(tmp_path):
    assert _lint_search(tmp_path, INFERENCE.replace("    @torch.no_grad()\n", "")) == [(ACCUMULATION, "GRD502")]


def test_an_importer_calling_another_object_under_no_grad_keeps_the_report(tmp_path):
    other = INFERENCE.replace("return self.searcher(x)", "return self.other(x)").replace(
        "self.searcher = Search()", "self.searcher = Search()\n        self.other = torch.nn.Identity()"
    )
    assert _lint_search(tmp_path, other) == [(ACCUMULATION, "GRD502")]


def test_a_field_called_under_no_grad_in_the_file_covers_the_methods_it_holds():
    decode = SEARCH + "\n    @torch.no_grad()\n    def decode(self, x):\n        return self.search(x)\n"
    text = decode.replace("    def __call__(self, x):\n        return self.search(x)\n\n", "")
    assert findings(text, "GRD502") == []


def test_held_methods_follow_conditional_stores_and_calls_through_methods():
    module = cst.parse_module(
        textwrap.dedent(
            """\
            class Decoder:
                def __init__(self, mode):
                    self.run = self.fast if mode else self.slow
                    self.unused = self.other

                def __call__(self, x):
                    return self.run(x)

                def fast(self, x):
                    return x

                def slow(self, x):
                    return x

                def other(self, x):
                    return x
            """
        )
    )
    assert aliased_methods(module, {"__call__"}) == {"fast", "slow"}
    assert aliased_methods(module, {"run"}) == {"fast", "slow"}
    assert aliased_methods(module, {"fast"}) == set()
