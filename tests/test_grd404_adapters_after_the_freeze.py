"""GRD404 claims nothing trains: a new layer put on a model before the model is frozen whole. A call
after the freeze that may add trainable parameters to the model (an adapter injected by a library,
``unet.add_adapter(lora_config)`` or ``get_peft_model(unet, config)``) makes that claim unknown: LoRA
layers train and backward() does not raise (diffusers' InstructPix2Pix LoRA example replaces
``unet.conv_in``, freezes the UNet, then adds its adapters). Methods and functions that leave
``requires_grad`` as it is (``.to()``, ``.eval()``, ``torch.compile``, ``print``) keep the finding.
"""

import pytest

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn
from peft import LoraConfig, get_peft_model


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_in = nn.Linear(4, 8)
        self.body = nn.Linear(8, 2)

    def forward(self, x):
        return self.body(self.conv_in(x))


unet = Net()
unet.conv_in = nn.Linear(6, 8)
unet.requires_grad_(False)
config = LoraConfig(r=4, target_modules=["body"])
AFTER
optimizer = torch.optim.AdamW([p for p in unet.parameters() if p.requires_grad], lr=1e-4)
for step in range(3):
    loss = unet(torch.randn(2, 6)).sum()
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
"""


@pytest.mark.parametrize("after", ["unet.add_adapter(config)", "unet = get_peft_model(unet, config)"])
def test_an_adapter_added_after_the_freeze_leaves_it_unjudged(after):
    assert findings(PROGRAM.replace("AFTER", after), "GRD404") == []


@pytest.mark.parametrize(
    "after",
    ["unet.to('cpu')", "unet.eval()", "unet = torch.compile(unet)", "print(unet)", "pass"],
)
def test_calls_that_keep_requires_grad_keep_the_finding(after):
    assert findings(PROGRAM.replace("AFTER", after), "GRD404") == [(17, "GRD404")]
