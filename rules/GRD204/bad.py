# GRD204 data-attribute: the target network is "copied" from the online network through .data, which shares their storage
# runtime: asserts the target network keeps the weights it was synced with (in bad.py it silently moves with every optimizer step of the online network)
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)
states = torch.randn(64, 4)
rewards = torch.randn(64, 2)

online = nn.Linear(4, 2)
target = nn.Linear(4, 2)
target.requires_grad_(False)
# sync the frozen target network with the online network
target.weight.data = online.weight.data  # expect: GRD204
target.bias.data = online.bias.data  # expect: GRD204
synced_weight = online.weight.detach().clone()

optimizer = optim.SGD(online.parameters(), lr=0.1)
for step in range(10):
    optimizer.zero_grad()
    with torch.no_grad():
        bootstrap = 0.5 * target(states)
    loss = F.mse_loss(online(states), rewards + bootstrap)
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.4f}")

assert torch.equal(target.weight, synced_weight), "the target network moved with the online network"
