"""Files written for another deep-learning framework (a PaddlePaddle port shipped beside the PyTorch
code, as face.evoLVe's ``paddle/`` folder): their layers define ``forward()`` and their tensors have
``backward()`` and ``numpy()``, with that framework's rules (paddle's ``loss.numpy()`` works on a
tensor that needs gradients). Torch's facts do not apply to them.
"""

import re

#: the top-level packages of those frameworks
OTHER_FRAMEWORKS = frozenset(
    {"paddle", "mindspore", "mxnet", "megengine", "oneflow", "jittor", "tensorflow", "keras", "tf_keras", "jax", "flax"}
)

_IMPORTS_OTHER = re.compile(r"(?m)^[ \t]*(?:import|from)[ \t]+(?:" + "|".join(sorted(OTHER_FRAMEWORKS)) + r")\b")
_IMPORTS_TORCH = re.compile(r"(?m)^[ \t]*(?:import|from)[ \t]+torch\b")


def written_for_another_framework(source: str) -> bool:
    """The file imports another framework and never imports torch."""
    return bool(_IMPORTS_OTHER.search(source)) and not _IMPORTS_TORCH.search(source)
