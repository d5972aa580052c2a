"""A convolution keeps its weight for backward even when its input does not require grad (torch 2.13:
``y = conv(x)``, a step on ``conv.weight``, then backward raises "modified by an inplace operation").
High-Resolution-Image-Inpainting-GAN #7: the first stage's loss is backpropagated with
``retain_graph=True``, its optimizer steps, then a total loss that still contains the first stage is
backpropagated: GRD205 when the first stage is a conv on the image. With ``nn.Linear`` on the image
(which keeps only the input then) that backward runs: silent."""

from snippets import findings

TWO_STAGES = """\
import torch
import torch.nn as nn

g1 = LAYER
g2 = nn.Conv1d(4, 4, 1)
optimizer_g1 = torch.optim.Adam(g1.parameters(), lr=1e-4)
optimizer_g = torch.optim.Adam(list(g1.parameters()) + list(g2.parameters()), lr=1e-4)
for _ in range(2):
    img = torch.randn(2, 4, 3)
    first_out = torch.tanh(g1(img))
    second_out = torch.tanh(g2(first_out))
    first_loss = (first_out - img).abs().mean()
    second_loss = (second_out - img).abs().mean()
    optimizer_g1.zero_grad()
    first_loss.backward(retain_graph=True)
    optimizer_g1.step()
    loss = 0.5 * first_loss + second_loss
    optimizer_g.zero_grad()
    loss.backward()
    optimizer_g.step()
"""


def test_a_conv_stage_stepped_before_the_total_backward():
    assert (19, "GRD205") in findings(TWO_STAGES.replace("LAYER", "nn.Conv1d(4, 4, 1)"))


def test_a_linear_stage_on_the_image_saves_no_weight():
    source = TWO_STAGES.replace("LAYER", "nn.Linear(3, 3)")
    assert "GRD205" not in [code for _, code in findings(source)]
