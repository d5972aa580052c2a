"""GRD102 and leaves copied to be trained by an optimizer of their own: an optimizer's test harness
makes ``weight_c = Variable(weight.data.clone(), requires_grad=True)``, hands the copies to the
optimizer factory it is testing (``optimizer_c = make_optimizer(weight_c, bias_c)``) and steps both
optimizers with closures, checking they agree. The copies are leaves made on purpose, as a leaf
given to ``torch.optim.SGD([...])`` is (realprec12 pytorch-optimizer tests/test_optimizer.py:187/188/
213/214, false alarms): the call's result is used as an optimizer (``usage_scans.
stepped_optimizer_names``: stepped and cleared, or stepped and named as one, ``optimizer_c.step(fn)``).

Still reported: a copy the loss is computed from while only the original is stepped, and a copy
handed to something that is stepped but is no optimizer (a scheduler).
"""

from snippets import case_maker, rule_tests

CODE = "GRD102"
case = case_maker(CODE)

NEGATIVES = [
    case(
        "copies-stepped-by-their-own-optimizer",
        """\
        import functools

        import torch
        from torch.autograd import Variable


        def check_resume(make_optimizer, weight, bias, x):
            weight = Variable(weight, requires_grad=True)
            bias = Variable(bias, requires_grad=True)

            def closure(optimizer, w, b):
                optimizer.zero_grad()
                loss = (w.mv(x) + b).pow(2).sum()
                loss.backward()
                return loss

            optimizer = make_optimizer(weight, bias)
            for _ in range(5):
                optimizer.step(functools.partial(closure, optimizer, weight, bias))
            weight_c = Variable(weight.data.clone(), requires_grad=True)
            bias_c = Variable(bias.data.clone(), requires_grad=True)
            optimizer_c = make_optimizer(weight_c, bias_c)
            optimizer_c.load_state_dict(optimizer.state_dict())
            for _ in range(5):
                optimizer.step(functools.partial(closure, optimizer, weight, bias))
                optimizer_c.step(functools.partial(closure, optimizer_c, weight_c, bias_c))
            return torch.allclose(weight, weight_c) and torch.allclose(bias, bias_c)
        """,
    ),
    case(
        "copies-in-a-list-for-an-optimizer-cleared-and-stepped",
        """\
        import torch


        def restart_from(weights, x, y, build):
            copies = [torch.tensor(w.detach().cpu(), requires_grad=True) for w in weights]
            head = torch.tensor(weights[0].data, requires_grad=True)
            opt = build([head])
            for _ in range(10):
                opt.zero_grad()
                loss = ((x @ head - y) ** 2).mean()
                loss.backward()
                opt.step()
            return head, copies
        """,
    ),
]

POSITIVES = [
    case(
        "the-loss-goes-through-the-copy-while-the-original-is-stepped",
        """\
        import torch
        from torch.autograd import Variable


        def fit(x, y):
            w = torch.randn(3, requires_grad=True)
            optimizer = torch.optim.SGD([w], lr=0.1)
            for _ in range(20):
                w_used = Variable(w.data.clone(), requires_grad=True)  # expect: GRD102
                optimizer.zero_grad()
                loss = ((x @ w_used - y) ** 2).mean()
                loss.backward()
                optimizer.step()
            return w
        """,
        lines=(9,),
    ),
    case(
        "a-copy-handed-to-a-scheduler",
        """\
        import torch
        from torch import nn
        from torch.autograd import Variable

        model = nn.Linear(3, 1)


        def fit(make_scheduler, x, y):
            out = model(x)
            target = Variable(out.data, requires_grad=True)  # expect: GRD102
            scheduler = make_scheduler(target)
            loss = ((target - y) ** 2).mean()
            loss.backward()
            scheduler.step()
        """,
        lines=(10,),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
