"""GRD502: a loop that runs a model over the chunks of one input and hands the list of outputs to the
model whole (a chunked encoder, a prefix scan over the chunks of one sequence) holds the pieces of one
computation, not a history that grows with the data. An evaluation loop over batches, or over slices
of a dataset tensor whose outputs are only concatenated, still keeps every batch's graph."""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

HEADER = """\
import torch
import torch.nn as nn


class ScanModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(8, 8)
        self.mix = nn.Linear(8, 8)

    def combine(self, parts):
        return self.mix(torch.stack(parts, dim=1).sum(1))

    def forward(self, x):
        return self.combine([self.embed(x[:, i]) for i in range(x.size(1))])


"""

CHUNKS_CONSUMED = HEADER + """\
def check_scan(model, n_chunks):
    model.eval()
    tokens = torch.randn(2, n_chunks, 8)
    parts = []
    for i in range(n_chunks):
        parts.append(model.embed(tokens[:, i]))
    whole = model.combine(parts)
    print(whole.norm().item())


check_scan(ScanModel(), 4)
"""

BATCHES_CONSUMED = HEADER + """\
def evaluate(model, loader):
    model.eval()
    outputs = []
    for x, y in loader:
        outputs.append(model.embed(x))
    return model.combine(outputs).mean().item()


evaluate(ScanModel(), [(torch.randn(2, 8), 0)] * 3)
"""

DATASET_SLICES_CONCATENATED = HEADER + """\
def predict(model, data, batch_size):
    model.eval()
    preds = []
    for start in range(0, len(data), batch_size):
        preds.append(model.embed(data[start:start + batch_size]))
    return torch.cat(preds).argmax(-1).tolist()


predict(ScanModel(), torch.randn(10, 8), 4)
"""

CHUNKS_OF_ANOTHER_MODEL = HEADER + """\
def check_scan(model, other, n_chunks):
    model.eval()
    tokens = torch.randn(2, n_chunks, 8)
    parts = []
    for i in range(n_chunks):
        parts.append(other(tokens[:, i]))
    whole = model.combine(parts)
    print(whole.norm().item())


check_scan(ScanModel(), nn.Linear(8, 8), 4)
"""


def lines(src):
    return [f.line for f in lint_text(src, "m.py", [BY_CODE["GRD502"]])]


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_chunks_of_one_input_consumed_whole_by_the_model():
    assert lines(CHUNKS_CONSUMED) == []


def test_batches_of_a_loader_consumed_by_the_model_are_a_history():
    assert lines(BATCHES_CONSUMED) == [line_of(BATCHES_CONSUMED, "outputs.append")]


def test_slices_of_a_dataset_only_concatenated_are_a_history():
    assert lines(DATASET_SLICES_CONCATENATED) == [line_of(DATASET_SLICES_CONCATENATED, "preds.append")]


def test_chunks_handed_to_a_model_that_did_not_make_them_are_a_history():
    assert lines(CHUNKS_OF_ANOTHER_MODEL) == [line_of(CHUNKS_OF_ANOTHER_MODEL, "parts.append")]
