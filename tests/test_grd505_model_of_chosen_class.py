"""GRD505 and a model whose class is one of the project's, chosen at run time: by a conditional
expression (``Net = ConvEncoder if args.conv else MlpEncoder``) or from a registry
(``ENCODERS[args.kind]``). ``model.eval()`` switches whichever it is, so a method of every choice
(``model.embed(x)``, a forward of its layers) run in an evaluation loop with gradients on records
graphs for nothing (corpus37, a policy class picked by the kind of its parameters). Silent under
no_grad, or when the model was not switched to eval(). The method handed to a helper runs the
choices in the mode the switch left them."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_EMBED = """
import torch
import torch.nn as nn


class ConvEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 8, 3)

    def embed(self, x):
        return self.conv(x.unsqueeze(1)).mean(-1)


class MlpEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 8)

    def embed(self, x):
        return self.fc(x)


ENCODERS = {{"conv": ConvEncoder, "mlp": MlpEncoder}}


def collect(encode, loader):
    return [encode(x).numpy() for x in loader]


def embed_all(loader, kind, conv):
    {choose}
    model = Net()
    model.load_state_dict(torch.load("encoder.pth"))
    model.eval()
    codes = []
    for x in loader:
{use}    return codes
"""

_USE = "        codes.append(model.embed(x).numpy()){mark}\n"
_QUIET = "        with torch.no_grad():\n            codes.append(model.embed(x).numpy())\n"
_CONDITION = "Net = ConvEncoder if conv else MlpEncoder"
_REGISTRY = "Net = ENCODERS[kind]"
_HANDED = "        codes.extend(collect(model.embed, [x]))\n"


def _embed(choose, use=_USE, mark=""):
    return _EMBED.format(choose=choose, use=use.format(mark=mark))


POSITIVES = [
    case("chosen_by_condition", _embed(_CONDITION, mark="  # expect: GRD505"), lines=(38,)),
    case("chosen_from_registry", _embed(_REGISTRY, mark="  # expect: GRD505"), lines=(38,)),
    case(
        "method_handed_over",
        _embed(_CONDITION, use=_HANDED).replace("for x in loader]\n", "for x in loader]  # expect: GRD505\n"),
        lines=(28,),
    ),
]

NEGATIVES = [
    case("condition_under_no_grad", _embed(_CONDITION, use=_QUIET)),
    case("registry_under_no_grad", _embed(_REGISTRY, use=_QUIET)),
    case("condition_not_switched", _embed(_CONDITION).replace("    model.eval()\n", "")),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
