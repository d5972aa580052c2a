"""GRD303 and a graph result that the next statements of the same block cut off again with
``.detach()`` (or ``.data``): ``gain = gain + step * gain.grad.sign()`` followed by
``gain = gain.clamp(0.5, 2.0).detach()``, the loop making it a leaf again with
``gain.requires_grad_()`` (audio perturbation attacks, corpus35 pascalherrmann functional*.py).
The name never holds the non-leaf when the next update reads its ``.grad``: before, only a fresh
leaf made in the same statement (``Variable(x.data, requires_grad=True)``) silenced the rule."""

from snippets import case_maker, rule_tests

CODE = "GRD303"
case = case_maker(CODE)

POSITIVES = [
    case(
        "sign-step-never-cut-off",
        """\
        import torch
        import torch.nn.functional as F

        def louder(model, wave, label, step=0.05, iters=5):
            gain = torch.ones(wave.size(0), 1)
            gain.requires_grad_()
            for _ in range(iters):
                loss = F.cross_entropy(model(gain * wave), label)
                loss.backward()
                gain = gain + step * gain.grad.sign()  # expect: GRD303
                gain = gain.clamp(0.5, 2.0)
            return gain
        """,
        [10],
    ),
]

NEGATIVES = [
    case(
        "sign-step-clamped-and-detached-on-the-next-line",
        """\
        import torch
        import torch.nn.functional as F

        def louder(model, wave, label, step=0.05, iters=5):
            gain = torch.ones(wave.size(0), 1)
            for _ in range(iters):
                gain.requires_grad_()
                loss = F.cross_entropy(model(gain * wave), label)
                model.zero_grad()
                loss.backward()
                gain = gain + step * gain.grad.sign()
                gain = gain.clamp(0.5, 2.0).detach()
            return gain
        """,
    ),
    case(
        "normalised-step-in-one-arm-detached-in-both",
        """\
        import torch
        import torch.nn.functional as F

        def perturb(model, wave, label, eps=0.01, iters=3, norm="inf"):
            noise = torch.zeros_like(wave)
            for _ in range(iters):
                noise.requires_grad_()
                loss = F.cross_entropy(model(wave + noise), label)
                loss.backward()
                if norm == "inf":
                    noise = noise + eps * noise.grad.sign()
                    noise = noise.detach()
                else:
                    noise = noise + eps * noise.grad / noise.grad.norm(dim=1, keepdim=True)
                    noise = noise.data
            return wave + noise
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
