"""GRD505 and a forward that dispatches on a mode string, its inference arm under no_grad.

SPADE's ``Pix2PixModel.forward(self, data, mode)`` runs ``with torch.no_grad(): fake, _ =
self.generate_fake(...)`` then ``return fake`` for ``mode == 'inference'``; test.py calls
``model(data_i, mode='inference')`` after ``model.eval()``. With a generator built by another
file's factory (``networks.define_G(opt)``) the walk cannot value ``fake``, but the arm the literal
chooses returns only what no_grad computed: the call records no graph. The same test loop calling
the training arm (``mode='generator'``), or an inference arm without no_grad, still keeps a graph
per batch and fires.
"""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

_PIX2PIX = """\
    import torch
    from torch import nn

    import networks


    class Pix2PixModel(nn.Module):
        def __init__(self, opt):
            super().__init__()
            self.netG = networks.define_G(opt)
            self.netD = networks.define_D(opt)

        def generate_fake(self, semantics):
            return self.netG(semantics), None

        def forward(self, data, mode):
            semantics = data["label"].float()
            if mode == "generator":
                fake, _ = self.generate_fake(semantics)
                return -self.netD(fake).mean()
            elif mode == "inference":
                with torch.no_grad():
                    fake, _ = self.generate_fake(semantics)
                return fake
            else:
                raise ValueError(mode)


    model = Pix2PixModel(opt)
    model.eval()
    for i, data_i in enumerate(dataloader):
        generated = model(data_i, mode="inference")  # FORWARD
        save_images(generated.cpu())
"""


def _marked(src):
    return src.replace("# FORWARD", "# expect: GRD505")


POSITIVES = [
    case(
        "inference-arm-without-no-grad",
        _marked(_PIX2PIX).replace(
            "                with torch.no_grad():\n                    fake, _ = self.generate_fake(semantics)\n",
            "                fake, _ = self.generate_fake(semantics)\n",
        ),
        lines=(31,),
    ),
    case("training-arm-called-in-the-test-loop", _marked(_PIX2PIX).replace('mode="inference")', 'mode="generator")'), lines=(32,)),
]

NEGATIVES = [
    case("inference-arm-under-no-grad", _PIX2PIX),
    case("mode-passed-positionally", _PIX2PIX.replace('model(data_i, mode="inference")', 'model(data_i, "inference")')),
    case("inference-arm-under-inference-mode", _PIX2PIX.replace("torch.no_grad()", "torch.inference_mode()")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
