"""Shapes of training code rewritten from public bug threads (forum, Stack Overflow, GitHub
issues) that the analysis misjudged: multi-file scripts, helpers, trainer classes.

Our own minimal programs; positives carry the findings they must give, negatives are the correct
look-alikes.
"""

from test_project import lint as _lint, write as _write

# ---- GRD505: an evaluation helper in a sibling module of a folder of scripts (no package),
# imported by its bare name (`from metrics import run_validation`) and called inside
# `with torch.no_grad():`. The no-grad scan only took relative imports and imports of the
# project's package, so the helper's grad mode stayed "enabled" and its forward was reported.

VALIDATION_HELPER = """\
    def run_validation(model, loader, criterion):
        model.eval()
        losses = []
        for x, y in loader:
            out = model(x)
            losses.append(criterion(out, y))
        return sum(losses) / len(losses)
    """

FIT_CALLS_UNDER_NO_GRAD = """\
    import torch

    from metrics import run_validation


    def fit(model, train_loader, val_loader, criterion, optimizer, epochs=2):
        for epoch in range(epochs):
            model.train()
            for x, y in train_loader:
                optimizer.zero_grad()
                criterion(model(x), y).backward()
                optimizer.step()
            with torch.no_grad():
                val = run_validation(model, val_loader, criterion)
            print(epoch, val.item())
    """


def test_grd505_helper_called_under_no_grad_from_a_sibling_script(tmp_path):
    _write(tmp_path, {"metrics.py": VALIDATION_HELPER, "train.py": FIT_CALLS_UNDER_NO_GRAD})
    assert _lint(tmp_path / "metrics.py") == []


def test_grd505_helper_called_with_gradients_from_a_sibling_script(tmp_path):
    caller = FIT_CALLS_UNDER_NO_GRAD.replace("            with torch.no_grad():\n", "            if True:\n")
    _write(tmp_path, {"metrics.py": VALIDATION_HELPER, "train.py": caller})
    assert _lint(tmp_path / "metrics.py") == [(5, "GRD505")]


