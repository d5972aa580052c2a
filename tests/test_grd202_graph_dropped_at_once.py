"""GRD202 and a graph the statement drops as soon as it builds it.

A VAE's latent traversal (Beta-VAE's ``traverse``): ``z = z_ori.clone()``, then for each value
``z[:, row] = val`` and ``sample = torch.sigmoid(decoder(z)).data``. The decoder's first layer
saves ``z``, but the statement keeps only the values: no backward can ever reach that graph, and
the next iteration's in-place write raises nothing (checked, torch 2.13). The same loop whose
samples keep their graphs and are backpropagated raises "modified by an inplace operation", and
so does one that keeps the output under a name and takes ``.data`` only in a later statement.
"""

from snippets import case_maker, rule_tests

CODE = "GRD202"
case = case_maker(CODE)

_TRAVERSAL = """\
    import torch
    from torch import nn

    decoder = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4))
    encoder = nn.Linear(4, 4)
    z_ori = encoder(torch.randn(1, 4))
    samples = []
    for row in range(4):
        z = z_ori.clone()
        for val in torch.linspace(-3, 3, 5):
            z[:, row] = val  # WRITE
            sample = torch.sigmoid(decoder(z)).data
            samples.append(sample)
    print(len(samples))
"""


def _marked(src):
    return src.replace("# WRITE", "# expect: GRD202")


POSITIVES = [
    case(
        "samples-kept-with-their-graphs-and-backpropagated",
        _marked(_TRAVERSAL)
        .replace("torch.sigmoid(decoder(z)).data", "torch.sigmoid(decoder(z))")
        .replace("print(len(samples))", "torch.stack(samples).sum().backward()"),
        lines=(11,),
    ),
    case(
        "output-named-and-detached-in-a-later-statement",
        _marked(_TRAVERSAL)
        .replace("sample = torch.sigmoid(decoder(z)).data", "out = torch.sigmoid(decoder(z))\n            sample = out.data")
        .replace("print(len(samples))", "out.sum().backward()"),
        lines=(11,),
    ),
]

NEGATIVES = [
    case("values-taken-by-data", _TRAVERSAL),
    case("values-taken-by-detach-then-moved", _TRAVERSAL.replace(".data\n", ".detach().cpu()\n")),
    case("a-number-taken-by-item", _TRAVERSAL.replace("torch.sigmoid(decoder(z)).data", "decoder(z).sum().item()")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
