"""GRD405 after a model frozen whole is given a new head (``Value.placed``).

``build_classifier`` freezes every parameter of a backbone, then places ``model.fc = nn.Linear(...)``:
the model trains again, but only its new head. An optimizer over ``net.fc.parameters()`` covers all
that trains. Once placing a layer made the model trainable, GRD405 read the class's own layers
(``layer1`` with parameters) and reported the optimizer (corpus_threads3 negative n09).
"""

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn


class ResNetish(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Linear(16, 1000)

    def forward(self, x):
        return self.fc(self.layer1(x))


def build_classifier(num_classes):
    model = ResNetish()
    FREEZE
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model


def train(model, loader, criterion, optimizer, epochs=2):
    for epoch in range(epochs):
        model.train()
        for inputs, labels in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), labels)
            loss.backward()
            optimizer.step()


if __name__ == "__main__":
    net = build_classifier(10)
    opt = torch.optim.SGD(net.fc.parameters(), lr=0.001, momentum=0.9)
    train(net, [(torch.randn(2, 3, 8, 8), torch.tensor([1, 2]))], nn.CrossEntropyLoss(), opt)
"""


def test_optimizer_over_the_only_placed_head_is_silent():
    src = PROGRAM.replace("FREEZE", "for param in model.parameters():\n        param.requires_grad = False")
    assert findings(src, "GRD405") == []


def test_head_placed_without_a_freeze_leaves_the_backbone_training():
    # nothing frozen: layer1 still requires grad and no optimizer updates it
    assert findings(PROGRAM.replace("FREEZE", "pass"), "GRD405") == [(34, "GRD405")]
