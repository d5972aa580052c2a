"""GRD504 and a graph built before the loop by a model read whole from a file.

A GAN projector (stylegan2-ada's ``projector.py``, copied into data-efficient-gans and others)
computes ``target_features = vgg16(target)`` once, with ``vgg16 = torch.jit.load(f).eval()``, then
backpropagates ``(target_features - vgg16(synth)).square().sum()`` at every step. It raises "Trying
to backward through the graph a second time" only if the file's parameters require grad: a
TorchScript archive keeps the ``requires_grad`` it was saved with (checked, torch 2.13: saved
frozen, the loop runs; saved trainable, the second step raises). What the file holds is not known
here, so the rule stays silent; it still fires when the extractor is built in code, when a model
built in code also feeds the graph, or when the code makes the loaded model's parameters require grad.
"""

from snippets import case_maker, rule_tests

CODE = "GRD504"
case = case_maker(CODE)

_PROJECTOR = """\
    import torch


    def project(target, synth, num_steps, device, f):
        vgg16 = torch.jit.load(f).eval().to(device)
        target_features = vgg16(target)
        w = torch.zeros(1, 8, device=device, requires_grad=True)
        opt = torch.optim.Adam([w], lr=0.1)
        for step in range(num_steps):
            synth_features = vgg16(synth(w))
            dist = (target_features - synth_features).square().sum()
            opt.zero_grad()
            dist.backward()  # BACKWARD
            opt.step()
        return w.detach()
"""


def _marked(src):
    return src.replace("# BACKWARD", "# expect: GRD504")


POSITIVES = [
    case(
        "extractor-built-in-code",
        _marked(_PROJECTOR).replace(
            "vgg16 = torch.jit.load(f).eval().to(device)",
            "vgg16 = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU()).eval().to(device)",
        ),
        lines=(13,),
    ),
    case(
        "loaded-extractor-made-trainable-by-the-code",
        _marked(_PROJECTOR).replace(".eval().to(device)", ".eval().requires_grad_(True)"),
        lines=(13,),
    ),
    case(
        "a-model-built-in-code-also-feeds-the-graph",
        _marked(_PROJECTOR)
        .replace("target_features = vgg16(target)", "target_features = vgg16(encoder(target))")
        .replace("    import torch\n", "    import torch\n\n    encoder = torch.nn.Linear(8, 8)\n"),
        lines=(15,),
    ),
]

NEGATIVES = [
    case("torchscript-extractor-from-a-file", _PROJECTOR),
    case(
        "pickled-extractor-from-a-path",
        _PROJECTOR.replace("torch.jit.load(f).eval().to(device)", "torch.load(f, weights_only=False).cuda().eval()"),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
