# GRD205 optimizer-step-before-backward: the discriminator steps between building the generator's loss through it and that loss's backward()
# runtime: raises RuntimeError: one of the variables needed for gradient computation has been modified by an inplace operation
import torch
import torch.nn as nn

torch.manual_seed(0)
G = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 4))
D = nn.Sequential(nn.Linear(4, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1), nn.Sigmoid())
bce = nn.BCELoss()
opt_g = torch.optim.Adam(G.parameters(), lr=2e-4)
opt_d = torch.optim.Adam(D.parameters(), lr=2e-4)
ones, zeros = torch.ones(8, 1), torch.zeros(8, 1)

for step in range(3):
    real = torch.randn(8, 4) + 2.0
    fake = G(torch.randn(8, 2))
    d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
    g_loss = bce(D(fake), ones)  # the generator's loss goes through D's current weights
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()  # updates D's weights in place
    opt_g.zero_grad()
    g_loss.backward()  # expect: GRD205
    opt_g.step()
    print(f"step {step}: d_loss {d_loss.item():.4f}, g_loss {g_loss.item():.4f}")
