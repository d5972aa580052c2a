"""GRD303 for a name the scope itself turned into a leaf with ``x.requires_grad = True`` (on a tensor
known not to require grad), then rebound to a graph result: the scope owns that leaf as it owns one
made by ``torch.randn(3, requires_grad=True)`` (pytorch/pytorch #12627: ``inputs.requires_grad = True``
then ``inputs, targets = inputs.cuda(), targets.cuda()`` and ``inputs.grad`` read after backward,
corpus_threads16 p27). Before, only leaves created by a factory or ``.requires_grad_()`` counted as
the scope's own, so the rebinding went unreported."""

from snippets import case_maker, rule_tests

CODE = "GRD303"
case = case_maker(CODE)

POSITIVES = [
    case(
        "input-made-to-require-grad-then-moved",
        """\
        import torch
        import torch.nn as nn

        net = nn.Linear(5, 3)
        inputs = torch.Tensor(torch.randn(4, 5))
        inputs.requires_grad = True
        inputs = inputs.double()  # expect: GRD303
        net(inputs.float()).sum().backward()
        print(inputs.grad)
        """,
        [7],
    ),
    case(
        "moved-with-its-targets",
        """\
        import torch
        import torch.nn as nn

        def saliency(net, labels):
            images = torch.rand(len(labels), 3, 16, 16)
            images.requires_grad = True
            images, labels = images.cuda(), labels.cuda()  # expect: GRD303
            nn.functional.cross_entropy(net(images), labels).backward()
            return images.grad
        """,
        [7],
    ),
]

NEGATIVES = [
    case(
        "alias-of-a-parameter-already-requiring-grad",
        """\
        import torch
        import torch.nn as nn

        net = nn.Linear(5, 3)
        w = net.weight
        w.requires_grad = True
        w = w * 2.0
        print(w.sum())
        """,
    ),
    case(
        "made-to-require-grad-and-kept",
        """\
        import torch
        import torch.nn as nn

        net = nn.Linear(5, 3)
        inputs = torch.randn(4, 5).double()
        inputs.requires_grad = True
        net(inputs.float()).sum().backward()
        print(inputs.grad)
        """,
    ),
    case(
        "flag-switched-off",
        """\
        import torch

        x = torch.randn(4, 5)
        x.requires_grad = False
        x = x.double()
        print(x.sum())
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
