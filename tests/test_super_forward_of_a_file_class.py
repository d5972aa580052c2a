"""``super().forward(x)`` in a subclass of a module class of the file runs the base's forward on the
same ``self`` (siamese-triplet #51): its output is that forward's, so normalising it in place after its
norm was computed from it is GRD202. The out-of-place normalisation is silent."""

from snippets import findings

NETWORKS = """\
import torch
import torch.nn as nn


class EmbeddingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(8, 16), nn.PReLU(), nn.Linear(16, 2))

    def forward(self, x):
        return self.fc(x)


class EmbeddingNetL2(EmbeddingNet):
    def forward(self, x):
        output = super().forward(x)
        NORMALISE
        return output


model = EmbeddingNetL2()
loss = model(torch.randn(4, 8)).sum()
loss.backward()
"""


def test_an_in_place_division_of_the_base_forwards_output_by_its_norm():
    source = NETWORKS.replace("NORMALISE", "output /= output.pow(2).sum(1, keepdim=True).sqrt()")
    assert (17, "GRD202") in findings(source)


def test_the_out_of_place_division_is_silent():
    source = NETWORKS.replace("NORMALISE", "output = output / output.pow(2).sum(1, keepdim=True).sqrt()")
    assert "GRD202" not in [code for _, code in findings(source)]
