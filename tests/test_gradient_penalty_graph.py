"""``torch.autograd.grad(..., create_graph=True)`` (a WGAN-GP or R1 gradient penalty): the gradients
it returns belong to the graph of the outputs and inputs they differentiate, so a loss built from them
goes through those graphs. A critic loop reusing a fake batch generated once before it, whose penalty
interpolates that fake, backpropagates the generator's graph in every iteration (GRD504); it was
missed while the penalty's value was unknown."""

from snippets import case_maker, rule_tests

CODE = "GRD504"
case = case_maker(CODE)

_NETS = """\
        import torch
        import torch.nn as nn


        netG = nn.Sequential(nn.Linear(8, 16), nn.Tanh())
        netD = nn.Sequential(nn.Linear(16, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
        opt_D = torch.optim.Adam(netD.parameters(), lr=2e-4)


        def penalty(critic, real, fake):
            alpha = torch.rand(real.size(0), 1)
            mixed = alpha * real + (1 - alpha) * fake
            out = critic(mixed)
            grads = torch.autograd.grad(out.sum(), mixed, create_graph=True)[0]
            return ((grads.norm(2, dim=1) - 1) ** 2).mean()

"""

POSITIVES = [
    case(
        "critic-loop-reuses-a-fake-made-before-it-in-the-penalty",
        _NETS
        + """\

        def critic_steps(real_A, real_B, n_critic=3):
            fake = netG(real_A)
            for _ in range(n_critic):
                opt_D.zero_grad()
                alpha = torch.rand(real_B.size(0), 1)
                mixed = alpha * real_B + (1 - alpha) * fake
                grads = torch.autograd.grad(netD(mixed).sum(), mixed, create_graph=True)[0]
                gp = ((grads.norm(2, dim=1) - 1) ** 2).mean()
                loss_D = netD(fake.detach()).mean() - netD(real_B).mean() + 10 * gp
                loss_D.backward()  # expect: GRD504
                opt_D.step()


        critic_steps(torch.randn(4, 8), torch.randn(4, 16))
        """,
        [27],
    ),
]

NEGATIVES = [
    case(
        "critic-loop-detaches-the-fake-before-the-penalty",
        _NETS
        + """\

        def critic_steps(real_A, real_B, n_critic=3):
            fake = netG(real_A).detach()
            for _ in range(n_critic):
                opt_D.zero_grad()
                loss_D = netD(fake).mean() - netD(real_B).mean() + 10 * penalty(netD, real_B, fake)
                loss_D.backward()
                opt_D.step()


        critic_steps(torch.randn(4, 8), torch.randn(4, 16))
        """,
    ),
    case(
        "fake-generated-in-each-critic-iteration",
        _NETS
        + """\

        def critic_steps(real_A, real_B, n_critic=3):
            for _ in range(n_critic):
                opt_D.zero_grad()
                fake = netG(real_A)
                alpha = torch.rand(real_B.size(0), 1)
                mixed = alpha * real_B + (1 - alpha) * fake
                grads = torch.autograd.grad(netD(mixed).sum(), mixed, create_graph=True)[0]
                gp = ((grads.norm(2, dim=1) - 1) ** 2).mean()
                loss_D = netD(fake.detach()).mean() - netD(real_B).mean() + 10 * gp
                loss_D.backward()
                opt_D.step()


        critic_steps(torch.randn(4, 8), torch.randn(4, 16))
        """,
    ),
    case(
        "r1-penalty-on-real-data-every-step",
        _NETS
        + """\

        def d_steps(batches):
            for real in batches:
                opt_D.zero_grad()
                real.requires_grad_(True)
                out = netD(real)
                grad_real = torch.autograd.grad(out.sum(), real, create_graph=True)[0]
                r1 = grad_real.pow(2).sum(dim=1).mean()
                (nn.functional.softplus(-out).mean() + 5.0 * r1).backward()
                opt_D.step()


        d_steps([torch.randn(4, 16) for _ in range(3)])
        """,
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
