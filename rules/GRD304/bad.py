# GRD304 requires-grad-on-data: the input batch is created with requires_grad=True although only the model is trained
# runtime: asserts backward() accumulates gradients into the model's parameters only (in bad.py the backward graph also leads to the input batch, whose gradient is computed and stored every step)
import torch
import torch.nn as nn
import torch.optim as optim


def gradient_leaves(fn):
    """The tensors a backward() from the node fn accumulates gradients into."""
    if fn is None:
        return []
    if hasattr(fn, "variable"):  # an AccumulateGrad node
        return [fn.variable]
    return [leaf for next_fn, _ in fn.next_functions for leaf in gradient_leaves(next_fn)]


torch.manual_seed(0)
x = torch.randn(64, 10, requires_grad=True)  # expect: GRD304
y = torch.randn(64, 1)
x_aux = torch.randn(64, 10)  # an auxiliary batch
x_aux.requires_grad_()  # expect: GRD304

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
criterion = nn.MSELoss()
optimizer = optim.Adam(model.parameters(), lr=1e-2)

for epoch in range(5):
    optimizer.zero_grad()
    loss = criterion(model(x), y) + 0.1 * criterion(model(x_aux), y)
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")

n_params = len(list(model.parameters()))
assert len({id(t) for t in gradient_leaves(loss.grad_fn)}) == n_params, "backward() also computes a gradient for the input data"
