"""Evaluation loops that run inside another file's function, judged at its call.

``denoiser.eval(); samples = reverse_chain(denoiser, 50, 8)`` with ``reverse_chain`` (in another file
of the project) looping ``x = denoise_step(x, t, denoiser)``: the loop records a graph for every
forward of the model its caller switched to ``eval()`` (chained through ``x``, all of them stay alive).
The callee is summarised at the call (``call_forwards.looped_evaluations``); here, whether the call
is such an evaluation: the caller hands over a model it switched to ``eval()``, and nothing takes
gradients on purpose (the callee's file calls ``backward()`` or ``autograd.grad`` nowhere, the call
is not under ``enable_grad()``, and the caller backpropagates nothing after it, such as the samples).
"""

from __future__ import annotations

from typing import List

import libcst as cst

from .callers import read_text, training_names
from .grad_on_purpose import enabled_on_purpose
from .imports import load_ref
from .syntax import dotted, walk
from .torch_api import MODULE_API

_DIFFERENTIATES = ("backward", "grad")


def evaluated_models(call: cst.Call, ctx) -> List[str]:
    """The caller's paths of the models ``call`` evaluates in a loop of another file's function with
    gradients enabled (empty: not such an evaluation, or not known to be one)."""
    if not ctx.foreign_evaluations.get(id(call)) or ctx.loop is not None:
        return []
    callee = ctx.value(call.func)
    if callee.kind != "func" or not callee.owner:
        return []
    functions = ctx._function_table(callee.owner)[0]
    function = functions.get(callee.qual)
    if function is None or any(_differentiates(reached) or _trains_elsewhere(reached) for reached in _reached(function, functions)):
        return []
    if _reported_in_its_file(callee, ctx):
        return []
    scope = ctx.function if ctx.function is not None else ctx.module_node
    if id(call) in enabled_on_purpose(scope) or _differentiated_after(scope, call):
        return []
    found = []
    for arg in call.args:
        value = ctx.value(arg.value)
        path = dotted(arg.value)
        if path and value.kind == "module" and value.training is False and value.params is True:
            found.append(path)
    return found


def _reported_in_its_file(callee, ctx) -> bool:
    """The callee's own file walks it in this caller's context (``callers``: a training name of that
    file, called from a ``.py`` file of the project) and reports its loop there: once is enough."""
    if not str(ctx.path or "").endswith(".py"):
        return False
    namespace = load_ref(callee.owner)
    if namespace is None:
        return False
    return callee.qual.split(".", 1)[0] in training_names(read_text(namespace.path))


def _reached(function, functions: dict, depth: int = 3) -> list:
    """``function`` and the functions of its file it calls by name, a few calls deep."""
    reached, frontier = [function], [function]
    for _ in range(depth):
        called = []
        for root in frontier:
            for node in walk(root):
                if type(node) is cst.Call and type(node.func) is cst.Name:
                    other = functions.get(node.func.value)
                    if other is not None and all(other is not known for known in reached + called):
                        called.append(other)
        reached += called
        frontier = called
    return reached


#: what takes gradients besides ``backward()``: ``torch.autograd.grad`` / ``.functional.jacobian`` (any
#: ``autograd.`` function), ``torch.func``'s transforms, and those names imported bare
_GRADIENT_NAMES = frozenset({"grad", "jacobian", "hessian", "vjp", "jvp", "hvp", "vhp", "jacrev", "jacfwd"})


def _differentiates(root) -> bool:
    """``root`` calls ``backward()`` or takes gradients otherwise (``torch.autograd.grad(y, x)``,
    ``autograd.functional.jacobian(f, x)``, ``torch.func.grad(f)``, or one of them imported bare)."""
    for node in walk(root):
        if type(node) is not cst.Call:
            continue
        func = node.func
        if type(func) is cst.Attribute and func.attr.value == "backward":
            return True
        name = dotted(func) or ""
        last = name.rsplit(".", 1)[-1]
        if "autograd." in name or last in _GRADIENT_NAMES and (name.startswith(("torch.func.", "func.")) or "." not in name):
            return True
    return False


def _trains_elsewhere(root) -> bool:
    """``root`` calls a method, not one of ``nn.Module``'s own, whose name says it trains
    (``mine.train_step(z, y, optimizer)``, of an object built in another file): its body, not read
    here, may backpropagate through what the loop computed (the model's features). ``model.train()``
    switches a mode and proves nothing."""
    for node in walk(root):
        if type(node) is cst.Call and type(node.func) is cst.Attribute:
            name = node.func.attr.value
            if name not in MODULE_API and any(word in name.lower() for word in TRAINING_WORDS):
                return True
    return False


#: words of a method's name that say it may train (``critic.fit_step(z, opt)``, ``mine.train_step(...)``)
TRAINING_WORDS = ("train", "fit", "learn", "optimi", "backward")


def _differentiated_after(scope, call: cst.Call) -> bool:
    """``backward()`` or ``autograd.grad`` in the statement of ``scope`` holding ``call`` or in one after
    it (what the call returned may be trained: generated samples given to a loss)."""
    body = scope.body.body if isinstance(scope, cst.FunctionDef) else scope.body
    if not isinstance(body, (list, tuple)):
        return True  # a one-line function body: not followed, assume so
    for position, statement in enumerate(body):
        if any(node is call for node in walk(statement)):
            return any(_differentiates(later) for later in body[position:])
    return True
