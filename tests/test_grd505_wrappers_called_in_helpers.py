"""GRD505 and a helper that runs a library's gradient-based explainer around the model.

MONAI's interpretability tutorials build ``gradcampp = GradCAMpp(model, target_layers=...)`` and
``smooth_grad = SmoothGrad(model)`` once, then loop ``for d in data: ims = saliency(model, d)``
after ``model.eval()``; ``saliency`` runs ``model(img)`` for the label and calls
``gradcampp(x=img, class_idx=label)`` and ``smooth_grad(img)``, which backpropagate through the
model. ``torch.no_grad()`` around the loop would break them: the loop runs with grad on purpose.
An object built without the model (a metric), or around another model, explains nothing.
"""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

_SALIENCY = """\
    import torch
    from torch import nn
    from monai.visualize import GradCAMpp, SmoothGrad

    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
    other = nn.Linear(2, 2)
    gradcampp = GradCAMpp(model, target_layers="1")
    smooth_grad = SmoothGrad(model, verbose=False)


    def saliency(model, d):
        img = torch.as_tensor(d)[None]
        pred_logits = model(img)
        pred_label = pred_logits.argmax(dim=1).item()
        cam = gradcampp(x=img, class_idx=pred_label)[0]
        smooth = smooth_grad(img)
        return cam, smooth


    model.eval()
    for d in [torch.randn(3, 8, 8) for _ in range(3)]:
        ims = saliency(model, d)  # EVAL
"""


def _marked(src):
    return src.replace("# EVAL", "# expect: GRD505")


POSITIVES = [
    case(
        "explainers-built-around-another-model",
        _marked(_SALIENCY)
        .replace('GradCAMpp(model, target_layers="1")', 'GradCAMpp(other, target_layers="0")')
        .replace("SmoothGrad(model, verbose=False)", "SmoothGrad(other, verbose=False)"),
        lines=(22,),
    ),
    case(
        "helper-calls-only-a-metric",
        _marked(_SALIENCY)
        .replace("from monai.visualize import GradCAMpp, SmoothGrad", "from monai.metrics import ConfusionMatrixMetric")
        .replace('gradcampp = GradCAMpp(model, target_layers="1")', "gradcampp = ConfusionMatrixMetric()")
        .replace("smooth_grad = SmoothGrad(model, verbose=False)", "smooth_grad = ConfusionMatrixMetric()"),
        lines=(22,),
    ),
]

NEGATIVES = [
    case("explainers-built-around-the-model", _SALIENCY),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
