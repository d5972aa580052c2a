"""What a differentiable op does to the graph: whether its result requires grad, the tensors it
saves for backward (so an in-place write to one of them breaks the backward), and the freed
graphs its operands may carry from an earlier iteration. ``expressions``, ``torch_semantics``
and ``module_semantics`` ask it for the result of every op they interpret."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .syntax import base_path, dotted
from .dep_bounds import capped
from .values import STRING, Value, tensor
from .value_paths import add_deps


class Operations:
    def _op_result(self, operands, saving: str = "inputs") -> Value:
        """The result of a differentiable op on (node, value) operands.

        ``saving`` says what the op keeps for backward: "inputs", "output" or "none".
        """
        mode = self.state.mode
        grads = []
        cut = somewhere = False
        deps: frozenset = frozenset()
        direct: list = []  # the operands' own paths: kept first when deps are capped
        through: frozenset = frozenset()
        saved_params: frozenset = frozenset()
        stale = False
        # the freed graph a value carried from an earlier iteration may hold (see ``statements._loop``)
        carried = self._freed_operands(operands) if self.state.freed else frozenset()
        for node, value in operands:
            kind = value.kind
            if kind == "tensor":
                grads.append(value.grad)
                cut = cut or value.cut
                somewhere = somewhere or value.cut_somewhere
                through, saved_params = through | value.through, saved_params | value.saved_params
                # a part of a model output (grad unknown) whose saved parameters a step updated since
                stale = stale or (value.grad is None and value.stale)
                if value.grad:
                    deps = deps | value.deps
                    stale = stale or value.stale
                    if value.leaf is False:
                        path = base_path(node)
                        if path and type(node) is cst.Call and self.value(node.func).kind == "module":
                            # `self.flatten(h)` with `self.flatten = nn.Flatten()`: a module's output,
                            # not a view of `self` (as `h.flatten()` is of `h`)
                            path = None
                        if path and type(node) is cst.Subscript and _filled_container(self.lookup(path)):
                            # an element of a list or dict the code filled (`outputs[i]` of
                            # `outputs.append(model(x))` per model): its graph is its own (in its
                            # deps), not that of every element, which are built apart as often as not
                            path = None
                        if path and not value.leaf_view and not _names_a_leaf(self.lookup(path)):
                            # (a view of a leaf, `w[:, None]`, holds a graph made anew each time, not the leaf's)
                            deps = deps | {path}
                            direct.append(path)
            elif kind == "seq":
                grads.append(value.has_grad)
                # `torch.cat([noise, hidden])` with `hidden` cut out of the graph: the joined element
                # of a list whose other items are plain data is not cut, the result still is
                cut = cut or any(item.cut for item in value.items if item.kind in ("tensor", "number"))
                cut = cut or _names_a_cut_value(node, self.lookup)
                if value.elem is not None:
                    cut = cut or value.elem.cut
                    deps = deps | value.elem.deps
                    path = _kept_graphs(node, value)
                    if path:
                        # `torch.stack(saved_log_probs)`: a backward() frees the graphs the list holds,
                        # and a list kept from one episode to the next (never cleared) still holds them
                        deps = deps | {path}
                        direct.append(path)
                shown = self._displayed_graphs(node)
                deps = deps | frozenset(shown)
                direct.extend(shown)
            elif kind == "number":
                cut = cut or value.cut
            elif kind in ("none", "ref", "builtin") or kind == "unknown" and value.qual.startswith(STRING):
                continue  # (a string option, `reduction="mean"`, carries no graph)
            else:
                grads.append(None)
        has_grad = True in grads
        if mode is False:
            return tensor(False, None, cut=has_grad or cut)
        if has_grad:
            if saving == "inputs":
                self._record_saved(operands)
            return tensor(
                True if mode else None,
                False,
                deps=capped(deps | carried, direct),
                saves_self=saving == "output",
                through=through,
                saved_params=saved_params,
                stale=stale,
            )
        if all(g is False for g in grads):
            return tensor(False, None, cut=cut, cut_somewhere=somewhere and not cut, through=through)
        # a model output's part (``Value.output_part``) may carry the graph that saved its parameters:
        # so may what is computed from it (``D(z)``, z from the VAE: the VAE's, stale after its step())
        # (saves_self: what the op keeps, whatever the grad; a backward proving the result requires grad
        # then finds it saved, see ``Evidence._proven_by_backward`` and ``Bindings._set``)
        return tensor(
            None, None, through=through, deps=carried, saved_params=saved_params, stale=stale, saves_self=saving == "output"
        )

    def _displayed_graphs(self, node) -> list:
        """The names among the elements of a list or tuple written in the call that hold a graph:
        ``torch.cat((self.real_A, self.fake_B), 1)`` goes through ``self.fake_B``'s graph as
        ``self.fake_B * 2`` does, so a backward() of the result frees it (a pix2pix critic's loss on the
        undetached pair frees the generator's graph that ``backward_G()`` needs: torch 2.13 raises)."""
        if type(node) not in (cst.List, cst.Tuple):
            return []
        found = []
        for element in node.elements:
            if type(element.value) not in (cst.Name, cst.Attribute):
                continue
            value = self.value(element.value)
            path = dotted(element.value)
            if value.kind != "tensor" or not value.grad or value.leaf is not False or value.leaf_view:
                continue
            if path and not _names_a_leaf(self.lookup(path)):
                found.append(path)
        return found

    def _add_operand_graph(self, node: cst.AugAssign, current: Value, operand: Value) -> None:
        """``loss += term`` on a loss that requires grad: in place, so ``loss`` keeps its identity, but
        its graph now goes through ``term``'s (freed with it by a backward(), as ``loss + term`` is)."""
        path = dotted(node.target)
        if path is None:
            return
        freed = self._freed_operands([(node.value, operand)]) if self.state.freed else frozenset()
        deps = operand.deps | freed
        if type(node.value) in (cst.Name, cst.Attribute) and operand.leaf is False and (own := dotted(node.value)):
            deps = deps | {own}
        self.state.env[path] = add_deps(current, deps, operand.through, operand.saved_params)

    def _freed_operands(self, operands) -> frozenset:
        """Operands (or elements of a tuple/list operand) named by a path whose graph was freed,
        that may still hold it (not known to be cut from every graph)."""
        found = set()
        pending = list(operands)
        while pending:
            node, value = pending.pop()
            if type(node) in (cst.Tuple, cst.List):
                pending.extend((element.value, self.value(element.value)) for element in node.elements)
                continue
            if value.grad is False or value.kind not in ("tensor", "unknown", "seq"):
                continue
            if value.kind == "tensor" and value.leaf is True:
                continue  # a leaf itself holds no graph, even when a freed graph went through a view of it
            path = base_path(node)
            if path in self.state.freed:
                found.add(path)
            if value.kind == "tensor" and value.grad is None:
                found.update(value.deps & self.state.freed)  # (an operand that depends on one)
        return frozenset(found)

    def _record_saved(self, operands, force: bool = False) -> None:
        """Note the operands an op saved for backward: those that require grad, or (``force``)
        every tensor operand, when the op saves it for the gradient of another operand."""
        if self.state.mode is not True:
            return
        new = [self._saved_path(node) for node, value in operands if value.kind == "tensor" and (force or value.grad)]
        new = [p for p in new if p]
        if new:
            self.state.saved = self.state.saved.union(new)

    def _saved_path(self, node) -> Optional[str]:
        """The tensor an op saves when given ``node``: ``x`` for ``x``, ``x.T`` or ``x[0]`` (views),
        none for ``x[idx]`` with a tensor or list index (a copy: writing ``x`` leaves it intact)."""
        if type(node) is cst.Subscript and not all(self._basic_index(e) for e in node.slice):
            return None
        if type(node) is cst.Subscript and _filled_container(self.lookup(base_path(node.value) or "")):
            # one element of a list (`F.interpolate(laterals[i], ...)`): writing another element
            # (`laterals[i - 1] += up`) leaves it intact
            return None
        return base_path(node)


def _names_a_leaf(value) -> bool:
    return value is not None and value.kind == "tensor" and value.leaf is True and not value.struct


def _filled_container(value) -> bool:
    return value is not None and value.kind in ("seq", "dict")


def _kept_graphs(node, value: Value) -> Optional[str]:
    """The name of a list (not an element of one, nor a list built on the spot) whose elements are
    graphs: ``saved_log_probs`` of ``torch.stack(saved_log_probs)``."""
    elem = value.elem
    if type(node) not in (cst.Name, cst.Attribute) or elem.kind != "tensor" or elem.grad is not True or elem.leaf is not False:
        return None
    return dotted(node)


def _names_a_cut_value(display, lookup) -> bool:
    """Whether a list or tuple display names a tensor cut out of the graph among its elements
    (``[noise, hidden]``): a list display keeps only its elements' join, whose ``cut`` says that
    every element is cut."""
    if type(display) not in (cst.List, cst.Tuple):
        return False
    for element in display.elements:
        path = dotted(element.value)
        value = lookup(path) if path is not None and "(" not in path else None
        if value is not None and value.kind == "tensor" and value.cut:
            return True
    return False
