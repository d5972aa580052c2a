"""GRD205 optimizer-step-before-backward: a step() between building a graph from its parameters and its backward()."""

from textwrap import dedent

from snippets import case_maker, rule_tests

CODE = "GRD205"
case = case_maker(CODE)

GAN = """\
import torch
import torch.nn as nn

G = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 4))
D = nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1), nn.Sigmoid())
bce = nn.BCELoss()
opt_g = torch.optim.Adam(G.parameters())
opt_d = torch.optim.Adam(D.parameters())
ones, zeros = torch.ones(8, 1), torch.zeros(8, 1)
"""

POSITIVES = [
    case(
        "optimizer-class-a-constructor-argument-critic-stepped-before-the-policy-loss-backward",
        # oac-explore trainer.py shape: `optimizer_class(self.qf1.parameters(), lr=...)` is an optimizer over
        # qf1 whatever the class; policy_loss went through qf1 before its step
        """\
        import torch.optim as optim


        class SACTrainer:
            def __init__(self, policy_producer, q_producer, lr=3e-4, optimizer_class=optim.Adam):
                self.policy = policy_producer()
                self.qf1 = q_producer()
                self.qf1_optimizer = optimizer_class(self.qf1.parameters(), lr=lr)
                self.policy_optimizer = optimizer_class(self.policy.parameters(), lr=lr)

            def train_from_torch(self, obs, actions, q_target):
                policy_loss = -self.qf1(obs, self.policy(obs)).mean()
                qf1_loss = ((self.qf1(obs, actions) - q_target) ** 2).mean()
                self.qf1_optimizer.zero_grad()
                qf1_loss.backward()
                self.qf1_optimizer.step()
                self.policy_optimizer.zero_grad()
                policy_loss.backward()  # expect: GRD205
                self.policy_optimizer.step()
        """,
        lines=(18,),
    ),
    case(
        "optimizers-of-a-factory-discriminator-stepped-before-the-generator-loss-backward",
        # the optimizers come from a helper of another file (parameters unknown): opt_d was cleared,
        # only d_loss (through D and G) gave gradients since, so its step updates D's or G's
        # parameters, and g_loss saved both
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from utils import make_optimizer



        def train(loader):
            G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 6))
            D = nn.Sequential(nn.Linear(6, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
            opt_g, opt_d = make_optimizer(G), make_optimizer(D)
            for real in loader:
                fake = G(torch.randn(real.size(0), 4))
                d_real, d_fake = D(real), D(fake)
                d_loss = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
                g_loss = F.softplus(-d_fake).mean()
                opt_d.zero_grad()
                d_loss.backward(retain_graph=True)
                opt_d.step()
                opt_g.zero_grad()
                g_loss.backward()  # expect: GRD205
                opt_g.step()
        """,
        lines=(21,),
    ),
    case(
        "optimizers-passed-to-a-trainer-generator-loss-built-before-the-discriminator-step",
        # d_loss went through D only (fake detached): whatever opt_d updates is D's, saved by g_loss
        """\
        import torch.nn as nn


        class Trainer:
            def __init__(self, opt_g, opt_d):
                self.G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 6))
                self.D = nn.Sequential(nn.Linear(6, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
                self.opt_g = opt_g
                self.opt_d = opt_d

            def step(self, real, z):
                fake = self.G(z)
                d_loss = self.D(real).mean() - self.D(fake.detach()).mean()
                g_loss = -self.D(fake).mean()
                self.opt_d.zero_grad()
                d_loss.backward()
                self.opt_d.step()
                self.opt_g.zero_grad()
                g_loss.backward()  # expect: GRD205
                self.opt_g.step()
                return d_loss.item(), g_loss.item()
        """,
        lines=(19,),
    ),
    case(
        "discriminator-run-after-the-generator-step-on-a-part-of-its-output",
        # HiNet: x_fake, a part of the generator's output (class from another file), goes into the
        # discriminator after optimizer_G.step(): loss_D backpropagates into the generator's old graph
        """\
        import torch
        import torch.nn as nn
        import model.syn_model as models


        class LatentSynthModel:
            def __init__(self):
                self.generator = models.Multi_modal_generator(1, 1, 32)
                self.discriminator = models.Discriminator()

            def train(self, loader, valid, fake):
                optimizer_D = torch.optim.Adam(self.discriminator.parameters())
                optimizer_G = torch.optim.Adam(self.generator.parameters())
                criterion = nn.MSELoss()
                for x, x3 in loader:
                    optimizer_G.zero_grad()
                    x_fake, x1_re, x2_re = self.generator(x)
                    loss_G = criterion(self.discriminator(x_fake), valid) + criterion(x1_re, x)
                    loss_G.backward(retain_graph=True)
                    optimizer_G.step()
                    optimizer_D.zero_grad()
                    loss_real = criterion(self.discriminator(x3), valid)
                    loss_fake = criterion(self.discriminator(x_fake), fake)
                    loss_D = (loss_real + loss_fake) / 2
                    loss_D.backward()  # expect: GRD205
                    optimizer_D.step()
        """,
        [25],
    ),
    case(
        "discriminator-on-a-part-of-the-output-of-a-model-of-another-file",
        # FactorVAE solver.py: the VAE and the discriminator come from model.py (not linted); z, a part
        # of the VAE's output, goes into D; the VAE steps, then D's loss backpropagates through z
        """\
        import torch
        import torch.nn.functional as F
        import torch.optim as optim
        from model import FactorVAE, Discriminator


        class Solver:
            def __init__(self, z_dim):
                self.VAE = FactorVAE(z_dim)
                self.optim_VAE = optim.Adam(self.VAE.parameters())
                self.D = Discriminator(z_dim)
                self.optim_D = optim.Adam(self.D.parameters())

            def train(self, loader, zeros, ones):
                for x1, x2 in loader:
                    x_recon, mu, logvar, z = self.VAE(x1)
                    D_z = self.D(z)
                    vae_loss = F.mse_loss(x_recon, x1) + (D_z[:, :1] - D_z[:, 1:]).mean()
                    self.optim_VAE.zero_grad()
                    vae_loss.backward(retain_graph=True)
                    self.optim_VAE.step()
                    z_prime = self.VAE(x2, no_dec=True)
                    D_z_pperm = self.D(z_prime.detach())
                    D_tc_loss = 0.5 * (F.cross_entropy(D_z, zeros) + F.cross_entropy(D_z_pperm, ones))
                    self.optim_D.zero_grad()
                    D_tc_loss.backward()  # expect: GRD205
                    self.optim_D.step()
        """,
        [26],
    ),
    case(
        "gan-model-steps-the-discriminator-before-backpropagating-a-generator-loss-from-process",
        # edge-connect's EdgeModel: optimizers built in __init__ over local names that
        # add_module / a field store make self.generator and self.discriminator
        """\
        import torch
        import torch.nn as nn
        import torch.optim as optim
        from .networks import Generator, Discriminator


        class GANModel(nn.Module):
            def __init__(self):
                super().__init__()
                generator = Generator()
                discriminator = Discriminator()
                self.add_module("generator", generator)
                self.discriminator = discriminator
                self.gen_optimizer = optim.Adam(params=generator.parameters(), lr=1e-4)
                self.dis_optimizer = optim.Adam(params=discriminator.parameters(), lr=4e-4)

            def process(self, images):
                self.gen_optimizer.zero_grad()
                self.dis_optimizer.zero_grad()
                outputs = self.generator(images)
                dis_loss = self.discriminator(outputs.detach()).mean() - self.discriminator(images).mean()
                gen_loss = -self.discriminator(outputs).mean()
                return outputs, gen_loss, dis_loss

            def backward(self, gen_loss=None, dis_loss=None):
                if dis_loss is not None:
                    dis_loss.backward()
                self.dis_optimizer.step()
                if gen_loss is not None:
                    gen_loss.backward()  # expect: GRD205
                self.gen_optimizer.step()


        class Trainer:
            def __init__(self):
                self.model = GANModel()

            def train(self, loader):
                for images in loader:
                    outputs, gen_loss, dis_loss = self.model.process(images)
                    self.model.backward(gen_loss, dis_loss)
        """,
        [30],
    ),
    case(
        "gan-with-models-wrapped-in-dataparallel",
        # HiNet: the generator's step before the discriminator's backward through the generator's
        # graph; both models are DataParallel on several GPUs
        """\
        import torch
        import torch.nn as nn

        class Generator(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Linear(4, 4)
                self.b = nn.Linear(4, 4)

            def forward(self, x):
                return self.b(self.a(x)), x

        class Model:
            def __init__(self):
                self.generator = Generator()
                self.discriminator = nn.Linear(4, 1)
                if torch.cuda.device_count() > 1:
                    self.generator = nn.DataParallel(self.generator)
                    self.discriminator = nn.DataParallel(self.discriminator)

            def train(self, loader):
                opt_d = torch.optim.Adam(self.discriminator.parameters())
                opt_g = torch.optim.Adam(self.generator.parameters())
                for x in loader:
                    opt_g.zero_grad()
                    fake, _ = self.generator(x)
                    self.discriminator(fake).mean().backward(retain_graph=True)
                    opt_g.step()
                    opt_d.zero_grad()
                    loss_d = self.discriminator(fake).mean()
                    loss_d.backward()  # expect: GRD205
                    opt_d.step()
        """,
        [31],
    ),
    case(
        "critic-steps-then-returns-its-td-error-to-the-actor",
        """\
        import torch
        import torch.nn as nn

        class Critic:
            def __init__(self):
                self.net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
                self.optimizer = torch.optim.Adam(self.net.parameters())

            def learn(self, s, r, s_):
                td_error = r + 0.9 * self.net(s_) - self.net(s)
                loss = (td_error ** 2).mean()
                self.optimizer.zero_grad()
                loss.backward(retain_graph=True)
                self.optimizer.step()
                return td_error

        class Actor:
            def __init__(self):
                self.net = nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=-1))
                self.optimizer = torch.optim.Adam(self.net.parameters())

            def learn(self, s, a, td):
                loss = -(torch.log(self.net(s)[0, a]) * td).mean()
                self.optimizer.zero_grad()
                loss.backward()  # expect: GRD205
                self.optimizer.step()

        critic, actor = Critic(), Actor()
        for t in range(3):
            s, s_ = torch.randn(1, 4), torch.randn(1, 4)
            td_error = critic.learn(s, 1.0, s_)
            actor.learn(s, 0, td_error)
        """,
        [25],
    ),
    case(
        "generator-and-encoder-stepped-every-few-iterations-before-the-discriminator-backward",
        """\
        import itertools
        import torch
        import torch.nn as nn

        generator = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 4))
        encoder = nn.Linear(4, 4)
        discriminator = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        optimizer_ge = torch.optim.Adam(itertools.chain(generator.parameters(), encoder.parameters()))
        optimizer_d = torch.optim.Adam(discriminator.parameters())
        for i in range(6):
            optimizer_ge.zero_grad()
            optimizer_d.zero_grad()
            gen_imgs = generator(torch.randn(2, 4))
            d_gen = discriminator(gen_imgs)
            d_real = discriminator(torch.randn(2, 4))
            if i % 3 == 0:
                ge_loss = d_gen.mean() + encoder(gen_imgs).pow(2).mean()
                ge_loss.backward(retain_graph=True)
                optimizer_ge.step()
            d_loss = d_real.mean() - d_gen.mean()
            d_loss.backward()  # expect: GRD205
            optimizer_d.step()
        """,
        [21],
    ),
    case(
        "infogan-auxiliary-head-of-a-model-class-after-the-generator-step",
        """\
        import torch
        import torch.nn as nn

        class Generator(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(2, 8)
                self.fc2 = nn.Linear(8, 4)

            def forward(self, z):
                return self.fc2(torch.relu(self.fc1(z)))

        class Discriminator(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Linear(4, 8)
                self.adv = nn.Linear(8, 1)
                self.code = nn.Linear(8, 2)

            def forward(self, x):
                h = torch.relu(self.body(x))
                return torch.sigmoid(self.adv(h)), self.code(h)

        class InfoGAN:
            def __init__(self):
                self.G, self.D = Generator(), Discriminator()
                self.G_optimizer = torch.optim.Adam(self.G.parameters())
                self.info_optimizer = torch.optim.Adam(list(self.G.parameters()) + list(self.D.parameters()))

            def train(self, steps):
                for _ in range(steps):
                    z = torch.rand(8, 2)
                    self.G_optimizer.zero_grad()
                    self.info_optimizer.zero_grad()
                    fake = self.G(z)
                    score, code = self.D(fake)
                    g_loss = nn.functional.binary_cross_entropy(score, torch.ones(8, 1))
                    g_loss.backward(retain_graph=True)
                    self.G_optimizer.step()
                    info_loss = (code - z).pow(2).mean()
                    info_loss.backward()  # expect: GRD205
                    self.info_optimizer.step()
        """,
        [41],
    ),
    case(
        "gan-generator-loss-built-before-the-discriminator-step",
        GAN
        + dedent("""\
        for step in range(3):
            fake = G(torch.randn(8, 2))
            d_loss = bce(D(torch.randn(8, 4)), ones) + bce(D(fake.detach()), zeros)
            g_loss = bce(D(fake), ones)
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
            opt_g.zero_grad()
            g_loss.backward()  # expect: GRD205
            opt_g.step()
        """),
        [18],
    ),
    case(
        "discriminator-output-reused-after-the-step",
        GAN
        + dedent("""\
        fake = G(torch.randn(8, 2))
        d_out = D(fake)
        d_loss = bce(d_out, zeros)
        d_loss.backward(retain_graph=True)
        opt_d.step()
        g_loss = bce(d_out, ones)
        g_loss.backward()  # expect: GRD205
        """),
        [16],
    ),
    case(
        "one-model-two-losses-on-a-leaf-input",
        """\
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        x = torch.randn(4, 3, requires_grad=True)
        out = model(x)
        first, second = out.sum(), out.pow(2).sum()
        first.backward(retain_graph=True)
        optimizer.step()
        second.backward()  # expect: GRD205
        """,
        [11],
    ),
    case(
        "gan-trainer-class",
        """\
        import torch
        import torch.nn as nn


        class GANTrainer:
            def __init__(self):
                self.G = nn.Sequential(nn.Linear(2, 4), nn.Tanh())
                self.D = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1))
                self.opt_g = torch.optim.Adam(self.G.parameters())
                self.opt_d = torch.optim.Adam(self.D.parameters())

            def step(self, real, z):
                fake = self.G(z)
                d_loss = self.D(fake.detach()).mean() - self.D(real).mean()
                g_loss = -self.D(fake).mean()
                self.opt_d.zero_grad()
                d_loss.backward()
                self.opt_d.step()
                self.opt_g.zero_grad()
                g_loss.backward()  # expect: GRD205
                self.opt_g.step()
        """,
        [20],
    ),
    case(
        "grad-scaler-steps-the-discriminator",
        GAN
        + dedent("""\
        scaler = torch.amp.GradScaler("cuda")
        fake = G(torch.randn(8, 2))
        d_loss = bce(D(fake.detach()), zeros)
        g_loss = bce(D(fake), ones)
        scaler.scale(d_loss).backward()
        scaler.step(opt_d)
        scaler.scale(g_loss).backward()  # expect: GRD205
        scaler.step(opt_g)
        scaler.update()
        """),
        [16],
    ),
    case(
        "inside-a-training-function",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        def train(steps):
            G = nn.Linear(2, 4)
            D = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1))
            opt_d = torch.optim.SGD(D.parameters(), lr=0.1)
            opt_g = torch.optim.SGD(G.parameters(), lr=0.1)
            for _ in range(steps):
                fake = G(torch.randn(8, 2))
                g_loss = F.softplus(-D(fake)).mean()
                d_loss = F.softplus(D(fake.detach())).mean()
                d_loss.backward()
                opt_d.step()
                g_loss.backward()  # expect: GRD205
                opt_g.step()
        """,
        [17],
    ),
    case(
        "while-loop-and-a-loss-computed-after-the-step",
        GAN
        + dedent("""\
        step = 0
        while step < 3:
            fake = G(torch.randn(8, 2))
            logits = D(fake)
            opt_d.zero_grad()
            bce(D(fake.detach()), zeros).backward()
            opt_d.step()
            g_loss = bce(logits, ones)
            g_loss.backward()  # expect: GRD205
            step += 1
        """),
        [18],
    ),
    case(
        "adversarial-example-loss-after-the-model-step",
        """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        x, y = torch.randn(8, 4), torch.randint(0, 2, (8,))
        delta = torch.zeros(8, 4, requires_grad=True)
        adv_loss = F.cross_entropy(model(x + delta), y)
        clean_loss = F.cross_entropy(model(x), y)
        clean_loss.backward()
        optimizer.step()
        adv_loss.backward()  # expect: GRD205
        """,
        [13],
    ),
    case(
        "loss-modules-of-another-file-moved-to-the-gpu-carry-the-discriminator-graph",
        """\
        import torch
        from models import Generator, PixelDiscriminator
        from losses import *

        generator = Generator().cuda()
        discriminator = PixelDiscriminator(input_nc=3).cuda()
        optimizer_G = torch.optim.Adam(generator.parameters(), lr=2e-4)
        optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=2e-5)
        intensity_loss = Intensity_Loss().cuda()
        adversarial_loss = Adversarial_Loss().cuda()
        discriminate_loss = Discriminate_Loss().cuda()

        for frames, target in loader:
            fake = generator(frames)
            inte_l = intensity_loss(fake, target)
            g_l = adversarial_loss(discriminator(fake))
            g_total = inte_l + 0.05 * g_l
            d_l = discriminate_loss(discriminator(target), discriminator(fake.detach()))
            optimizer_D.zero_grad()
            d_l.backward()
            optimizer_D.step()
            optimizer_G.zero_grad()
            g_total.backward()  # expect: GRD205
            optimizer_G.step()
        """,
        [23],
    ),
    case(
        "torch-from-a-star-import-of-a-file-that-is-not-available",
        """\
        from utils import *
        from models import Generator, Discriminator

        generator = Generator().cuda()
        discriminator = Discriminator().cuda()
        optimizer_G = torch.optim.Adam(generator.parameters(), lr=2e-4)
        optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=2e-4)

        for frames, target in loader:
            fake = generator(frames)
            g_loss = ((discriminator(fake) - 1) ** 2).mean()
            d_loss = ((discriminator(target) - 1) ** 2).mean() + (discriminator(fake.detach()) ** 2).mean()
            optimizer_D.zero_grad()
            d_loss.backward()
            optimizer_D.step()
            optimizer_G.zero_grad()
            g_loss.backward()  # expect: GRD205
            optimizer_G.step()
        """,
        [17],
    ),
]


NEGATIVES = [
    case(
        "optimizer-class-a-constructor-argument-policy-loss-recomputed-after-the-critic-step",
        """\
        import torch.optim as optim


        class SACTrainer:
            def __init__(self, policy_producer, q_producer, lr=3e-4, optimizer_class=optim.Adam):
                self.policy = policy_producer()
                self.qf1 = q_producer()
                self.qf1_optimizer = optimizer_class(self.qf1.parameters(), lr=lr)
                self.policy_optimizer = optimizer_class(self.policy.parameters(), lr=lr)

            def train_from_torch(self, obs, actions, q_target):
                qf1_loss = ((self.qf1(obs, actions) - q_target) ** 2).mean()
                self.qf1_optimizer.zero_grad()
                qf1_loss.backward()
                self.qf1_optimizer.step()
                policy_loss = -self.qf1(obs, self.policy(obs)).mean()
                self.policy_optimizer.zero_grad()
                policy_loss.backward()
                self.policy_optimizer.step()
                return qf1_loss.item(), policy_loss.item()
        """,
    ),
    case(
        "parameters-given-to-a-callable-without-a-learning-rate",
        # `make(self.qf1.parameters())` may be anything (a parameter averager, a counter): unknown
        """\
        class SACTrainer:
            def __init__(self, policy_producer, q_producer, make):
                self.policy = policy_producer()
                self.qf1 = q_producer()
                self.qf1_optimizer = make(self.qf1.parameters())
                self.policy_optimizer = make(self.policy.parameters())

            def train_from_torch(self, obs, actions, q_target):
                policy_loss = -self.qf1(obs, self.policy(obs)).mean()
                qf1_loss = ((self.qf1(obs, actions) - q_target) ** 2).mean()
                self.qf1_optimizer.zero_grad()
                qf1_loss.backward()
                self.qf1_optimizer.step()
                self.policy_optimizer.zero_grad()
                policy_loss.backward()
                self.policy_optimizer.step()
        """,
    ),
    case(
        "factory-optimizers-generator-stepped-first-discriminator-loss-of-a-detached-fake",
        # opt_g's step updates G's or D's parameters (g_loss went through both); d_loss saved D's
        # only, and may not hold what was updated (opt_g is over G here): unknown, silent
        """\
        import torch.nn as nn
        from utils import make_optimizer


        def train(loader):
            G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 6))
            D = nn.Sequential(nn.Linear(6, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
            opt_g, opt_d = make_optimizer(G), make_optimizer(D)
            for real, z in loader:
                fake = G(z)
                g_loss = -D(fake).mean()
                d_loss = D(real).mean() - D(fake.detach()).mean()
                opt_g.zero_grad()
                g_loss.backward()
                opt_g.step()
                opt_d.zero_grad()
                d_loss.backward()
                opt_d.step()
        """,
    ),
    case(
        "factory-optimizers-generator-loss-recomputed-after-the-discriminator-step",
        """\
        import torch.nn as nn
        from utils import make_optimizer


        def train(loader):
            G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 6))
            D = nn.Sequential(nn.Linear(6, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
            opt_g, opt_d = make_optimizer(G), make_optimizer(D)
            history = []
            for real, z in loader:
                fake = G(z)
                d_loss = D(real).mean() - D(fake.detach()).mean()
                opt_d.zero_grad()
                d_loss.backward()
                opt_d.step()
                g_loss = -D(fake).mean()
                opt_g.zero_grad()
                g_loss.backward()
                opt_g.step()
                history.append(d_loss.item() + g_loss.item())
        """,
    ),
    case(
        "factory-optimizer-of-one-head-stepped-before-the-other-heads-backward",
        # loss2's graph misses head1, which may be all opt1 updates
        """\
        import torch
        import torch.nn as nn
        from utils import make_optimizer


        def train(loader):
            trunk, head1, head2 = nn.Linear(6, 8), nn.Linear(8, 1), nn.Linear(8, 1)
            opt1, opt2 = make_optimizer(head1), make_optimizer(trunk, head2)
            for x in loader:
                x.requires_grad_()
                f = torch.relu(trunk(x))
                loss1, loss2 = head1(f).mean(), head2(f).mean()
                opt1.zero_grad()
                loss1.backward(retain_graph=True)
                opt1.step()
                opt2.zero_grad()
                loss2.backward()
                opt2.step()
        """,
    ),
    case(
        "factory-optimizer-never-cleared-before-the-backward",
        # without its zero_grad() the optimizer may hold gradients of anything: its step is unknown
        """\
        import torch.nn as nn
        from utils import make_optimizer


        def train(loader):
            G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 6))
            D = nn.Sequential(nn.Linear(6, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
            opt_g, opt_d = make_optimizer(G), make_optimizer(D)
            for real, z in loader:
                fake = G(z)
                d_loss = D(real).mean() - D(fake.detach()).mean()
                g_loss = -D(fake).mean()
                d_loss.backward()
                opt_d.step()
                opt_d.zero_grad()
                g_loss.backward()
                opt_g.step()
                opt_g.zero_grad()
        """,
    ),
    case(
        "factory-optimizer-stepped-after-the-backward-of-a-loss-from-a-helper",
        # what the helper's loss went through is unknown: so is what the step updates
        """\
        import torch.nn as nn
        from utils import make_optimizer, aux_loss


        def train(loader):
            G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 6))
            D = nn.Sequential(nn.Linear(6, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
            opt_aux = make_optimizer(G)
            for real, z in loader:
                g_loss = -D(G(z)).mean()
                opt_aux.zero_grad()
                aux_loss(G, z).backward()
                opt_aux.step()
                g_loss.backward()
        """,
    ),
    case(
        "hidden-state-carried-without-detach-is-the-freed-graph-error",
        # the old chunk's graph saved the GRU's weights (stepped since) but backward() meets its
        # freed buffers first: GRD504 reports it
        """\
        import torch
        import torch.nn as nn


        class CharRNN(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.GRU(8, 8)
                self.head = nn.Linear(8, 4)

            def forward(self, x, hidden):
                out, hidden = self.rnn(x, hidden)
                return self.head(out), hidden


        model = CharRNN()
        optimizer = torch.optim.Adam(model.parameters())
        hidden = torch.zeros(1, 2, 8)
        for x, y in chunks:
            optimizer.zero_grad()
            logits, hidden = model(x, hidden)
            loss = nn.functional.cross_entropy(logits.view(-1, 4), y.view(-1))
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "discriminator-after-the-generator-step-on-a-detached-part-of-its-output",
        """\
        import torch
        import torch.nn as nn
        import model.syn_model as models

        generator = models.Generator()
        discriminator = models.Discriminator()
        optimizer_D = torch.optim.Adam(discriminator.parameters())
        optimizer_G = torch.optim.Adam(generator.parameters())
        criterion = nn.MSELoss()


        def train(loader, valid, fake):
            for x, x3 in loader:
                optimizer_G.zero_grad()
                x_fake, x_re = generator(x)
                loss_G = criterion(discriminator(x_fake), valid) + criterion(x_re, x)
                loss_G.backward()
                optimizer_G.step()
                optimizer_D.zero_grad()
                loss_fake = criterion(discriminator(x_fake.detach()), fake)
                loss_real = criterion(discriminator(x3), valid)
                (loss_real + loss_fake).backward()
                optimizer_D.step()
                x_fake, x_re = generator(x)
                loss_G = criterion(discriminator(x_fake), valid)
                optimizer_G.zero_grad()
                loss_G.backward()
                optimizer_G.step()
        """,
    ),
    case(
        "discriminator-on-a-detached-or-recomputed-part-of-a-model-output",
        """\
        import torch
        import torch.nn.functional as F
        import torch.optim as optim
        from model import FactorVAE, Discriminator

        VAE = FactorVAE(10)
        optim_VAE = optim.Adam(VAE.parameters())
        D = Discriminator(10)
        optim_D = optim.Adam(D.parameters())


        def train(loader, zeros, ones):
            for x1, x2 in loader:
                x_recon, mu, logvar, z = VAE(x1)
                D_z = D(z)
                vae_loss = F.mse_loss(x_recon, x1) + D_z.mean()
                optim_VAE.zero_grad()
                vae_loss.backward()
                optim_VAE.step()
                D_z = D(z.detach())
                _, _, _, z2 = VAE(x2)
                D_z2 = D(z2)
                D_tc_loss = F.cross_entropy(D_z, zeros) + F.cross_entropy(D_z2, ones)
                optim_D.zero_grad()
                D_tc_loss.backward()
                optim_D.step()
        """,
    ),
    case(
        "gan-model-backpropagates-both-losses-before-either-step",
        """\
        import torch
        import torch.nn as nn
        import torch.optim as optim
        from .networks import Generator, Discriminator


        class GANModel(nn.Module):
            def __init__(self):
                super().__init__()
                generator = Generator()
                discriminator = Discriminator()
                self.add_module("generator", generator)
                self.discriminator = discriminator
                self.gen_optimizer = optim.Adam(params=generator.parameters(), lr=1e-4)
                self.dis_optimizer = optim.Adam(params=discriminator.parameters(), lr=4e-4)

            def process(self, images):
                self.gen_optimizer.zero_grad()
                self.dis_optimizer.zero_grad()
                outputs = self.generator(images)
                dis_loss = self.discriminator(outputs.detach()).mean() - self.discriminator(images).mean()
                gen_loss = -self.discriminator(outputs).mean()
                return outputs, gen_loss, dis_loss

            def backward(self, gen_loss=None, dis_loss=None):
                dis_loss.backward()
                gen_loss.backward()
                self.dis_optimizer.step()
                self.gen_optimizer.step()


        class Trainer:
            def __init__(self):
                self.model = GANModel()

            def train(self, loader):
                for images in loader:
                    outputs, gen_loss, dis_loss = self.model.process(images)
                    self.model.backward(gen_loss, dis_loss)
        """,
    ),
    case(
        "gan-with-models-wrapped-in-dataparallel-fake-detached",
        """\
        import torch
        import torch.nn as nn

        generator = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4))
        discriminator = nn.Linear(4, 1)
        if torch.cuda.device_count() > 1:
            generator = nn.DataParallel(generator)
            discriminator = nn.DataParallel(discriminator)
        opt_g = torch.optim.Adam(generator.parameters())
        opt_d = torch.optim.Adam(discriminator.parameters())
        for x in [torch.randn(2, 4)]:
            opt_g.zero_grad()
            fake = generator(x)
            discriminator(fake).mean().backward()
            opt_g.step()
            opt_d.zero_grad()
            discriminator(fake.detach()).mean().backward()
            opt_d.step()
        """,
    ),
    case(
        "critic-returns-its-td-error-detached",
        """\
        import torch
        import torch.nn as nn

        class Critic:
            def __init__(self):
                self.net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
                self.optimizer = torch.optim.Adam(self.net.parameters())

            def learn(self, s, r, s_):
                td_error = r + 0.9 * self.net(s_) - self.net(s)
                loss = (td_error ** 2).mean()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                return td_error.detach()

        class Actor:
            def __init__(self):
                self.net = nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=-1))
                self.optimizer = torch.optim.Adam(self.net.parameters())

            def learn(self, s, a, td):
                loss = -(torch.log(self.net(s)[0, a]) * td).mean()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()

        critic, actor = Critic(), Actor()
        for t in range(3):
            s, s_ = torch.randn(1, 4), torch.randn(1, 4)
            actor.learn(s, 0, critic.learn(s, 1.0, s_))
        """,
    ),
    case(
        "a-conditional-step-whose-path-recomputes-the-graph",
        """\
        import itertools
        import torch
        import torch.nn as nn

        generator = nn.Linear(4, 4)
        encoder = nn.Linear(4, 4)
        discriminator = nn.Linear(4, 1)
        optimizer_ge = torch.optim.Adam(itertools.chain(generator.parameters(), encoder.parameters()))
        optimizer_d = torch.optim.Adam(discriminator.parameters())
        for i in range(6):
            optimizer_ge.zero_grad()
            optimizer_d.zero_grad()
            gen_imgs = generator(torch.randn(2, 4))
            d_gen = discriminator(gen_imgs)
            if i % 3 == 0:
                ge_loss = d_gen.mean() + encoder(gen_imgs).pow(2).mean()
                ge_loss.backward()
                optimizer_ge.step()
                d_gen = discriminator(generator(torch.randn(2, 4)).detach())
            d_loss = -d_gen.mean()
            d_loss.backward()
            optimizer_d.step()
        """,
    ),
    case(
        "one-layer-model-class-fed-a-constant-saves-no-weight",
        """\
        import torch
        import torch.nn as nn

        class Affine(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 4)

            def forward(self, z):
                return self.fc(z)

        G = Affine()
        opt = torch.optim.SGD(G.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            out = G(torch.rand(8, 2))
            first = out.sum()
            first.backward(retain_graph=True)
            opt.step()
            second = out.pow(2).sum()
            second.backward()
        """,
    ),
    case(
        "stepped-parameters-not-in-the-later-graph",
        GAN
        + dedent("""\
        for step in range(3):
            fake = G(torch.randn(8, 2))
            d_loss = bce(D(torch.randn(8, 4)), ones) + bce(D(fake.detach()), zeros)
            g_loss = bce(D(fake), ones)
            opt_g.zero_grad()
            g_loss.backward()
            opt_g.step()
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
        """),
    ),
    case(
        "generator-loss-built-after-the-discriminator-step",
        GAN
        + dedent("""\
        for step in range(3):
            fake = G(torch.randn(8, 2))
            d_loss = bce(D(torch.randn(8, 4)), ones) + bce(D(fake.detach()), zeros)
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
            g_loss = bce(D(fake), ones)
            opt_g.zero_grad()
            g_loss.backward()
            opt_g.step()
        """),
    ),
    case(
        "every-backward-before-the-steps",
        GAN
        + dedent("""\
        fake = G(torch.randn(8, 2))
        d_loss = bce(D(fake.detach()), zeros)
        g_loss = bce(D(fake), ones)
        opt_d.zero_grad()
        opt_g.zero_grad()
        d_loss.backward()
        g_loss.backward()
        opt_d.step()
        opt_g.step()
        """),
    ),
    case(
        "ordinary-training-loop",
        """\
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(5):
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "graph-rebuilt-under-the-same-name",
        GAN
        + dedent("""\
        fake = G(torch.randn(8, 2))
        g_loss = bce(D(fake), ones)
        bce(D(fake.detach()), zeros).backward()
        opt_d.step()
        g_loss = bce(D(fake), ones)
        g_loss.backward()
        """),
    ),
    case(
        "other-model-stepped",
        """\
        import torch
        import torch.nn as nn

        encoder = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
        head = nn.Linear(4, 1)
        opt_head = torch.optim.SGD(head.parameters(), lr=0.1)
        x = torch.randn(2, 4, requires_grad=True)
        features = encoder(x)
        aux = features.pow(2).mean()
        head(features.detach()).sum().backward()
        opt_head.step()
        aux.backward()
        """,
    ),
    case(
        "single-layer-on-data-keeps-no-weight",
        """\
        import torch
        import torch.nn as nn

        D = nn.Linear(4, 1)
        opt = torch.optim.Adam(D.parameters())
        loss = D(torch.randn(3, 4)).pow(2).sum()
        opt.zero_grad()
        D(torch.randn(3, 4)).sum().backward()
        opt.step()
        loss.backward()
        """,
    ),
    case(
        "loss-only-read-after-the-step",
        GAN
        + dedent("""\
        fake = G(torch.randn(8, 2))
        g_loss = bce(D(fake), ones)
        d_loss = bce(D(fake.detach()), zeros)
        d_loss.backward()
        opt_d.step()
        print(g_loss.item())
        """),
    ),
    case(
        "stale-on-one-path-only",
        GAN
        + dedent("""\
        fake = G(torch.randn(8, 2))
        g_loss = bce(D(fake), ones)
        if torch.rand(1).item() > 0.5:
            bce(D(fake.detach()), zeros).backward()
            opt_d.step()
            g_loss = bce(D(fake), ones)
        g_loss.backward()
        """),
    ),
    case(
        "loss-modules-of-another-file-moved-to-the-gpu-generator-loss-recomputed-after-the-step",
        """\
        import torch
        from models import Generator, PixelDiscriminator
        from losses import *

        generator = Generator().cuda()
        discriminator = PixelDiscriminator(input_nc=3).cuda()
        optimizer_G = torch.optim.Adam(generator.parameters(), lr=2e-4)
        optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=2e-5)
        adversarial_loss = Adversarial_Loss().cuda()
        discriminate_loss = Discriminate_Loss().cuda()

        for frames, target in loader:
            fake = generator(frames)
            d_l = discriminate_loss(discriminator(target), discriminator(fake.detach()))
            optimizer_D.zero_grad()
            d_l.backward()
            optimizer_D.step()
            g_total = 0.05 * adversarial_loss(discriminator(fake))
            optimizer_G.zero_grad()
            g_total.backward()
            optimizer_G.step()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
