"""Context managers of a library that are handed a model.

``with eval_mode(model):`` (MONAI's ``monai.networks.utils.eval_mode``) switches the model to
evaluation mode *and* enters ``torch.no_grad()`` for the block; its ``train_mode`` enables
gradients. A context manager imported from a library and given a module may set the gradient
mode along with the module's mode: inside its block the mode is unknown, as it is inside a
context manager of the file's own. One given no module (``tqdm(loader)``, ``open(path)``,
``wandb.init()``) leaves the mode as it was.
"""

from __future__ import annotations

import libcst as cst

#: packages whose context managers never switch autograd's mode
_MODE_FREE = ("builtins", "contextlib", "tqdm", "wandb", "time", "warnings", "threading", "os", "io")


def library_context_given_a_module(walker, item: cst.BaseExpression) -> bool:
    """``item`` (a ``with`` item) calls a library's callable with a module among its arguments."""
    if type(item) is not cst.Call:
        return False
    callee = walker.value(item.func)
    if callee.kind != "ref" or not callee.qual or callee.qual.split(".")[0] in _MODE_FREE:
        return False
    if callee.qual.startswith("torch"):
        return False  # torch's own are known (no_grad, autocast, ...) or unknown alike
    return any(walker.value(arg.value).kind == "module" for arg in item.args)
