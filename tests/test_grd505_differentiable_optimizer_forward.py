"""GRD505 and a model whose forward steps a differentiable optimizer of the ``higher`` library.

An energy model's forward (facebookresearch/higher's deep-energy example) starts from a label
guess ``y`` that requires grad and takes a few steps of ``inner_opt = higher.get_diff_optim(...)``:
``y, = inner_opt.step(E.sum(), params=[y])`` takes ``autograd.grad`` of the energy. Its test loop
runs after ``model.eval()`` with grad enabled on purpose: under ``torch.no_grad()`` the energy would
not require grad and the step would raise. MAML's test loop that adapts with
``higher.innerloop_ctx`` is the same. A plain classifier's test loop still fires.
"""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

_ENERGY = """\
    import higher
    import torch
    from torch import nn


    class UnrollEnergy(nn.Module):
        def __init__(self, n_cls=10):
            super().__init__()
            self.energy = nn.Linear(784 + n_cls, 1)
            self.n_cls = n_cls

        def forward(self, x):
            y = torch.zeros(x.size(0), self.n_cls, requires_grad=True)
            inner_opt = higher.get_diff_optim(torch.optim.SGD([y], lr=0.1), [y])
            for _ in range(5):
                E = self.energy(torch.cat([x.flatten(1), y], dim=1))
                y, = inner_opt.step(E.sum(), params=[y])
            return y


    def test(model, test_loader):
        model.eval()
        correct = 0
        for data, target in test_loader:
            output = model(data)  # FORWARD
            correct += output.argmax(dim=1).eq(target).sum().item()
        return correct


    test(UnrollEnergy(), loader)
"""

_MAML_TEST = """\
    import higher
    import torch
    import torch.nn.functional as F
    from torch import nn

    net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 5))
    inner_opt = torch.optim.SGD(net.parameters(), lr=0.1)
    net.eval()
    for x_spt, y_spt, x_qry, y_qry in test_tasks:
        with higher.innerloop_ctx(net, inner_opt, track_higher_grads=False) as (fnet, diffopt):
            for _ in range(5):
                diffopt.step(F.cross_entropy(fnet(x_spt), y_spt))
            accuracy = (fnet(x_qry).argmax(dim=1) == y_qry).float().mean().item()
"""

_PLAIN = """\
    import torch
    from torch import nn


    def test(model, test_loader):
        model.eval()
        correct = 0
        for data, target in test_loader:
            output = model(data)  # expect: GRD505
            correct += output.argmax(dim=1).eq(target).sum().item()
        return correct


    test(nn.Linear(784, 10), loader)
"""

POSITIVES = [case("a-plain-classifier-tested-with-grad-enabled", _PLAIN, lines=(9,))]

NEGATIVES = [
    case("energy-model-stepping-a-differentiable-optimizer", _ENERGY),
    case("maml-test-loop-adapting-with-innerloop-ctx", _MAML_TEST),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
