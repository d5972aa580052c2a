# GRD401 module-requires-grad-attr: `encoder.requires_grad = False` sets a plain attribute and freezes nothing
# runtime: asserts no encoder parameter requires grad (in bad.py every one still does)
import torch
import torch.nn as nn
import torch.optim as optim


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU())

    def forward(self, x):
        return self.net(x)


torch.manual_seed(0)
x = torch.randn(64, 10)
y = torch.randint(0, 3, (64,))

encoder = Encoder()  # stands in for a pretrained feature extractor
encoder.requires_grad = False  # expect: GRD401
head = nn.Linear(16, 3)
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(head.parameters(), lr=0.1)

for epoch in range(5):
    optimizer.zero_grad()
    loss = criterion(head(encoder(x)), y)
    loss.backward()
    optimizer.step()

assert not any(p.requires_grad for p in encoder.parameters()), "encoder is still trainable"
