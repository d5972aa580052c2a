"""GRD505 and an evaluation step that makes its input require grad on purpose.

DUQ's evaluator (``train_duq_cifar.py``, an ignite ``Engine``) unpacks ``x, y = batch``, calls
``x.requires_grad_(True)`` and runs ``y_pred = model(x)`` in eval mode: its gradient-penalty metric
takes ``torch.autograd.grad(y_pred, x)``, which ``torch.no_grad()`` would forbid. The input's value
is not known (a batch the engine hands over), but only a tensor has ``requires_grad_``: a model
given a name the step made require grad runs for its gradients. A model given other tensors, in a
step that makes only its targets require grad, is still an evaluation forward.
"""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

_EVALUATOR = """\
    import torch
    from ignite.engine import Engine
    from ignite.metrics import Loss

    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))


    def gradient_penalty(x, y_pred):
        grads = torch.autograd.grad(y_pred.sum(), x, create_graph=True)[0]
        return ((grads.norm(2, dim=1) - 1) ** 2).mean()


    def eval_step(engine, batch):
        model.eval()
        x, y = batch
        x.requires_grad_(True)
        y_pred = model(x)  # FORWARD
        return x, y_pred


    evaluator = Engine(eval_step)
    Loss(gradient_penalty, output_transform=lambda out: out).attach(evaluator, "gradient_penalty")
"""

POSITIVES = [
    case(
        "only-the-targets-made-to-require-grad",
        _EVALUATOR.replace("x.requires_grad_(True)", "y.requires_grad_(True)").replace("# FORWARD", "# expect: GRD505"),
        lines=(17,),
    ),
]

NEGATIVES = [
    case("input-made-to-require-grad-for-a-gradient-penalty", _EVALUATOR),
    case("input-made-to-require-grad-without-argument", _EVALUATOR.replace("requires_grad_(True)", "requires_grad_()")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
