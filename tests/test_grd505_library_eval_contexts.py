"""GRD505 inside a library's context manager that is handed the model.

MONAI's interpretability tutorials evaluate with ``model.eval()`` and then
``with eval_mode(model): for data in loader: outputs = model(images).detach()``.
``monai.networks.utils.eval_mode`` enters ``torch.no_grad()`` for its block: the loop records no
graph. A library's context manager given a module may switch the gradient mode with the
module's mode, so inside it the mode is unknown and the rule stays silent; one given no module
(a progress bar, a logger run) leaves the mode enabled and the rule reports.
"""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

_EVAL = """\
    import torch
    from torch import nn
    from monai.networks.utils import eval_mode

    model = nn.Linear(4, 2)
    loader = [torch.randn(3, 4) for _ in range(3)]
    model.eval()
    with eval_mode(model):
        preds = []
        for x in loader:
            out = model(x).detach()  # EVAL
            preds.append(out.argmax(1))
    print(torch.cat(preds))
"""


def _marked(src):
    return src.replace("# EVAL", "# expect: GRD505")


POSITIVES = [
    case("no-context-manager", _marked(_EVAL).replace("with eval_mode(model):", "if True:"), lines=(11,)),
    case(
        "library-context-given-no-module",
        _marked(_EVAL)
        .replace("from monai.networks.utils import eval_mode", "from tqdm import tqdm")
        .replace("with eval_mode(model):", "with tqdm(total=3) as bar:"),
        lines=(11,),
    ),
    case(
        "a-library-context-given-a-number",
        _marked(_EVAL)
        .replace("from monai.networks.utils import eval_mode", "from mylib.timing import timed")
        .replace("with eval_mode(model):", "with timed(3):"),
        lines=(11,),
    ),
]

NEGATIVES = [
    case("monai-eval-mode", _EVAL),
    case(
        "monai-eval-mode-as-bound-name",
        _EVAL.replace("with eval_mode(model):", "with eval_mode(model) as (net,):"),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
