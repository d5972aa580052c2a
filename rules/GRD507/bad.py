# GRD507 discarded-tensor-result: `h.detach()` as a statement does nothing, so the recurrent state keeps the previous chunk's graph
# runtime: raises RuntimeError: Trying to backward through the graph a second time
import torch
import torch.nn as nn

torch.manual_seed(0)
cell = nn.RNNCell(3, 5)
readout = nn.Linear(5, 1)
optimizer = torch.optim.SGD(list(cell.parameters()) + list(readout.parameters()), lr=0.01)
sequence = torch.randn(40, 2, 3)
targets = torch.randn(40, 2, 1)

h = torch.zeros(2, 5)
for start in range(0, 40, 10):  # truncated backpropagation through time, 10 steps per chunk
    optimizer.zero_grad()
    loss = 0.0
    for t in range(start, start + 10):
        h = cell(sequence[t], h)
        loss = loss + (readout(h) - targets[t]).pow(2).mean()
    loss.backward()
    optimizer.step()
    h.detach()  # expect: GRD507
    print(f"chunk at {start}: loss {loss.item():.4f}")
