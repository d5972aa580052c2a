"""GRD505 at the call of another file's function whose own loop runs the forward of a model the
caller switched to ``eval()``, with gradients enabled: ``denoiser.eval(); samples =
reverse_chain(denoiser, 50, 8)`` with ``reverse_chain`` (in ``sampling.py``) looping ``x =
denoise_step(x, t, denoiser)``. The loop is the evaluation loop; the call is where the model was
switched and where ``torch.no_grad()`` belongs (corpus30 gitsouderos: three notebooks sampling a
diffusion model through ``run_reverse_diffusion`` of a module file, each chaining 100 graphs).

Silent: the same call under ``no_grad``, a helper that backpropagates or takes ``autograd.grad``
(gradients on purpose), a helper that switches the model to ``eval()`` itself (its own file reports
its loop), a model never switched, and a caller that backpropagates what the helper returned.
"""

import pytest

from snippets import lint_path, write_project

SAMPLING = """\
import torch


def denoise_step(x, t, net):
    noise = net(torch.cat([x, torch.full((x.shape[0], 1), float(t))], dim=1))
    return x - 0.05 * noise


def reverse_chain(net, steps, batch):
    x = torch.randn(batch, 4)
    for t in reversed(range(steps)):
        x = denoise_step(x, t, net)
    return x


def guided_chain(net, steps, batch):
    x = torch.randn(batch, 4, requires_grad=True)
    for t in reversed(range(steps)):
        score = net(torch.cat([x, torch.full((batch, 1), float(t))], dim=1)).sum()
        (grad,) = torch.autograd.grad(score, x)
        x = (x + 0.01 * grad).detach().requires_grad_()
    return x


def saliency_chain(net, steps, batch):
    x = torch.randn(batch, 4)
    for t in reversed(range(steps)):
        x = denoise_step(x, t, net)
        drift = torch.autograd.functional.vjp(lambda z: z * 2.0, x, torch.ones_like(x))[1]
        x = x - 0.01 * drift
    return x


def self_switching_chain(net, steps, batch):
    net.eval()
    x = torch.randn(batch, 4)
    for t in reversed(range(steps)):
        x = denoise_step(x, t, net)
    return x
"""

MAIN = """\
import torch
import torch.nn as nn
from sampling import guided_chain, reverse_chain, saliency_chain, self_switching_chain

denoiser = nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 4))
optimizer = torch.optim.Adam(denoiser.parameters(), lr=1e-3)
for step in range(100):
    x0 = torch.randn(16, 4)
    t = torch.randint(0, 50, (16, 1)).float()
    loss = (denoiser(torch.cat([x0, t], dim=1)) - x0).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

BODY
"""

CASES = {
    "chain-after-eval": ("denoiser.eval()\nsamples = reverse_chain(denoiser, 50, 8)\n", [16]),
    "chain-under-no-grad": (
        "denoiser.eval()\nwith torch.no_grad():\n    samples = reverse_chain(denoiser, 50, 8)\n",
        [],
    ),
    "chain-in-train-mode": ("samples = reverse_chain(denoiser, 50, 8)\n", []),
    "guided-by-input-gradients": ("denoiser.eval()\nsamples = guided_chain(denoiser, 50, 8)\n", []),
    "jacobian-in-the-loop": ("denoiser.eval()\nsamples = saliency_chain(denoiser, 50, 8)\n", []),
    "helper-switches-itself": ("samples = self_switching_chain(denoiser, 50, 8)\n", []),
    "result-backpropagated": (
        "denoiser.eval()\nsamples = reverse_chain(denoiser, 50, 8)\nsamples.pow(2).mean().backward()\n",
        [],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_evaluation_loop_in_another_file(tmp_path, case):
    body, lines = CASES[case]
    write_project(tmp_path, {"sampling.py": SAMPLING, "main.py": MAIN.replace("BODY\n", body)})
    assert lint_path(tmp_path / "main.py", select={"GRD505"}) == [(line, "GRD505") for line in lines]


def test_loop_reported_in_its_own_file_once(tmp_path):
    """A helper whose own file walks it in its callers' contexts (it calls ``.numpy()``: a training
    name of that file, see ``callers``) reports its loop there; the call does not report it again."""
    numpy_out = "        x = denoise_step(x, t, net)\n    return x.detach().numpy()\n"
    sampling = SAMPLING.replace("        x = denoise_step(x, t, net)\n    return x\n", numpy_out, 1)
    write_project(tmp_path, {"sampling.py": sampling, "main.py": MAIN.replace("BODY\n", CASES["chain-after-eval"][0])})
    assert lint_path(tmp_path / "main.py", select={"GRD505"}) == []
    # (and `self_switching_chain`'s own loop, after its own `net.eval()`)
    assert lint_path(tmp_path / "sampling.py", select={"GRD505"}) == [(12, "GRD505"), (38, "GRD505")]
