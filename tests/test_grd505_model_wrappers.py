"""GRD505: an evaluation loop that hands each output of the model to an object another library built
around that model (a class-activation-map extractor hooked on its layers) runs a backward() through
the output there, so its graph is kept on purpose; no_grad around the loop would break it. Objects
built without the model, or a loop that never calls the extractor, are no excuse."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

POSITIVES = [
    case(
        "metric_object_built_without_the_model",
        """
        import torch
        import torch.nn as nn
        from torchmetrics import Accuracy

        model = nn.Sequential(nn.Linear(8, 4), nn.Dropout(0.3), nn.Linear(4, 3))
        model.eval()
        accuracy = Accuracy(task="multiclass", num_classes=3)
        for x, y in [(torch.randn(2, 8), torch.tensor([0, 1])) for _ in range(3)]:
            out = model(x)  # expect: GRD505
            accuracy(out, y)
        """,
        lines=(10,),
    ),
    case(
        "extractor_built_but_this_loop_never_calls_it",
        """
        import torch
        import torch.nn as nn
        from torchcam.methods import LayerCAM

        model = nn.Sequential(nn.Linear(8, 4), nn.Dropout(0.3), nn.Linear(4, 3))
        model.eval()
        extractor = LayerCAM(model, target_layer="0")
        for x in [torch.randn(2, 8) for _ in range(3)]:
            out = model(x)  # expect: GRD505
            print(out.argmax(1))
        """,
        lines=(10,),
    ),
]

NEGATIVES = [
    case(
        "cam_extractor_given_each_output",
        """
        import torch
        import torch.nn as nn
        from torchcam.methods import LayerCAM

        model = nn.Sequential(nn.Linear(8, 4), nn.Dropout(0.3), nn.Linear(4, 3))
        model.eval()
        cam_extractor = LayerCAM(model, target_layer="0")
        for x in [torch.randn(1, 8) for _ in range(3)]:
            out = model(x)
            cams = cam_extractor(out.squeeze(0).argmax().item(), out)
        """,
    ),
    case(
        "extractor_given_the_model_by_keyword_inside_a_function",
        """
        import torch
        import torch.nn as nn
        import pytorch_grad_cam


        def explain(model, loader):
            model.eval()
            cam = pytorch_grad_cam.GradCAM(model=model, target_layers=[model[0]])
            maps = []
            for x in loader:
                scores = model(x)
                maps.append(cam.compute(scores, x))
            return maps


        explain(nn.Sequential(nn.Linear(8, 4), nn.Dropout(0.3), nn.Linear(4, 3)), [torch.randn(1, 8)])
        """,
    ),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)


POSITIVES_MORE = [
    case(
        "perceptual_loss_built_around_another_network",
        """
        import torch
        import torch.nn as nn
        import lpips_like

        model = nn.Sequential(nn.Linear(8, 4), nn.Dropout(0.3), nn.Linear(4, 8))
        features = nn.Sequential(nn.Linear(8, 8), nn.ReLU())
        model.eval()
        perceptual = lpips_like.PerceptualLoss(features)
        for x in [torch.randn(2, 8) for _ in range(3)]:
            out = model(x)  # expect: GRD505
            print(perceptual(out, x).item())
        """,
        lines=(11,),
    ),
]

NEGATIVES_MORE = [
    case(
        "explainer_class_holding_the_extractor_in_a_field",
        """
        import torch
        import torch.nn as nn
        from pytorch_grad_cam import GradCAM


        class Explainer:
            def __init__(self, model):
                self.model = model
                self.cam = GradCAM(model=self.model, target_layers=[self.model[0]])

            def run(self, loader):
                self.model.eval()
                maps = []
                for x in loader:
                    scores = self.model(x)
                    maps.append(self.cam.compute(scores, x))
                return maps


        Explainer(nn.Sequential(nn.Linear(8, 4), nn.Dropout(0.3), nn.Linear(4, 3))).run([torch.randn(1, 8)])
        """,
    ),
]

test_fires_more, test_silent_more = rule_tests("GRD505", POSITIVES_MORE, NEGATIVES_MORE)
