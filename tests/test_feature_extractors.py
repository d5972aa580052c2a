"""torchvision's ``create_feature_extractor(model, ...)``: a module over the model's own sub-modules,
in the mode the model had when it was built (its parameters are the model's)."""

from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES
from snippets import findings

FEATURES = """\
import torch
import torchvision
from torchvision.models.feature_extraction import create_feature_extractor

model = torchvision.models.alexnet()
model.eval()
extractor = create_feature_extractor(model, return_nodes=["features.2"])


def extract(extractor, loader):
    rows = []
    for x in loader:
        WITH
            out = extractor(x)
        rows.append(torch.flatten(out["features.2"], 1).detach().numpy())
    return rows


print(len(extract(extractor, [torch.randn(1, 3, 224, 224)])))
"""


def test_an_extractor_of_an_evaluation_model_is_one_too():
    source = FEATURES.replace("WITH", "if True:")
    assert findings(source) == [(14, "GRD505")]
    rules = [rule for rule in ALL_RULES if rule.code == "GRD505"]
    (finding,) = lint_bytes(source.encode(), "t.py", rules)
    assert "built after `model.eval()`" in finding.message


def test_under_no_grad_or_built_before_eval_it_is_silent():
    assert findings(FEATURES.replace("WITH", "with torch.no_grad():")) == []
    before = FEATURES.replace("WITH", "if True:").replace(
        'model.eval()\nextractor = create_feature_extractor(model, return_nodes=["features.2"])',
        'extractor = create_feature_extractor(model, return_nodes=["features.2"])\nmodel.train()',
    )
    assert findings(before) == []


def test_a_perceptual_loss_trained_through_is_silent():
    source = """\
import torch
import torchvision
from torchvision.models.feature_extraction import create_feature_extractor

vgg = torchvision.models.vgg16()
vgg.eval()
for p in vgg.parameters():
    p.requires_grad_(False)
features = create_feature_extractor(vgg, return_nodes=["features.8"])
net = torch.nn.Conv2d(3, 3, 3, padding=1)
opt = torch.optim.Adam(net.parameters())
for x in [torch.randn(1, 3, 64, 64)]:
    y = net(x)
    loss = (features(y)["features.8"] - features(x)["features.8"]).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""
    assert findings(source) == []
