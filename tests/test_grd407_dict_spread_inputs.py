"""GRD407 and a frozen model called with a dict of inputs that carries another model's graph.

A ControlNet training script freezes the diffusion U-Net (``for p in unet.parameters():
p.requires_grad = False``), trains the ControlNet, and calls the U-Net with
``unet(**unet_inputs)`` after ``unet_inputs.update({"extra": residual})`` put the ControlNet's
output in the dict. The loss is computed through the frozen U-Net, but it requires grad through
the residual: backward reaches the ControlNet (checked, torch 2.13: its weights get gradients).
The rule still reports when the dict holds only data, or the residual detached.
"""

from snippets import case_maker, rule_tests

CODE = "GRD407"
case = case_maker(CODE)

_CONTROLNET = """\
    import torch
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x, extra=None):
            h = self.fc(x)
            return h if extra is None else h + extra


    unet = Net()
    controlnet = Net()
    for p in unet.parameters():
        p.requires_grad = False  # FREEZE
    optimizer = torch.optim.AdamW(controlnet.parameters(), lr=1e-4)
    for step in range(3):
        x = torch.randn(2, 4)
        optimizer.zero_grad()
        residual = controlnet(x)
        inputs = {"x": x}
        inputs.update({"extra": residual})
        out = unet(**inputs)
        loss = out.pow(2).mean()
        loss.backward()
        optimizer.step()
    assert controlnet.fc.weight.grad is not None
"""


def _marked(src):
    return src.replace("# FREEZE", "# expect: GRD407")


POSITIVES = [
    case(
        "dict-of-data-only",
        _marked(_CONTROLNET).replace('inputs.update({"extra": residual})', 'inputs.update({"extra": x * 2})'),
        lines=(18,),
    ),
    case(
        "residual-detached",
        _marked(_CONTROLNET).replace('inputs.update({"extra": residual})', 'inputs.update({"extra": residual.detach()})'),
        lines=(18,),
    ),
]

NEGATIVES = [
    case("residual-added-by-update", _CONTROLNET),
    case(
        "residual-added-by-keyword-update",
        _CONTROLNET.replace('inputs.update({"extra": residual})', "inputs.update(extra=residual)"),
    ),
    case(
        "residual-in-the-dict-display",
        _CONTROLNET.replace('inputs = {"x": x}', 'inputs = {"x": x, "extra": residual}').replace(
            '        inputs.update({"extra": residual})\n', ""
        ),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
