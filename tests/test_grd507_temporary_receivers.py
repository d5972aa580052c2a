"""GRD507 and a discarded method call on a value no name holds: an op's smoke test runs
``attention(value.double(), shapes).detach()`` as a statement to see that the op runs. GRD507's
pitfall is a name the author expects changed in place (``h.detach()``, ``self.indices.int()``); a
temporary result has no name to expect anything of, and "assign the result" has no target. A name,
an attribute path or a part of one whose method result is thrown away still fires."""

from snippets import case_maker, rule_tests

CODE = "GRD507"
case = case_maker(CODE)

_SMOKE = """\
    import torch


    def attention(value, shapes):
        return value.softmax(-1) * shapes.sum()


    def test_attention_runs():
        value = torch.rand(1, 6, 2) * 0.01
        shapes = torch.as_tensor([(6, 4), (3, 2)], dtype=torch.long)
        attention(value.double(), shapes.double()).detach()
        (value * 2).float()
"""

_SPARSE = """\
    import torch


    class SparseTensor:
        def __init__(self, features, indices):
            self.features = features
            self.indices = indices
            if self.indices.dtype != torch.int32:
                self.indices.int()  # expect: GRD507


    def run(value, shapes):
        out = torch.rand(3, 4).double()
        out.detach()  # expect: GRD507
        return out, SparseTensor(out, torch.zeros(3, dtype=torch.long))
"""

POSITIVES = [case("a-field-and-a-name-whose-method-result-is-thrown-away", _SPARSE, lines=(9, 14))]

NEGATIVES = [case("a-temporary-result-run-for-its-own-sake", _SMOKE)]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
