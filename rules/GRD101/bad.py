# GRD101 tensor-from-graph-values: per-sequence scores packed with torch.tensor(...) are copied out of the graph
# runtime: raises RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn
import torch
import torch.nn as nn
import torch.optim as optim
from torch.autograd import Variable


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
    scores = torch.tensor([model(seq).sum() for seq in sequences])  # expect: GRD101
    centre = Variable(model(sequences[0]).sum())  # expect: GRD101
    loss = criterion(scores - centre, targets)
    loss.backward()  # expect: GRD103
    optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
