"""What tensor methods do to values: ``x.backward()``, ``x.detach()``, in-place methods, views,
conversions and moves (what torch functions and other objects' methods do is in ``torch_semantics``)."""

from __future__ import annotations

import libcst as cst

from . import torch_api as api
from .call_shapes import pair, returns_indices
from .devices import may_leave_cpu, moves_to_cuda
from .output_parts import parts_of
from .syntax import dotted, is_grad_attribute, kwarg, literal_bool
from .values import NONE, UNKNOWN, Value, seq, tensor, view_of

_CONTAINER_METHODS = frozenset(
    "keys values items get to_tuple index count pop update copy setdefault append extend".split()
)

_SHAPE_ONLY_ARGUMENT = frozenset({"expand_as", "view_as", "reshape_as"})
#: in-place writes of a ``.grad`` that count as clearing it (``p.grad.zero_()``)
GRAD_WRITES = ("zero_", "fill_", "mul_")


class TensorMethods:
    """A mixin of the analyzer (with ``TorchSemantics``)."""

    def _tensor_method(self, receiver: Value, name: str, node: cst.Call, args) -> Value:
        receiver_node = node.func.value
        path = dotted(receiver_node)
        if name == "backward":
            self._backward(node, receiver_node)
            return NONE
        if name == "retain_grad":
            if path is not None:
                self.state.env[path] = receiver.with_(retains=True)
            return NONE
        if name == "requires_grad_":
            flag = literal_bool(node.args[0].value) if node.args else True
            if flag is None:
                result = receiver.with_(grad=None)
            elif flag and receiver.grad is True and receiver.kind == "tensor":
                # a no-op on a tensor that requires grad: a non-leaf keeps its graph (`interp =
                # alpha * real + (1 - alpha) * fake; interp.requires_grad_(True)` still goes through
                # the graph of `fake`, and a backward() through it frees that graph: torch 2.13)
                result = receiver
            elif flag:
                result = tensor(True, True if receiver.grad is False else receiver.leaf)
            else:
                result = receiver.with_(grad=False) if receiver.leaf else receiver
            if path is not None:
                self.state.env[path] = result
            self._requires_grad_set(receiver_node, flag, node)
            return result
        if name in ("detach", "detach_"):
            result = tensor(False, True, cut=receiver.grad is True or receiver.cut)
            if name == "detach" and receiver.saves_self and receiver.grad is True and path is not None:
                # an alias of an output its op saved (same storage and version counter): writing it in
                # place makes the backward through the named original raise (GRD202; Bindings._set)
                result = result.with_(saves_self=True)
            if name == "detach_" and path is not None:
                self.state.env[path] = result
                self.state.freed = self.state.freed - {path}
                if receiver.leaf and isinstance(receiver_node, cst.Name) and self._param_loops:
                    # `for p in ema.parameters(): p.detach_()` freezes ema as requires_grad = False would
                    self._requires_grad_set(receiver_node, False, node)
            if is_grad_attribute(receiver_node):
                self._clear_grads(None)
            return result
        if name in ("item", "tolist", "numpy"):
            # a Python number or a numpy array: values without a graph, cut out of it when the
            # tensor had one (`pred.detach().numpy()`, then a loss computed in numpy)
            return Value(kind="number", cut=receiver.grad is True or receiver.cut)
        if receiver.struct and name in ("values", "items") and not node.args:
            return parts_of(receiver, name)  # a dict's, not a sparse tensor's, values()
        if name in api.TENSOR_NON_TENSOR_METHODS:
            return UNKNOWN
        if name in api.DISTRIBUTION_SAMPLERS:
            # no tensor has this method: the receiver (the output of a model of unknown class) is a
            # distribution, whose draw records no graph, or an object the analysis does not know
            return UNKNOWN
        if receiver.struct:
            if name in _CONTAINER_METHODS:
                return UNKNOWN
            # only a tensor has this method: the code relies on the output being one
            receiver = receiver.with_(struct=False)
        if name in api.TENSOR_NO_GRAD_METHODS:
            # indices and comparisons of a grad tensor: no gradient flows through them
            cut = receiver.grad is True or receiver.cut or name in api.POSITION_OPS and api.may_carry_graph(receiver)
            return tensor(False, None, cut=cut)
        if returns_indices(name, node, args, skip=0):
            indices = tensor(False, None, cut=receiver.grad is True or receiver.cut)
            return pair(self._op_result([(receiver_node, receiver)], api.saving_of(name)), indices)
        if api.is_inplace_method(name):
            if is_grad_attribute(receiver_node) and name in GRAD_WRITES:
                self._clear_grads(None)
            if api.saving_of(name) == "inputs":
                self._record_saved(args)
            if receiver.grad is False and any(v.is_grad_tensor for _, v in args) and self.state.mode and path:
                self.state.env[path] = tensor(True, False)
            return receiver
        if name in ("chunk", "split", "unbind", "tensor_split", "split_with_sizes"):
            return seq([self._op_result([(receiver_node, receiver)], "none")])
        if name in api.TENSOR_MAYBE_IDENTITY_METHODS:
            result = self._op_result([(receiver_node, receiver)], "none")
            if receiver.output_part and result.grad is None:
                result = result.with_(output_part=True)  # the same element, moved or converted
            target = self._conversion_dtype(name, node)
            if target and receiver.dtype:
                if target == receiver.dtype:
                    return receiver  # no conversion: the very same tensor
                return result.with_(dtype=target)  # a new tensor, made by an op
            if receiver.grad and receiver.on_cpu and moves_to_cuda(name, node, self.value):
                return result  # a copy on the GPU (`.cuda()`, `.to('cuda')`), made by an op
            if receiver.grad:
                # .to(device) returns its receiver when nothing changes: maybe still a leaf (a copy on
                # the GPU a chosen device names: ``devices``)
                moved = receiver.leaf is True and receiver.on_cpu and may_leave_cpu(name, node, self.value)
                return result.with_(leaf=None, may_leaf=receiver.leaf is True, data_of=receiver.data_of, moved=moved)
            return result
        # `x.expand_as(w)`, `x.view_as(w)`: the argument gives only its shape, not its graph; a view's
        # arguments are sizes, dims and offsets (`x.narrow(0, start, p.numel())`), never a graph either
        operands = [] if name in _SHAPE_ONLY_ARGUMENT or name in api.VIEW_METHODS else args
        result = self._op_result([(receiver_node, receiver)] + operands, api.saving_of(name))
        if receiver.output_part and result.grad is None and name in api.VIEW_METHODS:
            result = result.with_(output_part=True)  # the same element, reshaped
        if name in api.VIEW_METHODS and (name not in api.COPYING_RESHAPES or receiver.leaf):
            if receiver.saves_self and receiver.grad is True and result.grad is True:
                result = result.with_(saves_self=True)  # writing the view writes the saved output
            return view_of(receiver, result)
        return result

    def _made_on_cpu(self, qual: str, node: cst.Call) -> bool:
        """A factory call that makes its tensor on the CPU: no ``device=``, in a file that does not
        change the default device (a module read for its names only is not known to)."""
        if qual == "torch.from_numpy":
            return True
        if qual not in api.DEVICE_DEFAULT_FACTORIES or kwarg(node, "device") is not None:
            return False
        return bool(self.source) and not any(setter in self.source for setter in api.DEFAULT_DEVICE_SETTERS)

    def _conversion_dtype(self, name: str, node: cst.Call) -> str:
        """The floating dtype ``x.double()``, ``x.to(torch.float64)``, ``x.to(device, dtype)`` or
        ``x.type(torch.DoubleTensor)`` converts to; "" when it is not a known dtype conversion."""
        if name in api.DTYPE_METHODS:
            return api.DTYPE_METHODS[name] if not node.args else ""
        if name not in ("to", "type"):
            return ""
        candidates = [arg.value for arg in node.args if arg.keyword is None or arg.keyword.value == "dtype"]
        for candidate in candidates:
            dtype = api.FLOAT_DTYPES.get(self.value(candidate).qual, "")
            if dtype:
                return dtype
        return ""
