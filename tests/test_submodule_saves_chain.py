"""The submodules a model's output went through (``Value.saved_params``) are named once, in the
caller's names, however long the chain of blocks: a block's forward renames only what it added,
not what its input already carried in (``submodule_saves``)."""

from test_analysis import probe


def _probe(source):
    return [value for value, _ in probe(source)]


def _chain(blocks: int) -> str:
    fields = "".join(f"        self.block{i} = Block()\n" for i in range(1, blocks + 1))
    calls = "".join(f"        x = self.block{i}(x)\n" for i in range(1, blocks + 1))
    return f"""
import torch
import torch.nn as nn

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Linear(4, 4)
        self.bn = nn.BatchNorm1d(4)

    def forward(self, x):
        return self.bn(self.conv(x))

class Net(nn.Module):
    def __init__(self):
        super().__init__()
{fields}
    def forward(self, x):
{calls}        probe(x)
        return x

net = Net()
out = net(torch.randn(2, 4))
"""


def test_a_chain_of_blocks_names_each_block_once():
    seen = _probe(_chain(12))
    assert seen, "the forward was walked"
    saved = set().union(*(value.saved_params for value in seen))
    # (the first block's Linear saves no weight: its input requires no grad)
    expected = {f"self.block{i}{part}" for i in range(1, 13) for part in ("", ".bn")}
    expected |= {f"self.block{i}.conv" for i in range(2, 13)}
    assert expected <= saved
    # nothing a block's input carried in is renamed as if it were the block's own submodule
    # (``self.block7.block1`` does not exist); before, the set doubled at each block (4,095 at the 12th)
    assert saved == expected


def test_a_block_own_submodules_are_still_renamed_into_the_caller_names():
    seen = _probe(_chain(2))
    saved = set().union(*(value.saved_params for value in seen))
    assert saved == {"self.block1", "self.block1.bn", "self.block2", "self.block2.conv", "self.block2.bn"}
