"""``vals, vecs = torch.linalg.eigh(a)`` (and ``svd``, ``qr``, ``eig``): each output is a tensor computed
from ``a``, in its graph, and saved for backward (``gradient_outputs``). Unpacked, the names were
unknown: a GDPP loss built from eigenvalues of discriminator features, backpropagated after the
generator loss through the same features, was missed (GRD504), and so was an in-place clamp of
the eigenvalues (GRD202; checked with torch 2.13: "output 0 of LinalgEigh is at version 1")."""

from snippets import case_maker, rule_tests

_HEAD = """\
        import torch
        import torch.nn as nn


        features = nn.Sequential(nn.Linear(16, 8), nn.LeakyReLU(0.2))
        decision = nn.Linear(8, 1)
        netG = nn.Linear(4, 16)
        opt = torch.optim.Adam(netG.parameters(), lr=1e-3)


        def spectrum(phi):
            vals, vecs = torch.linalg.eigh(phi.t() @ phi / phi.shape[0])
            return vals, vecs

"""

case504 = case_maker("GRD504")
case202 = case_maker("GRD202")

POSITIVES_504 = [
    case504(
        "gdpp-loss-of-eigenvalues-after-the-generator-backward",
        _HEAD
        + """\

        def generator_step(z, real):
            opt.zero_grad()
            phi_fake = features(netG(z))
            (-decision(phi_fake).mean()).backward()
            fake_vals, fake_vecs = spectrum(phi_fake)
            real_vals, real_vecs = spectrum(features(real).detach())
            gdpp = (fake_vals - real_vals).abs().sum() + (fake_vecs - real_vecs).abs().sum()
            gdpp.backward()  # expect: GRD504
            opt.step()


        generator_step(torch.randn(32, 4), torch.randn(32, 16))
        """,
        [23],
    ),
]

NEGATIVES_504 = [
    case504(
        "gdpp-loss-summed-with-the-generator-loss",
        _HEAD
        + """\

        def generator_step(z, real):
            opt.zero_grad()
            phi_fake = features(netG(z))
            fake_vals, fake_vecs = spectrum(phi_fake)
            real_vals, real_vecs = spectrum(features(real).detach())
            gdpp = (fake_vals - real_vals).abs().sum() + (fake_vecs - real_vecs).abs().sum()
            (-decision(phi_fake).mean() + gdpp).backward()
            opt.step()


        generator_step(torch.randn(32, 4), torch.randn(32, 16))
        """,
    ),
]

POSITIVES_202 = [
    case202(
        "eigenvalues-clamped-in-place",
        """\
        import torch

        w = torch.randn(4, 4, requires_grad=True)
        vals, vecs = torch.linalg.eigh(w @ w.t())
        vals.clamp_(min=0)  # expect: GRD202
        (vals.sum() + vecs.abs().sum()).backward()
        """,
        [5],
    ),
]

NEGATIVES_202 = [
    case202(
        "eigenvalues-clamped-out-of-place",
        """\
        import torch

        w = torch.randn(4, 4, requires_grad=True)
        vals, vecs = torch.linalg.eigh(w @ w.t())
        vals = vals.clamp(min=0)
        (vals.sum() + vecs.abs().sum()).backward()
        """,
    ),
    case202(
        "singular-values-clamped-under-no-grad",
        """\
        import torch

        w = torch.randn(4, 4, requires_grad=True)
        with torch.no_grad():
            U, S, Vh = torch.linalg.svd(w)
            S.clamp_(min=1e-3)
        w_clean = U @ torch.diag(S) @ Vh
        print(w_clean.norm().item())
        """,
    ),
]

test_fires_504, test_silent_504 = rule_tests("GRD504", POSITIVES_504, NEGATIVES_504)
test_fires_202, test_silent_202 = rule_tests("GRD202", POSITIVES_202, NEGATIVES_202)
