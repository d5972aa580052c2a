import torch

torch.manual_seed(0)
# input-feature attribution (saliency) of a fixed scoring function, in float64
features = torch.randn(5, dtype=torch.float64, requires_grad=True)  # created as a float64 leaf
weights = torch.linspace(-1.0, 1.0, 5, dtype=torch.float64)

score = torch.tanh(features @ weights)
score.backward()
saliency = features.grad
print(f"saliency: {saliency}")
assert saliency is not None
