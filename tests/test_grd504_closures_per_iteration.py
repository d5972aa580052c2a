"""GRD504: a closure a loop runs in each iteration (``optimizer.step(closure)``, neural style transfer
with L-BFGS) that backpropagates through a graph its enclosing scope built once, outside the loop: the
first call frees that graph and the second raises. A target detached or made under no_grad, rebuilt in
each iteration, kept with retain_graph=True, or a closure run once, is fine."""

from snippets import case_maker, rule_tests

case = case_maker("GRD504")

_HEAD = """
import torch
import torch.nn as nn

features = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4)).eval()
content = torch.randn(1, 4)
image = content.clone().requires_grad_(True)
optimizer = torch.optim.LBFGS([image], lr=0.1)
"""

POSITIVES = [
    case(
        "target_features_built_before_the_loop",
        _HEAD
        + """
target = features(content)
for step in range(5):
    def closure():
        optimizer.zero_grad()
        loss = ((features(image) - target) ** 2).mean()
        loss.backward()  # expect: GRD504
        return loss
    optimizer.step(closure)
""",
        lines=(15,),
    ),
    case(
        "closure_defined_before_the_loop_inside_a_function",
        """
        import torch
        import torch.nn as nn


        def transfer(features, content, steps):
            image = content.clone().requires_grad_(True)
            optimizer = torch.optim.LBFGS([image])
            target = features(content)

            def closure():
                optimizer.zero_grad()
                loss = torch.mean((features(image) - target) ** 2)
                loss.backward()  # expect: GRD504
                return loss

            for _ in range(steps):
                optimizer.step(closure)
            return image


        transfer(nn.Sequential(nn.Linear(4, 4), nn.Tanh()), torch.randn(1, 4), 3)
        """,
        lines=(14,),
    ),
]

NEGATIVES = [
    case(
        "target_detached_once",
        _HEAD
        + """
target = features(content).detach()
for step in range(5):
    def closure():
        optimizer.zero_grad()
        loss = ((features(image) - target) ** 2).mean()
        loss.backward()
        return loss
    optimizer.step(closure)
""",
    ),
    case(
        "target_made_under_no_grad",
        _HEAD
        + """
with torch.no_grad():
    target = features(content)
for step in range(5):
    def closure():
        optimizer.zero_grad()
        loss = ((features(image) - target) ** 2).mean()
        loss.backward()
        return loss
    optimizer.step(closure)
""",
    ),
    case(
        "graph_kept_with_retain_graph",
        _HEAD
        + """
target = features(content)
for step in range(5):
    def closure():
        optimizer.zero_grad()
        loss = ((features(image) - target) ** 2).mean()
        loss.backward(retain_graph=True)
        return loss
    optimizer.step(closure)
""",
    ),
    case(
        "sgd_closure_with_the_target_rebuilt_each_iteration",
        """
        import torch
        import torch.nn as nn

        features = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4))
        image = torch.randn(1, 4, requires_grad=True)
        optimizer = torch.optim.SGD([image], lr=0.1)
        for step in range(5):
            target = features(torch.randn(1, 4))
            def closure():
                optimizer.zero_grad()
                loss = ((features(image) - target) ** 2).mean()
                loss.backward()
                return loss
            optimizer.step(closure)
        """,
    ),
    case(
        "closure_run_once",
        _HEAD
        + """
target = features(content)
def closure():
    optimizer.zero_grad()
    loss = ((features(image) - target) ** 2).mean()
    loss.backward()
    return loss
optimizer.step(closure)
""",
    ),
]

test_fires, test_silent = rule_tests("GRD504", POSITIVES, NEGATIVES)


def test_a_comprehension_variable_of_the_closure_is_its_own():
    # `[loss_fns[a](A, targets[a]) for a, A in enumerate(out)]`: `A` is bound in each call, from this
    # call's forward; the targets were detached where they were built (corpus_threads6 p16)
    from snippets import findings

    source = """\
import torch
import torch.nn as nn


def transfer(vgg, content, steps=5):
    targets = [f.detach() for f in vgg(content)]
    loss_fns = [nn.MSELoss() for _ in targets]
    image = content.clone().requires_grad_(True)
    optimizer = torch.optim.LBFGS([image])
    for _ in range(steps):
        def closure():
            optimizer.zero_grad()
            out = vgg(image)
            loss = sum([loss_fns[a](A, targets[a]) for a, A in enumerate(out)])
            loss.backward()
            return loss
        optimizer.step(closure)
    return image.detach()


class Features(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 4, 3, padding=1)
        self.c2 = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):
        a = torch.relu(self.c1(x))
        return [a, torch.relu(self.c2(a))]


transfer(Features(), torch.rand(1, 3, 8, 8))
"""
    assert findings(source) == []
