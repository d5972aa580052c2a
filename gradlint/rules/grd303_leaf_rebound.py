import re

import libcst as cst

from ..analysis import creates_leaf, dotted, literal_bool, makes_leaf_in_place
from ..analysis.differentiated import only_differentiated, reads_grad
from ..analysis.syntax import paired_elements, walk
from ..rule import Rule, source


def _mentions(node, path: str) -> bool:
    for current in walk(node):
        if type(current) in (cst.Name, cst.Attribute) and dotted(current) == path:
            return True
    return False


class LeafRebound(Rule):
    code = "GRD303"
    name = "leaf-rebound"
    severity = "error"
    summary = "a leaf name rebound to a graph result computed from it: the next step sees a non-leaf"
    requires = (("requires_grad", "Parameter", "parameters", ".grad"),)

    def __init__(self):
        #: names this scope binds to a leaf it creates (an alias of a module's
        #: parameter, transformed locally, is not the leaf itself)
        self._owned = set()
        #: names of leaves this scope uses as the start of a sum of graph terms (see ``_accumulates``)
        self._accumulators = set()

    def on_scope_end(self, node, ctx) -> None:
        self._owned.clear()
        self._accumulators.clear()

    def on_assign(self, target, ctx, value_node) -> None:
        if type(target) in (cst.Tuple, cst.List) and type(value_node) in (cst.Tuple, cst.List):
            # `inputs, targets = inputs.cuda(), targets.cuda()`: each name rebound to its own element
            for one_target, one_value in paired_elements(target, value_node):
                self._check(one_target, ctx, one_value)
            return
        self._check(target, ctx, value_node)

    def _check(self, target, ctx, value_node) -> None:
        if _made_to_require_grad(target, value_node, ctx):
            # `x = torch.Tensor(data); x.requires_grad = True`: the scope made `x` its own leaf
            self._owned.add(target.value.value)
            return
        path = dotted(target) if isinstance(target, (cst.Name, cst.Attribute)) else None
        if path is None:
            return
        if creates_leaf(value_node, ctx) or makes_leaf_in_place(value_node):
            self._owned.add(path)
            return
        if ctx.grad_enabled is not True:
            return
        # the target's value first (a lookup), then the walk of the value: most targets hold no leaf
        current = ctx.value(target)
        if current.kind != "tensor" or current.grad is not True or not (current.leaf is True or current.may_leaf):
            return
        if not _mentions(value_node, path):
            return
        if not ctx.value(value_node).is_nonleaf_grad:
            return
        if _accumulates(value_node, path, ctx):
            self._accumulators.add(path)
            return
        if path in self._accumulators and current.leaf is not True:
            return  # `loss = loss / n` after the loop that summed into it: a leaf only if nothing was added
        if path not in self._owned and not _mentions(value_node, path + ".grad"):
            return
        if _read_out_after_training(path, ctx) or _made_leaf_again(path, ctx, path in self._owned):
            return
        if only_differentiated(target, ctx):
            return  # `torch.autograd.grad(f(x), x)` differentiates the non-leaf as well: no update fails
        if _kept_by_alias(target, ctx):
            return
        self.report(
            ctx,
            target,
            f"`{source(target)} = {source(value_node, 40)}` replaces the leaf `{path}` with a graph result: "
            f"`{path}.grad` is None from now on and the next update fails. Update it in place under "
            f"`torch.no_grad()` (`{path} -= ...`), or use an optimizer.",
        )


def _made_to_require_grad(target, value_node, ctx) -> bool:
    """``x.requires_grad = True`` on a name holding a tensor known not to require grad: from here on
    ``x`` is a leaf this scope made, as ``torch.randn(3, requires_grad=True)`` makes one (a name
    already requiring grad, an alias of a parameter say, is not made anew by it)."""
    if type(target) is not cst.Attribute or target.attr.value != "requires_grad" or type(target.value) is not cst.Name:
        return False
    if literal_bool(value_node) is not True:
        return False
    current = ctx.value(target.value)
    return current.kind == "tensor" and current.grad is False


def _kept_by_alias(target, ctx) -> bool:
    """``x_orig = x`` before ``x = f(x)``, then ``x.backward(g)`` and ``x_orig.grad``: the function
    keeps the leaf under another name and reads its gradient there, never through ``x`` (ART's
    chain of preprocessing defences): rebinding ``x`` to the graph result loses nothing."""
    if type(target) is not cst.Name or ctx.function is None:
        return False
    name = target.value
    aliases = set()
    for node in walk(ctx.function.body):
        if reads_grad(node, name):
            return False
        if type(node) is cst.Assign and len(node.targets) == 1 and type(node.value) is cst.Name:
            alias = node.targets[0].target
            if node.value.value == name and type(alias) is cst.Name and alias.value != name:
                aliases.add(alias.value)
    return bool(aliases) and any(reads_grad(node, alias) for node in walk(ctx.function.body) for alias in aliases)


def _accumulates(value_node, path: str, ctx) -> bool:
    """``loss = loss + term``: a leaf made only to start a sum of graph terms
    (``loss = torch.tensor(0.0, requires_grad=True)``, so that the result requires grad even when
    nothing is added). Its own gradient is never wanted when the file never reads ``loss.grad``,
    and the term, computed apart, does not use it: nothing is lost by rebinding the name."""
    terms = _concatenated(value_node, path, ctx)
    if terms is not None:
        # `log_probs = torch.cat([log_probs, log_prob])`: the leaf starts a growing tensor the same way
        return not any(_mentions(term, path) for term in terms) and not re.search(
            re.escape(path) + r"\s*\.\s*grad\b", ctx.source or ""
        )
    if not (isinstance(value_node, cst.BinaryOperation) and isinstance(value_node.operator, cst.Add)):
        return False
    if dotted(value_node.left) == path:
        term = value_node.right
    elif dotted(value_node.right) == path:
        term = value_node.left
    else:
        return False
    if _mentions(term, path) or re.search(re.escape(path) + r"\s*\.\s*grad\b", ctx.source or ""):
        return False
    # a term computed elsewhere (a loss module's output, say), not a constant shift (`w = w + 1.0`)
    return ctx.value(term).kind in ("tensor", "unknown")


#: the torch functions joining a sequence of tensors into one
_JOINS = frozenset({"torch.cat", "torch.concat", "torch.concatenate", "torch.stack", "torch.hstack", "torch.vstack"})


def _concatenated(value_node, path: str, ctx):
    """The other elements of ``torch.cat([path, t1, ...])`` (a list or tuple holding ``path`` itself
    once), or None for any other expression."""
    if type(value_node) is not cst.Call or not value_node.args or value_node.args[0].keyword is not None:
        return None
    callee = ctx.value(value_node.func)
    if callee.kind != "ref" or callee.qual not in _JOINS:
        return None
    sequence = value_node.args[0].value
    if type(sequence) not in (cst.List, cst.Tuple):
        return None
    elements = [element.value for element in sequence.elements]
    if sum(dotted(element) == path for element in elements) != 1:
        return None
    return [element for element in elements if dotted(element) != path]


_LOOPS = (cst.For, cst.While)


def _read_out_after_training(path: str, ctx) -> bool:
    """``X = torch.rand(..., requires_grad=True)``, a loop optimising ``X``, then ``X = f(X)`` in
    the same block, with no ``X.grad`` read after it: the rebinding reads the optimised value out.
    Each pass through the block makes a fresh leaf before training it again, so no update ever
    sees the non-leaf (botorch's hentropy_search notebook)."""
    block = ctx.block
    if block is None:
        return False
    statements, index = block
    created = trained = False
    for stmt in statements[:index]:
        if _binds_leaf(stmt, path, ctx):
            created, trained = True, False
        elif created and type(stmt) in _LOOPS and _mentions(stmt, path) and _trains(stmt):
            trained = True
    if not trained:
        return False
    return not any(
        type(node) is cst.Attribute and node.attr.value == "grad" and dotted(node.value) == path
        for stmt in statements[index + 1 :]
        for node in walk(stmt)
    )


def _reads_grad(stmt, path: str) -> bool:
    return any(type(node) is cst.Attribute and node.attr.value == "grad" and dotted(node.value) == path for node in walk(stmt))


def _made_leaf_again(path: str, ctx, owned: bool) -> bool:
    """No update ever sees the non-leaf: the rest of the block makes ``path`` a fresh leaf again
    before reading its ``.grad`` (an iterative attack: ``x_adv = x_adv + alpha * x_adv.grad.sign()``,
    clipped, then ``x_adv = Variable(x_adv.data, requires_grad=True)`` for the next iteration), or the
    rebinding is the last use of a leaf the function made itself, outside any loop (a one-step FGSM
    that returns ``x_adv = x_adv + eps * x_adv.grad.sign()``), and nothing reads its ``.grad``
    afterwards. A parameter rebound so (``w = w - lr * w.grad; return w``) still reports: the caller
    gives the result back."""
    block = ctx.block
    if block is None:
        return False
    statements, index = block
    for stmt in statements[index + 1 :]:
        if _reads_grad(stmt, path):
            return False
        if _binds_leaf(stmt, path, ctx) or _cuts_off(stmt, path) or _retains_grad(stmt, path):
            return True
    function = ctx.function
    return (
        owned
        and "." not in path
        and ctx.loop is None
        and function is not None
        and isinstance(function.body, cst.IndentedBlock)
        and statements is function.body.body
    )


def _retains_grad(stmt, path: str) -> bool:
    """``noise.retain_grad()`` right after ``noise = xi * normalize(noise)`` (a virtual adversarial
    loss's power iteration): backward fills the non-leaf's ``.grad`` too, so the read that follows
    (``noise = noise.grad.detach()``) gets the gradient; no update sees None."""
    if type(stmt) is not cst.SimpleStatementLine:
        return False
    return any(
        type(small) is cst.Expr
        and type(small.value) is cst.Call
        and type(small.value.func) is cst.Attribute
        and small.value.func.attr.value == "retain_grad"
        and dotted(small.value.func.value) == path
        for small in stmt.body
    )


def _cuts_off(stmt, path: str) -> bool:
    """``gain = gain.clamp(0.5, 2.0).detach()`` or ``noise = noise.data``: the name stops holding the
    graph result before any update reads its ``.grad`` (the loop makes it a leaf again with
    ``requires_grad_()``, or the value is only read out): no update sees the non-leaf."""
    if type(stmt) is not cst.SimpleStatementLine:
        return False
    for small in stmt.body:
        if type(small) is cst.Assign and any(dotted(t.target) == path for t in small.targets):
            value = small.value
            if type(value) is cst.Attribute and value.attr.value == "data":
                return True
            return type(value) is cst.Call and type(value.func) is cst.Attribute and value.func.attr.value == "detach"
    return False


def _binds_leaf(stmt, path: str, ctx) -> bool:
    if type(stmt) is not cst.SimpleStatementLine:
        return False
    for small in stmt.body:
        if type(small) is cst.Assign and any(dotted(t.target) == path for t in small.targets):
            return creates_leaf(small.value, ctx) or makes_leaf_in_place(small.value)
    return False


def _trains(loop) -> bool:
    """The loop steps an optimizer, calls backward() or takes gradients with autograd.grad."""
    for node in walk(loop):
        if type(node) is cst.Call and type(node.func) is cst.Attribute:
            if node.func.attr.value in ("step", "backward") or dotted(node.func) in ("torch.autograd.grad", "autograd.grad"):
                return True
    return False
