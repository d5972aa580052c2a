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
# sync the frozen target network with the online network: load_state_dict copies the values
target.load_state_dict(online.state_dict())
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
