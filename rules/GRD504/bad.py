# GRD504 backward-twice: an RNN's hidden state carried across training steps without detach(), the two
# task losses of one multi-task output backpropagated one after the other, and a GAN trainer whose
# discriminator step frees the generator's graph held on self, and REINFORCE's list of log-probabilities
# never emptied between episodes
# runtime: raises RuntimeError: Trying to backward through the graph a second time
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

# truncated backpropagation through time: the hidden state enters each step still attached to the previous
# step's graph, which that step's backward() freed (collected to show both the GRU and the LSTM shape)
errors = []
gru = nn.GRUCell(10, 8)
gru_optimizer = optim.SGD(gru.parameters(), lr=0.05)
h = torch.zeros(64, 8)
try:
    for chunk in torch.randn(4, 64, 10):
        gru_optimizer.zero_grad()
        h = gru(chunk, h)
        gru_loss = h.pow(2).mean()
        gru_loss.backward()  # expect: GRD504
        gru_optimizer.step()
except RuntimeError as error:
    errors.append(str(error))
lstm = nn.LSTM(10, 8)
readout = nn.Linear(8, 1)
lstm_optimizer = optim.SGD(list(lstm.parameters()) + list(readout.parameters()), lr=0.05)
hidden = (torch.zeros(1, 64, 8), torch.zeros(1, 64, 8))
try:
    for chunk in torch.randn(4, 5, 64, 10):
        lstm_optimizer.zero_grad()
        seq_out, hidden = lstm(chunk, hidden)
        lstm_loss = readout(seq_out).pow(2).mean()
        lstm_loss.backward()  # expect: GRD504
        lstm_optimizer.step()
except RuntimeError as error:
    errors.append(str(error))


# a GAN trainer that keeps its step's tensors on self (the pix2pix layout): the discriminator's step
# backpropagates through self.fake without detach(), freeing the generator's graph before the generator's step
class GANTrainer:
    def __init__(self, netG, netD):
        self.netG, self.netD = netG, netD
        self.opt_G = optim.Adam(netG.parameters(), lr=1e-3)
        self.opt_D = optim.Adam(netD.parameters(), lr=1e-3)

    def forward(self, z):
        self.fake = self.netG(z)

    def backward_D(self, real):
        self.loss_D = F.softplus(self.netD(self.fake)).mean() + F.softplus(-self.netD(real)).mean()
        self.loss_D.backward()

    def backward_G(self):
        self.loss_G = F.softplus(-self.netD(self.fake)).mean()
        self.loss_G.backward()  # expect: GRD504

    def step(self, z, real):
        self.forward(z)
        self.opt_D.zero_grad()
        self.backward_D(real)
        self.opt_D.step()
        self.opt_G.zero_grad()
        self.backward_G()
        self.opt_G.step()


gan = GANTrainer(nn.Sequential(nn.Linear(4, 10), nn.Tanh()), nn.Linear(10, 1))
try:
    for real in torch.randn(3, 16, 10):
        gan.step(torch.randn(16, 4), real)
except RuntimeError as error:
    errors.append(str(error))

# REINFORCE keeping each step's log-probability in a list that nothing empties: the second episode
# backpropagates the first one's freed graphs again
policy = nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=-1))
policy_optimizer = optim.Adam(policy.parameters(), lr=1e-2)
saved_log_probs = []
try:
    for episode in range(3):
        for t in range(5):
            m = torch.distributions.Categorical(policy(torch.randn(4)))
            saved_log_probs.append(m.log_prob(m.sample()))
        policy_optimizer.zero_grad()
        policy_loss = -torch.stack(saved_log_probs).sum()
        policy_loss.backward()  # expect: GRD504
        policy_optimizer.step()
except RuntimeError as error:
    errors.append(str(error))
assert len(errors) == 4 and all("backward through the graph a second time" in e for e in errors), errors

for epoch in range(5):
    optimizer.zero_grad()
    out = model(x)
    loss_reg = F.mse_loss(out[:, 0], y_reg)
    loss_reg.backward()
    loss_cls = F.cross_entropy(out[:, 1:], y_cls)
    loss_cls.backward()  # expect: GRD504
    optimizer.step()
    print(f"epoch {epoch}: regression {loss_reg.item():.4f}, classification {loss_cls.item():.4f}")
