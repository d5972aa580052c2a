import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)
x = torch.randn(64, 10)
y_reg = torch.randn(64)
y_cls = torch.randint(0, 3, (64,))

# one network, two tasks: output column 0 is a regression, columns 1-3 are class logits
model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 4))
optimizer = optim.SGD(model.parameters(), lr=0.05)

# truncated backpropagation through time: the carried state is detached at the start of every step
gru = nn.GRUCell(10, 8)
gru_optimizer = optim.SGD(gru.parameters(), lr=0.05)
h = torch.zeros(64, 8)
for chunk in torch.randn(4, 64, 10):
    h = h.detach()
    gru_optimizer.zero_grad()
    h = gru(chunk, h)
    gru_loss = h.pow(2).mean()
    gru_loss.backward()
    gru_optimizer.step()
lstm = nn.LSTM(10, 8)
readout = nn.Linear(8, 1)
lstm_optimizer = optim.SGD(list(lstm.parameters()) + list(readout.parameters()), lr=0.05)
hidden = (torch.zeros(1, 64, 8), torch.zeros(1, 64, 8))
for chunk in torch.randn(4, 5, 64, 10):
    hidden = tuple(state.detach() for state in hidden)
    lstm_optimizer.zero_grad()
    seq_out, hidden = lstm(chunk, hidden)
    lstm_loss = readout(seq_out).pow(2).mean()
    lstm_loss.backward()
    lstm_optimizer.step()



# a GAN trainer that keeps its step's tensors on self (the pix2pix layout): the discriminator's step
# detaches self.fake for the discriminator's step, so the generator's graph is whole for its own step
class GANTrainer:
    def __init__(self, netG, netD):
        self.netG, self.netD = netG, netD
        self.opt_G = optim.Adam(netG.parameters(), lr=1e-3)
        self.opt_D = optim.Adam(netD.parameters(), lr=1e-3)

    def forward(self, z):
        self.fake = self.netG(z)

    def backward_D(self, real):
        self.loss_D = F.softplus(self.netD(self.fake.detach())).mean() + F.softplus(-self.netD(real)).mean()
        self.loss_D.backward()

    def backward_G(self):
        self.loss_G = F.softplus(-self.netD(self.fake)).mean()
        self.loss_G.backward()

    def step(self, z, real):
        self.forward(z)
        self.opt_D.zero_grad()
        self.backward_D(real)
        self.opt_D.step()
        self.opt_G.zero_grad()
        self.backward_G()
        self.opt_G.step()


gan = GANTrainer(nn.Sequential(nn.Linear(4, 10), nn.Tanh()), nn.Linear(10, 1))
for real in torch.randn(3, 16, 10):
    gan.step(torch.randn(16, 4), real)
assert all(p.grad is not None for p in gan.netG.parameters())


# REINFORCE keeping each step's log-probability in a list that is emptied after every update
policy = nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=-1))
policy_optimizer = optim.Adam(policy.parameters(), lr=1e-2)
saved_log_probs = []
for episode in range(3):
    for t in range(5):
        m = torch.distributions.Categorical(policy(torch.randn(4)))
        saved_log_probs.append(m.log_prob(m.sample()))
    policy_optimizer.zero_grad()
    policy_loss = -torch.stack(saved_log_probs).sum()
    policy_loss.backward()
    policy_optimizer.step()
    del saved_log_probs[:]


for epoch in range(5):
    optimizer.zero_grad()
    out = model(x)
    loss_reg = F.mse_loss(out[:, 0], y_reg)
    loss_cls = F.cross_entropy(out[:, 1:], y_cls)
    # one backward through the shared graph for both tasks
    (loss_reg + loss_cls).backward()
    optimizer.step()
    print(f"epoch {epoch}: regression {loss_reg.item():.4f}, classification {loss_cls.item():.4f}")

assert all(p.grad is not None for p in model.parameters())
