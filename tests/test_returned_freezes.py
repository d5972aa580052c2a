"""GRD407 when a project helper builds the model, freezes it and returns it: ``model, opt =
setup()`` then ``train(model, loader, opt)``. The helper's freeze of its local is replayed on the
caller's names (``returned_freezes``) and reported at the helper's own line.
"""

from snippets import case_maker, rule_tests

CODE = "GRD407"
case = case_maker(CODE)

_HEAD = """\
        import torch
        import torch.nn as nn


        class Regressor(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(10, 16), nn.ReLU())
                self.head = nn.Linear(16, 1)

            def forward(self, x):
                return self.head(self.body(x))


        def fit(net, batches, opt):
            for x, y in batches:
                opt.zero_grad()
                nn.functional.mse_loss(net(x), y).backward()
                opt.step()


        DATA = [(torch.randn(4, 10), torch.randn(4, 1))]

"""

POSITIVES = [
    case(
        "helper-freezes-whole-model-and-returns-it-with-its-optimizer",
        _HEAD
        + """\

        def setup(checkpoint=None):
            model = Regressor()
            if checkpoint:
                model.load_state_dict(torch.load(checkpoint))
            model.requires_grad_(False)  # expect: GRD407
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            return model, optimizer


        def main():
            net, opt = setup()
            fit(net, DATA, opt)


        main()
        """,
        [29],
    ),
    case(
        "helper-returns-the-model-only-and-the-caller-trains-it",
        _HEAD
        + """\

        def build_model(device):
            model = Regressor()
            for p in model.parameters():
                p.requires_grad = False  # expect: GRD407
            return model


        def main():
            model = build_model("cpu").to("cpu")
            opt = torch.optim.Adam(model.parameters())
            for x, y in DATA:
                opt.zero_grad()
                loss = nn.functional.mse_loss(model(x), y)
                loss.backward()
                opt.step()


        main()
        """,
        [28],
    ),
    case(
        "model-returned-inside-a-dict",
        _HEAD
        + """\

        def make_objects():
            model = Regressor()
            model.requires_grad_(False)  # expect: GRD407
            return {"model": model, "optimizer": torch.optim.SGD(model.parameters(), lr=0.1)}


        def main():
            objs = make_objects()
            model, optimizer = objs["model"], objs["optimizer"]
            fit(model, DATA, optimizer)


        main()
        """,
        [27],
    ),
]


NEGATIVES = [
    case(
        "helper-unfreezes-the-head-after-freezing",
        _HEAD
        + """\

        def setup():
            model = Regressor()
            model.requires_grad_(False)
            model.head.requires_grad_(True)
            return model, torch.optim.SGD(model.parameters(), lr=0.01)


        def main():
            net, opt = setup()
            fit(net, DATA, opt)


        main()
        """,
    ),
    case(
        "caller-unfreezes-before-training",
        _HEAD
        + """\

        def setup():
            model = Regressor()
            model.requires_grad_(False)
            return model


        def main():
            net = setup()
            for p in net.head.parameters():
                p.requires_grad = True
            fit(net, DATA, torch.optim.SGD(net.head.parameters(), lr=0.01))


        main()
        """,
    ),
    case(
        "freeze-under-a-flag",
        _HEAD
        + """\

        def setup(freeze_all):
            model = Regressor()
            if freeze_all:
                model.requires_grad_(False)
            return model, torch.optim.SGD(model.parameters(), lr=0.01)


        def main(freeze_all):
            net, opt = setup(freeze_all)
            fit(net, DATA, opt)


        main(False)
        """,
    ),
    case(
        "caller-only-evaluates-under-no-grad",
        _HEAD
        + """\

        def load_frozen():
            model = Regressor()
            model.requires_grad_(False)
            return model.eval()


        def main():
            model = load_frozen()
            with torch.no_grad():
                for x, y in DATA:
                    print(nn.functional.mse_loss(model(x), y).item())


        main()
        """,
    ),
    case(
        "a-frozen-feature-extractor-wrapped-in-a-trained-model",
        _HEAD
        + """\

        def frozen_body():
            body = nn.Sequential(nn.Linear(10, 16), nn.ReLU())
            body.requires_grad_(False)
            return body


        def main():
            model = nn.Sequential(frozen_body(), nn.Linear(16, 1))
            fit(model, DATA, torch.optim.SGD(model.parameters(), lr=0.01))


        main()
        """,
    ),
    case(
        "returned-on-one-path-before-the-freeze",
        _HEAD
        + """\

        def setup(finetune):
            model = Regressor()
            if finetune:
                return model
            model.requires_grad_(False)
            return model


        def main():
            net = setup(True)
            fit(net, DATA, torch.optim.SGD(net.parameters(), lr=0.01))


        main()
        """,
    ),
    case(
        "helper-unfreezes-through-a-list-of-parameters",
        _HEAD
        + """\

        def setup():
            model = Regressor()
            model.requires_grad_(False)
            trainable = list(model.head.parameters())
            for p in trainable:
                p.requires_grad = True
            return model, torch.optim.SGD(trainable, lr=0.01)


        def main():
            net, opt = setup()
            fit(net, DATA, opt)


        main()
        """,
    ),
    case(
        "helper-hands-the-frozen-model-to-a-function-that-may-add-adapters",
        _HEAD
        + """\

        def setup(add_adapters):
            model = Regressor()
            model.requires_grad_(False)
            add_adapters(model)
            return model, torch.optim.SGD(model.parameters(), lr=0.01)


        def main(add_adapters):
            net, opt = setup(add_adapters)
            fit(net, DATA, opt)


        main(print)
        """,
    ),
    case(
        "rebound-after-the-freeze",
        _HEAD
        + """\

        def setup():
            model = Regressor()
            model.requires_grad_(False)
            model = Regressor()
            return model


        def main():
            net = setup()
            fit(net, DATA, torch.optim.SGD(net.parameters(), lr=0.01))


        main()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)


def test_a_head_placed_before_the_freeze_is_grd404s_alone():
    """The helper replaces the head, then freezes every parameter (the new head too): GRD404 reports
    the head's line in the helper; the caller's training is not reported again as GRD407."""
    from snippets import findings
    import textwrap

    src = textwrap.dedent(
        _HEAD
        + """\

        def build():
            model = Regressor()
            model.head = nn.Linear(16, 3)
            for p in model.parameters():
                p.requires_grad = False
            return model


        def main():
            net = build()
            opt = torch.optim.SGD(net.parameters(), lr=0.01)
            fit(net, DATA, opt)


        main()
        """
    )
    assert findings(src, "GRD407") == []
    assert findings(src, "GRD404") == [(27, "GRD404")]


_BUILDER = """\
    import torch
    import torch.nn as nn


    def build():
        model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1))
        model.requires_grad_(False)
        return model


    def build_head_trained():
        model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1))
        model.requires_grad_(False)
        model[2].requires_grad_(True)
        return model


    def build_with_new_head():
        model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1))
        model[2] = nn.Linear(16, 3)
        for p in model.parameters():
            p.requires_grad = False
        return model
"""

_TRAINER = """\
    import torch
    import torch.nn as nn

    from builder import {name}


    def main():
        net = {name}()
        opt = torch.optim.SGD(net.parameters(), lr=0.01)
        for x, y in [(torch.randn(4, 10), torch.randn(4, 1))]:
            opt.zero_grad()
            nn.functional.mse_loss(net(x), y).backward()
            opt.step()


    main()
"""


def test_a_helper_of_another_file_freezes_at_the_call(tmp_path):
    """The helper is in another module: the freeze is reported at the call that made the model."""
    from snippets import lint_path, write_project

    write_project(tmp_path, {"builder.py": _BUILDER, "train.py": _TRAINER.format(name="build")})
    assert lint_path(tmp_path / "train.py", {"GRD407"}) == [(8, "GRD407")]


def test_a_helper_of_another_file_that_unfreezes_its_head(tmp_path):
    from snippets import lint_path, write_project

    write_project(tmp_path, {"builder.py": _BUILDER, "train.py": _TRAINER.format(name="build_head_trained")})
    assert lint_path(tmp_path / "train.py", {"GRD407"}) == []


def test_a_helper_of_another_file_that_placed_a_head_before_freezing(tmp_path):
    """GRD404's pitfall, in the builder's file: the trainer's file reports nothing of it."""
    from snippets import lint_path, write_project

    write_project(tmp_path, {"builder.py": _BUILDER, "train.py": _TRAINER.format(name="build_with_new_head")})
    assert lint_path(tmp_path / "train.py", {"GRD407"}) == []
