"""GRD505 and a meta-learner's evaluation that adapts to each task with gradient steps: the evaluation
loop calls ``self.task_losses(batch)``, whose loop over the tasks calls ``self.fine_tune(...)``, which
takes ``params = gradient_update_parameters(self.net, support_loss, params=params)`` (torchmeta's MAML
step, ``autograd.grad`` of the support loss) before the query forward. no_grad around the evaluation
would break the adaptation, so its forwards are differentiated on purpose (``grad_on_purpose``).
Before, the helper's loops were taken as plain evaluation forwards handed back (realprec7
pytorch-maml maml/metalearners/maml.py:238, a false alarm of the helper-evaluation mechanism).

Still reported: the same evaluation when the helper runs the query forwards only, with grad on (at the
helper's forward).
"""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

LEARNER = """\
import torch
import torch.nn.functional as F
from torchmeta.utils import gradient_update_parameters


class MetaLearner:
    def __init__(self, net, steps=1, step_size=0.4):
        self.net = net
        self.steps = steps
        self.step_size = step_size

    def fine_tune(self, support_x, support_y):
        params = None
        for _ in range(self.steps):
            support_loss = F.cross_entropy(self.net(support_x, params=params), support_y)
            self.net.zero_grad()
            params = gradient_update_parameters(self.net, support_loss, step_size=self.step_size, params=params)
        return params

    def task_losses(self, batch):
        total = torch.tensor(0.0)
        for support_x, support_y, query_x, query_y in zip(*batch["train"], *batch["test"]):
            params = {ADAPT}
            with torch.set_grad_enabled(self.net.training):
                total = total + F.cross_entropy(self.net(query_x, params=params), query_y)  {MARK}
        return total, {"loss": total.item()}

    def evaluate(self, loader, limit=100):
        self.net.eval()
        scores = []
        for index, batch in enumerate(loader):
            if index >= limit:
                break
            _, results = self.task_losses(batch)
            scores.append(results["loss"])
        return sum(scores) / len(scores)
"""

NEGATIVES = [
    case(
        "evaluation-adapting-with-torchmeta",
        LEARNER.replace("{ADAPT}", "self.fine_tune(support_x, support_y)").replace("  {MARK}", ""),
    ),
]

POSITIVES = [
    case(
        "evaluation-without-adaptation",
        LEARNER.replace("{ADAPT}", "None")
        .replace("with torch.set_grad_enabled(self.net.training):", "if params is None:")
        .replace("{MARK}", "# expect: GRD505"),
        lines=(25,),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
