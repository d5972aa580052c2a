# GRD302 leaf-lost-by-op: .double() applied to the tensor created with requires_grad=True leaves a non-leaf in the name
# runtime: warns UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed
import torch

torch.manual_seed(0)
# input-feature attribution (saliency) of a fixed scoring function, in float64
features = torch.randn(5, requires_grad=True).double()  # expect: GRD302
weights = torch.linspace(-1.0, 1.0, 5, dtype=torch.float64)

score = torch.tanh(features @ weights)
score.backward()
saliency = features.grad  # expect: GRD301
print(f"saliency: {saliency}")
