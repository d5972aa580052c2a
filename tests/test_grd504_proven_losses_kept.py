"""GRD504: losses appended to a list, each backpropagated in its step, then summed and backpropagated
again (a meta-learner's ``meta_loss = sum(losses)``), where the loss function is not known and only the
step's ``loss.backward()`` proves the loss requires grad: torch 2.13 raises "Trying to backward through
the graph a second time". Retained graphs, plain numbers, or a sum only logged are fine."""

from snippets import case_maker, rule_tests

case = case_maker("GRD504")


def _meta(step_backward="loss.backward()", stored="loss", after="meta_loss.backward()", mark=""):
    return f"""
import torch
import torch.nn as nn


def train(model, loss_func, learned_update, data, meta_optimizer, meta_epochs):
    for meta_epoch in range(meta_epochs):
        meta_optimizer.zero_grad()
        losses = []
        for inputs, labels in data:
            model.zero_grad()
            loss = loss_func(model(inputs), labels)
            losses.append({stored})
            {step_backward}
            learned_update(model)
        meta_loss = sum(losses)
        {after}{mark}
        meta_optimizer.step()


# built by name from a configuration, as real scripts do: the linter knows neither the model nor the loss
model = getattr(nn, "Linear")(4, 2)
scale = nn.Parameter(torch.tensor(0.1))


def learned_update(net):
    for p in net.parameters():
        p.grad = p.grad * scale


data = [(torch.randn(3, 4), torch.tensor([0, 1, 0]))] * 2
train(model, getattr(nn, "CrossEntropyLoss")(), learned_update, data, torch.optim.SGD([scale], lr=0.1), 2)
"""


POSITIVES = [
    case("meta_loss_over_losses_each_backpropagated", _meta(mark="  # expect: GRD504"), lines=(17,)),
    # the same loop with the loss from a helper of a module the linter does not see (only the step's
    # backward() tells the loss requires grad; whether it is a leaf is not known, and a loss is not one)
    case(
        "loss_from_a_helper_of_an_unseen_module",
        """
import torch
from meta_helpers import step_loss


def train(model, data, meta_optimizer, meta_epochs):
    for meta_epoch in range(meta_epochs):
        meta_optimizer.zero_grad()
        losses = []
        for inputs, labels in data:
            model.zero_grad()
            loss = step_loss(model, inputs, labels)
            losses.append(loss)
            loss.backward()
        meta_loss = sum(losses)
        meta_loss.backward()  # expect: GRD504
        meta_optimizer.step()
""",
        lines=(16,),
    ),
]

NEGATIVES = [
    case("each_step_retains_its_graph", _meta(step_backward="loss.backward(retain_graph=True)")),
    case("numbers_kept", _meta(stored="loss.item()", after="print(meta_loss)")),
    case("sum_only_logged", _meta(after="print(float(meta_loss))")),
]

test_fires, test_silent = rule_tests("GRD504", POSITIVES, NEGATIVES)
