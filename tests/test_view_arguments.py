"""A view's arguments (``x.narrow(0, start, count)``, ``x.view(shape)``, ``x.expand(sizes)``) are sizes,
dims and offsets: the view's graph is its receiver's, whatever is known of the arguments. A
count read from an unresolved object (``p.numel()``) does not make a view of a buffer that does
not require grad one of unknown grad (GRD204 then exempts its ``.data``, as the buffer's own)."""

from tests.snippets import findings

BUFFER_VIEWS = """\
import torch


def gather(items, sizes, offsets, device):
    buffers = []
    for i, item in enumerate(items):
        buffers.append(torch.zeros(sizes[i] * 4, device=device))
        part = buffers[i].narrow(0, offsets[i], item.numel())
        part.copy_(item.detach().view(-1))
        item.data = part.data
    flat = torch.zeros(sum(sizes), device=device)
    shaped = flat.view(list(sizes))
    return shaped.data
"""


def test_data_of_a_view_of_a_buffer_with_unknown_offsets_is_not_reported():
    assert findings(BUFFER_VIEWS, "GRD204") == []


def test_data_of_a_view_of_a_parameter_with_unknown_offsets_is_still_reported():
    source = """\
    import torch


    def slices(offsets, count):
        w = torch.randn(100, requires_grad=True)
        part = w.narrow(0, offsets[0], count.numel())
        shaped = torch.nn.Linear(4, 4).weight.view(list(offsets))
        return part.data, shaped.data  # expect: GRD204
    """
    assert findings(source, "GRD204") == [(8, "GRD204"), (8, "GRD204")]


def test_a_view_of_a_grad_tensor_with_unknown_sizes_still_requires_grad():
    # the receiver's graph is kept: an in-place write to a leaf's view is still GRD201
    source = """\
    import torch


    def shrink(sizes):
        w = torch.randn(10, requires_grad=True)
        w.narrow(0, 0, sizes[0]).mul_(0.5)  # expect: GRD201
    """
    assert [code for _, code in findings(source)] == ["GRD201"]
