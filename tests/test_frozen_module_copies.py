"""``copy.deepcopy`` of a module frozen whole keeps it frozen (analysis/frozen_copies.py).

StyleGAN2-ADA's training loop: ``G = build(**kw).train().requires_grad_(False).to(device)`` and an
exponential moving average ``G_ema = copy.deepcopy(G).eval()``, sampled for snapshots with
``torch.cat([G_ema(z).cpu() for z in grid_z]).numpy()`` and updated with
``p_ema.copy_(p.lerp(p_ema, beta))``. deepcopy copies each parameter with its ``requires_grad``:
the samples carry no graph, ``.numpy()`` works, the in-place EMA update raises nothing (checked,
torch 2.13). The same code over a trainable generator (no ``requires_grad_(False)``) does raise at
the update (a leaf that requires grad written in place) and at ``.numpy()``, and still fires.
"""

import pytest

from snippets import findings

_EMA = """\
    import copy

    import torch
    from torch import nn


    def train(device, grid_z, steps):
        G = nn.Linear(4, 4).train().requires_grad_(False).to(device)
        G_ema = copy.deepcopy(G).eval()
        images = torch.cat([G_ema(z).cpu() for z in grid_z]).numpy()
        for step in range(steps):
            for p_ema, p in zip(G_ema.parameters(), G.parameters()):
                p_ema.copy_(p.lerp(p_ema, 0.9))
            images = torch.cat([G_ema(z).cpu() for z in grid_z]).numpy()
        return images
"""

_FACTORY = _EMA.replace("    import copy\n", "    import copy\n\n    import dnnlib\n").replace(
    "nn.Linear(4, 4).train()", "dnnlib.util.construct_class_by_name(**G_kwargs).train()"
)


@pytest.mark.parametrize(
    "src",
    [
        pytest.param(_EMA, id="frozen-module-copied"),
        pytest.param(_FACTORY, id="frozen-in-a-chain-on-a-factory-result-then-copied"),
        pytest.param(
            _EMA.replace("from torch import nn\n", "from copy import deepcopy\n    from torch import nn\n").replace(
                "copy.deepcopy(G)", "deepcopy(G)"
            ),
            id="deepcopy-imported-by-name",
        ),
    ],
)
def test_copy_of_a_frozen_generator_is_frozen(src):
    assert findings(src) == []


def test_copy_of_a_trainable_generator_still_fires():
    src = _EMA.replace(".train().requires_grad_(False).to(device)", ".train().to(device)")
    assert sorted(findings(src)) == [(10, "GRD503"), (13, "GRD201"), (14, "GRD503"), (14, "GRD505")]
