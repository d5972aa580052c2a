"""GRD502 in the loop of Hugging Face's no_trainer scripts: ``loss = outputs.loss``, then
``accelerator.backward(loss)`` and ``total_loss += loss``. The check for a differentiable unroll (a
name rebound from its own value and fed to the next step, as a MAML inner loop does) took
``outputs.loss`` for a read of ``loss``: the attribute's name is no read of the variable. The loop
keeps every step's graph in ``total_loss``; ``total_loss += loss.detach().float()`` (the scripts' own
line) keeps none."""

import pytest

from snippets import findings

PROGRAM = """\
import torch
from accelerate import Accelerator
from transformers import AutoModelForSequenceClassification


def main(train_dataloader, num_epochs=3):
    accelerator = Accelerator()
    model = AutoModelForSequenceClassification.from_pretrained("bert-base-cased")
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
    model, optimizer, train_dataloader = accelerator.prepare(model, optimizer, train_dataloader)
    for epoch in range(num_epochs):
        model.train()
        total_loss = 0
        for step, batch in enumerate(train_dataloader):
            outputs = model(**batch)
            loss = outputs.loss
            ACCUMULATE
            BACKWARD
            optimizer.step()
            optimizer.zero_grad()
        accelerator.print(epoch, total_loss.item() / len(train_dataloader))
"""


@pytest.mark.parametrize("backward", ["accelerator.backward(loss)", "loss.backward()"])
def test_a_loss_summed_with_its_graph_is_reported(backward):
    program = PROGRAM.replace("ACCUMULATE", "total_loss += loss").replace("BACKWARD", backward)
    assert findings(program, "GRD502") == [(17, "GRD502")]


def test_the_detached_sum_is_silent():
    program = PROGRAM.replace("ACCUMULATE", "total_loss += loss.detach().float()").replace(
        "BACKWARD", "accelerator.backward(loss)"
    )
    assert findings(program, "GRD502") == []
