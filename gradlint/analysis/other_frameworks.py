"""Code written for another framework, where torch's facts do not apply.

Files written for another deep-learning framework (a PaddlePaddle port shipped beside the PyTorch
code, as face.evoLVe's ``paddle/`` folder): their layers define ``forward()`` and their tensors have
``backward()`` and ``numpy()``, with that framework's rules (paddle's ``loss.numpy()`` works on a
tensor that needs gradients). Torch's facts do not apply to them.
"""

import re

import libcst as cst

#: the top-level packages of those frameworks
OTHER_FRAMEWORKS = frozenset(
    {"paddle", "mindspore", "mxnet", "megengine", "oneflow", "jittor", "tensorflow", "keras", "tf_keras", "jax", "flax"}
)

_IMPORTS_OTHER = re.compile(r"(?m)^[ \t]*(?:import|from)[ \t]+(?:" + "|".join(sorted(OTHER_FRAMEWORKS)) + r")\b")
_IMPORTS_TORCH = re.compile(r"(?m)^[ \t]*(?:import|from)[ \t]+torch\b")


def written_for_another_framework(source: str) -> bool:
    """The file imports another framework and never imports torch."""
    return bool(_IMPORTS_OTHER.search(source)) and not _IMPORTS_TORCH.search(source)


#: packages whose decorators compile a Python function into a kernel of their own language
#: (``@ti.kernel``, ``@numba.njit``, ``@triton.jit``): its body never runs as PyTorch code
KERNEL_COMPILERS = frozenset({"taichi", "numba", "triton", "cupy", "cupyx", "warp"})


def compiled_kernel(function, evaluate) -> bool:
    """``function`` is decorated by such a compiler (``@ti.kernel def init(data: ti.types.ndarray()):
    data[I] = ...`` writes the memory of the tensor it is given, no autograd involved); ``evaluate``
    gives a decorator expression's value."""
    for decorator in function.decorators:
        node = decorator.decorator
        value = evaluate(node.func if type(node) is cst.Call else node)
        if value.kind == "ref" and value.qual.split(".", 1)[0] in KERNEL_COMPILERS:
            return True
    return False
