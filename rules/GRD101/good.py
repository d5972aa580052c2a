import torch
import torch.nn as nn
import torch.optim as optim


class SequenceScorer(nn.Module):
    """Scores a sequence by summing a per-step linear score."""

    def __init__(self, n_features):
        super().__init__()
        self.step = nn.Linear(n_features, 1)

    def forward(self, seq):
        return self.step(seq).squeeze(-1)


torch.manual_seed(0)
sequences = torch.randn(6, 5, 4)  # 6 sequences of 5 steps, 4 features each
targets = torch.randn(6)

model = SequenceScorer(4)
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.02)

for epoch in range(3):
    optimizer.zero_grad()
    # torch.stack keeps every score connected to the graph
    scores = torch.stack([model(seq).sum() for seq in sequences])
    centre = model(sequences[0]).sum()  # not Variable(...): under PyTorch 2 that detaches it
    loss = criterion(scores - centre, targets)
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")

assert all(p.grad is not None for p in model.parameters())
