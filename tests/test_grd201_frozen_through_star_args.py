"""GRD201 after a helper froze the modules handed to its ``*args``.

A model-editing codebase builds a whitening layer and writes its weights in place:
``layer = torch.nn.Linear(d, d); set_requires_grad(False, layer); layer.bias[...] = mean``, the
helper being ``def set_requires_grad(requires_grad, *models): for model in models: for p in
model.parameters(): p.requires_grad = requires_grad``. The parameters no longer require grad, so
the writes are plain tensor writes (checked, torch 2.13). A freeze of the loop variable over the
helper's ``*args`` freezes each module the call passes there; the rule still reports when the
helper freezes another module, or runs after the writes.
"""

from snippets import case_maker, rule_tests

CODE = "GRD201"
case = case_maker(CODE)

_WHITEN = """\
    import torch


    def set_requires_grad(requires_grad, *models):
        for model in models:
            for param in model.parameters():
                param.requires_grad = requires_grad


    def whitening(mean, d):
        layer = torch.nn.Linear(d, d)
        other = torch.nn.Linear(d, d)
        set_requires_grad(False, layer)
        layer.bias[...] = mean  # WRITE
        layer.weight[...] = torch.eye(d)  # WRITE
        return layer, other


    whitening(torch.zeros(3), 3)
"""


def _marked(src):
    return src.replace("# WRITE", "# expect: GRD201")


POSITIVES = [
    case(
        "helper-called-after-the-writes",
        _marked(_WHITEN)
        .replace("        set_requires_grad(False, layer)\n", "")
        .replace("        return layer, other", "        set_requires_grad(False, layer)\n        return layer, other"),
        lines=(13, 14),
    ),
    case(
        "helper-freezes-another-module",
        _marked(_WHITEN).replace("set_requires_grad(False, layer)", "set_requires_grad(False, other)"),
        lines=(14, 15),
    ),
]

NEGATIVES = [
    case("helper-freezes-the-layer", _WHITEN),
    case(
        "helper-freezes-both",
        _WHITEN.replace("set_requires_grad(False, layer)", "set_requires_grad(False, other, layer)"),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
