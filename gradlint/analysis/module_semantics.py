"""What calling a module, and its own methods (``parameters()``, ``eval()``, ``requires_grad_()``,
``zero_grad()``, ``forward()``), do to values: the nn.Module half of the interpreter's library
knowledge (the tables it reads are in ``torch_api``; torch functions and tensor methods are in
``torch_semantics``)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from . import torch_api as api
from .lightning_manual import manual_optimization, optimizers_of
from .block_outputs import returns_saved_output
from .call_shapes import container_member, keyed_member, layered, module_path, pair
from .mapping_arguments import mapping_contents
from .state import FreezeEvent
from .syntax import literal_bool, registered_submodule
from .values import NONE, UNKNOWN, Tri, Value, dict_values, join_all, member_of, seq, tensor


class ModuleSemantics:
    def _loss_input(self, node: Optional[cst.Call], args) -> list:
        """A loss's arguments, its input made a grad tensor when it is an element of a model's
        output (``Value.output_part``): the prediction a loss is given is the part of the output
        that carries the graph (``pred, mu, logvar = model(x); F.mse_loss(pred, y)``)."""
        if not args or self.state.mode is not True:
            return args
        keyword = node.args[0].keyword if node is not None and node.args else None
        first, value = args[0]
        if keyword is not None and keyword.value != "input" or value.kind != "tensor" or not value.output_part:
            return args
        return [(first, self._loss_input_proven(first, value))] + list(args[1:])

    def _loss_input_proven(self, expression, part: Value) -> Value:
        """The output part a loss takes as its input, as a grad tensor; a name bound to it holds one
        from here on too (``logits, feats = model(x); loss = criterion(logits, y)``, then
        ``logits.numpy()`` raises as ``model(x).numpy()`` would)."""
        proven = part.with_(grad=True, leaf=False, output_part=False)
        if type(expression) is cst.Name and self.state.env.get(expression.value) == part:
            self.state.env[expression.value] = proven
        return proven

    def _trained_model(self, owner: Optional[str]) -> None:
        """``optim.Adam(model.parameters())``: whatever ``model`` was not known to be, it is a
        module with parameters that train (only an nn.Module has ``parameters()`` to optimize)."""
        if owner is None or "(" in owner:
            return
        current = self.lookup(owner)
        if current is None or current.kind == "unknown":
            self.state.env[owner] = Value(kind="module", params=True)

    def _module_method(self, receiver: Value, name: str, node: cst.Call, args) -> Value:
        path = module_path(node.func.value)
        if name in ("parameters", "named_parameters"):
            if path is not None:
                path = self._field_alias(path)
            else:
                path = container_member(node.func.value, self.value) or keyed_member(node.func.value, self.value, receiver)
            grad = True if receiver.params is True else None
            return Value(kind="params", owner=path, grad=grad, qual="named" if name[0] == "n" else "")
        if name in ("modules", "children", "named_modules", "named_children"):
            return Value(kind="modules", owner=path, qual="named" if name[0] == "n" else "")
        if name == "requires_grad_":
            flag = literal_bool(node.args[0].value) if node.args else True
            if path is not None:
                self._freeze(FreezeEvent(path, True, flag, node, self._always(flag)))
                return self.lookup(path) or receiver
            self._forget_members(node.func.value)
            # `nn.Conv2d(...).requires_grad_(False)`: the new module's parameters are frozen
            if flag is False:
                return receiver.with_(params=False)
            return receiver.with_(params=True if flag is True and receiver.params is True else None)
        if name == "freeze" and not node.args and (receiver.cls is None or "freeze" not in receiver.cls.methods):
            # a LightningModule's freeze(): every parameter stops requiring grad (and eval mode)
            if path is not None:
                self._freeze(FreezeEvent(path, True, False, node, self._always(False)))
            return NONE
        if name.startswith("freeze") and path is not None and (receiver.cls is None or name not in receiver.cls.methods):
            # vissl's `model.eval(); model.freeze_head_and_trunk()` on a model of unknown class: some or
            # all of its parameters may stop requiring grad; which is not known
            if receiver.params is True:
                self.state.env[path] = receiver.with_(params=None)
            return UNKNOWN
        if name in ("values", "items") and not node.args and receiver.qual.rsplit(".", 1)[-1] == "ModuleDict":
            # `for head in self.heads.values():` gives its sub-modules, as iterating a ModuleList does
            member = member_of(receiver, None)
            if name == "values":
                return seq([member])
            return seq([seq([UNKNOWN, member]).with_(items=(UNKNOWN, member))])
        if name in ("eval", "train"):
            training = name == "train" and (self._mode_argument(node.args[0].value) if node.args else True)
            # as for any object with eval()/train(): switching modes is for a model that has parameters
            result = receiver.with_(training=training, params=True if receiver.params is None else receiver.params)
            self._switch_mode(node, path, result)
            return result
        if name == "zero_grad":
            self._clear_grads(path)
            return NONE
        if name in ("to", "cuda", "cpu", "float", "double", "half", "bfloat16", "type", "apply"):
            return receiver
        if name in ("insert", "pop", "append", "extend") and path is not None:
            self._forget_members(path)  # the members move: `model[0]` may be another one now
        if name == "manual_backward" and node.args and node.args[0].keyword is None:
            # a LightningModule's `self.manual_backward(loss)`
            self._backward(node, node.args[0].value)
            return NONE
        if name == "optimizers" and manual_optimization(receiver.cls) and not args:
            configure = receiver.cls.methods.get("configure_optimizers")
            if configure is not None:
                return optimizers_of(self._call_function(configure, node, [], receiver=receiver))
        if name == "forward":
            # `model.forward(x)` runs the model as `model(x)` does (without its hooks)
            return self._run_module(receiver, node, args, path)
        registered = registered_submodule(node)
        if registered and path is not None:
            self._set(f"{path}.{registered}", args[1][1])
            return NONE
        return UNKNOWN

    def _mode_argument(self, flag) -> Tri:
        """The mode ``model.train(flag)`` sets: a literal, or a parameter this call of the function bound
        to one (``run_epoch(valid_data, False)`` running ``self.model.train(training)``)."""
        literal = literal_bool(flag)
        if literal is not None or type(flag) is not cst.Name:
            return literal
        return self._flag_truth(flag, self.value(flag))

    def _module_output(self, module: Value, args, path: Optional[str] = None, kept=None) -> Value:
        """``kept``: the arguments the module may save for backward, when not all of them
        (``input_reads``: those its forward only measures are not)."""
        mode = self.state.mode
        if module.cls is not None:
            single = module.cls.single_output
        else:
            # a wrapper (`nn.DataParallel(m)` of an `m` not known as a module, else it is `m`'s value)
            # gives `m`'s output, whose structure is not known
            single = bool(module.qual) and module.qual.rsplit(".", 1)[1] not in api.TUPLE_OUTPUT_MODULES
            single = single and module.qual not in api.MODULE_WRAPPERS
        if mode is False:
            carried = module.params is True or any(v.is_grad_tensor or v.cut for _, v in args)
            return tensor(False, None, struct=not single, cut=carried)
        if module.cls is None and api.is_loss(module.qual):
            args = self._loss_input(None, args)
        result = self._op_result(args, "inputs" if kept is None else "none")
        if kept is not None and result.grad:
            self._record_saved(kept)
        if module.params is True and module.cls is None and api.saves_input_for_weights(module.qual):
            self._record_saved(args, force=True)  # to compute the gradient of its weight
        grad = result.grad
        if module.params is True:
            grad = True if mode else None
        elif module.params is None and grad is False:
            grad = None
        mapped_through, mapped_grad = mapping_contents(args)  # `unet(**inputs)`
        if mapped_grad and not grad:
            grad = True if mode else None
        saves_self = bool(grad) and module.cls is None and saves_its_output(module)
        through, saved_params = result.through | mapped_through, result.saved_params
        parameter_free = (
            module.cls is None and api.is_nn_module_class(module.qual) and api.nn_module_has_params(module.qual) is False
        )
        if path is not None and not parameter_free:  # a frozen model still counts
            through = through | {path}
            if module.params is True and (
                any(v.is_grad_tensor for _, v in args) or layered(module) or _saves_its_weight(module)
            ):
                # a layer keeps its weight to compute the gradient of a grad input; in a model of
                # several layers, every layer after the first has one
                saved_params = saved_params | {path}
        output = tensor(
            grad,
            False if grad else None,
            struct=not single,
            deps=result.deps,
            cut=grad is False and result.cut,
            saves_self=saves_self,
            through=through,
            saved_params=saved_params,
            stale=bool(grad) and result.stale,
        )
        if module.cls is None and module.qual.rsplit(".", 1)[-1] in api.TUPLE_OUTPUT_MODULES:
            return _recurrent_output(module.qual.rsplit(".", 1)[-1], output.with_(struct=False))
        return output

    @staticmethod
    def _container_params(args) -> Tri:
        """nn.Sequential / nn.ModuleList / nn.ModuleDict: trainable if a member module is."""
        members = []
        for _, value in args:
            if value.kind == "seq" and value.layers:
                return True  # a list of layers, one at least with parameters
            if value.kind == "dict":
                members.append(dict_values(value).elem or UNKNOWN)  # a ModuleDict's: any of its values
                continue
            members.append(value.elem if value.kind == "seq" and value.elem is not None else value)
        if any(m.kind == "module" and m.params for m in members):
            return True
        return None


def _recurrent_output(name: str, part: Value) -> Value:
    """``output, (h, c) = lstm(x)``; ``output, h = gru(x)``; ``out, weights = attention(q, k, v)``."""
    second = pair(part, part) if name == "LSTM" else part
    return pair(part, second)


def container_members(node: cst.Call, args):
    """The members of ``nn.Sequential(a, b)`` / ``nn.ModuleList([a, b])`` / ``nn.ModuleList([Block() for
    _ in range(n)])``: by position where they are listed, and all of them joined (None: not known)."""
    if not args or any(arg.keyword is not None for arg in node.args):
        return (), None
    if len(args) == 1 and args[0][1].kind == "dict":
        # `nn.ModuleDict({"a": head, ...})`: its members by key, not by position
        return (), dict_values(args[0][1]).elem
    if len(args) == 1 and args[0][1].kind == "seq":
        listed = args[0][1]
        if node.args[0].star:
            return (), listed.elem
        return listed.items, listed.elem
    if any(arg.star for arg in node.args):
        return (), None
    values = tuple(value for _, value in args)
    return values, join_all(values)


#: Activations whose in-place form keeps its result for backward (their out-of-place form keeps
#: the input): with torch 2.13, ``h = nn.LeakyReLU(0.2, inplace=True)(fc(x)); h.mul_(2)`` raises
#: "modified by an inplace operation" at backward; without ``inplace`` it does not. The position of
#: ``inplace`` among the positional arguments.
_RESULT_SAVING_WHEN_INPLACE = {"LeakyReLU": 1, "ELU": 1, "CELU": 1, "SELU": 0}


def saves_output_in_place(qual: str, call) -> bool:
    """``nn.LeakyReLU(0.2, inplace=True)``: a layer whose calls keep their output for backward."""
    position = _RESULT_SAVING_WHEN_INPLACE.get(qual.rsplit(".", 1)[-1])
    if position is None or not qual.startswith("torch.nn."):
        return False
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    flag = next((arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == "inplace"), None)
    if flag is None and len(positional) > position:
        flag = positional[position].value
    return literal_bool(flag) is True if flag is not None else False


def saves_its_output(module) -> bool:
    """An activation layer that keeps its output for backward (``nn.Tanh()``), or an ``nn.Sequential``
    ending in one (a generator's ``nn.Sequential(..., nn.Tanh())``), or in a block of the project
    whose forward returns one's output (``ConvBNReLU``): its output is that layer's."""
    name = module.qual.rsplit(".", 1)[-1]
    if name in api.OUTPUT_SAVING_MODULES or module.saves_self:
        return True  # (saves_self: built in place, ``saves_output_in_place``)
    if name != "Sequential" or not module.items:
        return False
    last = module.items[-1]
    if last.kind == "module" and last.cls is not None:
        return returns_saved_output(last.cls, saves_its_output)  # a block of the project (``block_outputs``)
    return last.kind == "module" and bool(last.qual) and saves_its_output(last)


#: ``nn.Conv1d``/``Conv2d``/``Conv3d``/``ConvTranspose*d`` keep their weight for backward even when
#: their input does not require grad (checked with torch 2.13: ``y = conv(x)``, a step on
#: ``conv.weight``, then ``y.sum().backward()`` raises "modified by an inplace operation"; ``nn.Linear``
#: of such an input does not). High-Resolution-Image-Inpainting-GAN #7: the coarse generator's first
#: conv reads the masked image.
_WEIGHT_SAVING_CONVS = frozenset(
    "Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d".split()
)


def _saves_its_weight(module) -> bool:
    return module.cls is None and bool(module.qual) and module.qual.startswith("torch.nn.") and (
        module.qual.rsplit(".", 1)[-1] in _WEIGHT_SAVING_CONVS
    )
