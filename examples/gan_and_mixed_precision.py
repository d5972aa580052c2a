"""Train a small GAN, then fine-tune a classifier with mixed precision.

gradlint example with planted autograd pitfalls: every line that gradlint
should report carries a trailing expect comment naming the rule code. The
script fails at the generator's first backward with ``one of the variables
needed for gradient computation has been modified by an inplace operation``;
the later phases train nothing, clip scaled gradients, or train in eval mode
without any error.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

# --- a GAN on 2-d points ----------------------------------------------------
G = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 2))
D = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
opt_g = torch.optim.Adam(G.parameters(), lr=2e-4)
opt_d = torch.optim.Adam(D.parameters(), lr=2e-4)

for step in range(200):
    real = torch.randn(64, 2) * 0.5 + 2.0
    fake = G(torch.randn(64, 2))
    d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake.detach())).mean()
    g_loss = F.softplus(-D(fake)).mean()
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    opt_g.zero_grad()
    g_loss.backward()  # expect: GRD205
    opt_g.step()

# --- a sequence model trained by truncated backpropagation --------------------
cell = nn.GRUCell(2, 16)
readout = nn.Linear(16, 2)
seq_opt = torch.optim.SGD(list(cell.parameters()) + list(readout.parameters()), lr=0.01)
series = torch.randn(100, 1, 2)
h = torch.zeros(1, 16)
for start in range(0, 99, 11):
    loss = torch.zeros(())
    for t in range(start, start + 10):
        h = cell(series[t], h)
        loss = loss + F.mse_loss(readout(h), series[t + 1])
    loss.backward()
    seq_opt.zero_grad()  # expect: GRD508
    seq_opt.step()
    h.detach()  # expect: GRD507


# --- fine-tuning a classifier with mixed precision ----------------------------
class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Dropout(0.2))
        self.head = nn.Linear(64, 4)

    def forward(self, x):
        return self.head(self.backbone(x))


classifier = Classifier()
classifier.backbone.requires_grad_(False)
for p in classifier.parameters():
    p.requires_grad = True  # expect: GRD406
optimizer = torch.optim.AdamW(classifier.parameters(), lr=1e-3)
scaler = torch.amp.GradScaler("cpu")
features, labels = torch.randn(256, 16), torch.randint(0, 4, (256,))

for epoch in range(5):
    for i in range(0, 256, 32):
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = F.cross_entropy(classifier(features[i : i + 32]), labels[i : i + 32])
        scaler.scale(loss).backward()
        nn.utils.clip_grad_norm_(classifier.parameters(), max_norm=1.0)  # expect: GRD509
        scaler.step(optimizer)
        scaler.update()
    classifier.eval()  # expect: GRD510
    with torch.no_grad():
        accuracy = (classifier(features).argmax(1) == labels).float().mean().item()
    print(f"epoch {epoch}: accuracy {accuracy:.2f}")

# --- a linear probe on a frozen copy ------------------------------------------
probe = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 4))
for p in probe.parameters():
    p.requires_grad = False  # expect: GRD407
probe_opt = torch.optim.SGD(probe.parameters(), lr=0.1)
probe_loss = F.cross_entropy(probe(features), labels)
probe_loss.backward()
probe_opt.step()
