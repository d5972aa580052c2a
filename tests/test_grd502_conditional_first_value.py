"""``total_loss = loss if total_loss is None else total_loss + loss`` (RecBole #307, a Trainer's
``_train_epoch``): the ``else`` arm adds each batch's loss tensor to the total that outlives the loop,
keeping every graph (GRD502). The same conditional with ``loss.item()`` adds numbers: silent."""

from snippets import findings

TRAINER = """\
import torch


class Trainer:
    def __init__(self, model):
        self.model = model
        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def _train_epoch(self, train_data):
        total_loss = None
        for interaction in train_data:
            self.optimizer.zero_grad()
            loss = self.model(interaction).pow(2).mean()
            total_loss = LOSS if total_loss is None else total_loss + LOSS
            loss.backward()
            self.optimizer.step()
        return total_loss


Trainer(torch.nn.Linear(4, 1))._train_epoch([torch.randn(2, 4) for _ in range(3)])
"""


def test_the_else_arm_accumulates_the_loss_tensor():
    assert (14, "GRD502") in findings(TRAINER.replace("LOSS", "loss"))


def test_the_else_arm_of_numbers_is_silent():
    assert "GRD502" not in [code for _, code in findings(TRAINER.replace("LOSS", "loss.item()"))]
