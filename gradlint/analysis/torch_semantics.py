"""What torch calls and tensor, optimizer and scaler methods do to values (what modules do is in
``module_semantics``)."""

from __future__ import annotations

import libcst as cst

from . import torch_api as api
from .call_shapes import copies_a_tensor, pair, returns_indices, switched_mode, tensor_backward_arguments
from .class_choices import method_of_choices
from .class_methods import class_method_call
from .containers import NAMEDTUPLE_FACTORIES, defaultdict_of, namedtuple_type
from .devices import device_value
from .einsum_saving import einsum_saving
from .inplace_api import inplace_saving
from .copied_leaves import copied_leaf
from .frozen_copies import frozen_module_copy
from .fresh_modules import frozen_whole, made_then_evaluated, switched_through
from .closure_steps import closure_result
from .gradient_outputs import autograd_grad_result, decomposition_result
from .loaded_fields import file_namespace, loaded_model_field
from .submodule_saves import method_result_in_caller_names
from .usage_scans import optimizer_names_by_use
from .module_semantics import container_members, saves_output_in_place
from .param_groups import optimizer_over, owner_paths, trained_parameters
from .syntax import VIEWING_METHODS, dotted, is_grad_attribute, kwarg, literal_bool, views_a_gradient
from .tensor_methods import GRAD_WRITES, TensorMethods
from .param_owners import params_union
from .values import BATCH, NONE, UNKNOWN, Value, module_layers, ref, seq, tensor


class TorchSemantics(TensorMethods):
    """The interpreter's library knowledge; the tables it reads are in ``torch_api``, the
    training events (backward, step, clear) it records are in ``training_effects``, what tensor
    methods do is in ``tensor_methods``."""

    def _call_qualified(self, qual: str, node: cst.Call, args) -> Value:
        qual = api.canonical(qual)
        copied = frozen_module_copy(qual, args) or copied_leaf(qual, args)
        if copied is not None:
            return copied
        if qual.partition(".")[0] in api.OTHER_FRAMEWORKS:
            # another framework's object: its methods are that framework's (see OTHER_FRAMEWORKS)
            return ref(f"{qual}()")
        if qual in api.GRAD_MODE_CONTEXTS:
            if qual == "torch.inference_mode" and node.args:
                return Value(kind="gradmode", mode=False if literal_bool(node.args[0].value) is not False else None)
            return Value(kind="gradmode", mode=api.GRAD_MODE_CONTEXTS[qual])
        if qual in NAMEDTUPLE_FACTORIES:
            return namedtuple_type(node)
        if qual == "collections.defaultdict":
            return defaultdict_of(node)
        if qual == "torch.device":
            return device_value(node, self.value)
        if qual == "torch.set_grad_enabled":
            # `torch.set_grad_enabled(track_gradient)`: the flag's truth when the call binds a literal
            flag = self.value(node.args[0].value) if node.args else UNKNOWN
            return Value(kind="gradmode", mode=flag.mode if flag.kind == "number" else None)
        if qual in api.FACTORIES:
            requires = kwarg(node, "requires_grad")
            wants_grad = literal_bool(requires.value) if requires is not None else False
            if qual in ("torch.as_tensor", "torch.asarray") and args and args[0][1].kind == "tensor":
                return args[0][1]
            if qual.endswith("Tensor") and len(node.args) == 1 and copies_a_tensor(node, args):
                return args[0][1]  # `torch.FloatTensor(t)`: an alias of `t`, graph and all (AliasBackward0)
            # a list of the losses themselves (`torch.tensor(costs)`) is copied without their graph too
            cut = not wants_grad and any(
                v.cut or v.is_grad_tensor or (v.kind == "seq" and (v.has_grad is True or v.elem is not None and v.elem.cut))
                for _, v in args
            )
            # `torch.tensor(torch.stack(values))`: a copy of a tensor is made without whatever graph it had
            cut = cut or not wants_grad and qual == "torch.tensor" and copies_a_tensor(node, args)
            dtype_arg = kwarg(node, "dtype")
            if dtype_arg is not None:
                dtype = api.FLOAT_DTYPES.get(self.value(dtype_arg.value).qual, "")
            else:
                dtype = "float32" if qual in api.FLOAT_FACTORIES else ""
            return tensor(wants_grad, True, cut=cut, dtype=dtype, on_cpu=self._made_on_cpu(qual, node))
        if qual == "torch.nn.Parameter":
            requires = kwarg(node, "requires_grad")
            if requires is None and len(node.args) > 1 and node.args[1].keyword is None:
                requires = node.args[1]
            wants_grad = literal_bool(requires.value) if requires is not None else True
            return tensor(wants_grad, True)
        if qual == "torch.autograd.Variable":
            requires = kwarg(node, "requires_grad")
            wrapped = args[0][1] if args else UNKNOWN
            # under torch 2.x, Variable(t) is t.detach() with its own requires_grad (False by default)
            wants_grad = literal_bool(requires.value) if requires is not None else False
            cut = wants_grad is False and (wrapped.is_grad_tensor or wrapped.cut)
            if wrapped.kind != "tensor":
                return tensor(wants_grad, True, cut=cut)
            return tensor(wants_grad, True, cut=cut, dtype=wrapped.dtype, on_cpu=wrapped.on_cpu)
        if qual == "torch.autograd.backward":
            if node.args:
                self._backward(node, node.args[0].value)
            return NONE
        if qual == "torch.autograd.grad":
            return autograd_grad_result(self, node, args)
        if qual in api.MODULE_WRAPPERS and args and node.args[0].keyword is None and args[0][1].kind == "module":
            # the wrapper's parameters are the model's and its output is the model's output. Its other
            # attributes are the model's too: a DataParallel has none (`dp.fc` raises), so code that reads
            # one runs only where the model was not wrapped (`if n_gpu > 1: model = nn.DataParallel(model)`)
            return args[0][1]
        if qual in api.FEATURE_EXTRACTORS and args and node.args[0].keyword is None and args[0][1].kind == "module":
            # `create_feature_extractor(model, return_nodes=[...])` after `model.eval()`: an evaluation model too
            model = args[0][1]
            return Value(kind="module", params=model.params, training=model.training)
        if api.is_nn_module_class(qual):
            params = api.nn_module_has_params(qual)
            layers = 0
            if params is None:
                params = self._container_params(args)
                # members listed (`nn.Sequential(conv, relu, conv)`) or given as a list of layers
                # (`nn.Sequential(*layers)`)
                layers = sum(value.layers if value.kind == "seq" else module_layers([value]) for _, value in args)
                items, member = container_members(node, args)
                return Value(kind="module", params=params, qual=qual, layers=layers, items=items, elem=member)
            return Value(kind="module", params=params, qual=qual, layers=layers, saves_self=saves_output_in_place(qual, node))
        if qual in api.MODEL_FACTORIES or (
            qual.startswith("torchvision.models.") and qual.rsplit(".", 1)[1][:1].islower()
        ):
            return Value(kind="module", params=True)
        if qual in ("torch.nn.Embedding.from_pretrained", "torch.nn.EmbeddingBag.from_pretrained"):
            # the given weights, frozen unless `freeze=False` (torch's default: freeze=True)
            freeze = kwarg(node, "freeze")
            if freeze is None and len(node.args) > 1 and node.args[1].keyword is None:
                freeze = node.args[1]
            frozen = literal_bool(freeze.value) if freeze is not None else True
            params = None if frozen is None else not frozen
            return Value(kind="module", params=params, qual=qual[: -len(".from_pretrained")])
        if qual.endswith(".from_pretrained"):
            owner = qual[: -len(".from_pretrained")].rsplit(".", 1)[-1]
            if api.is_pretrained_model_class(owner):
                return Value(kind="module", params=True)
            return UNKNOWN
        if qual == "functools.partial" and args and args[0][1].kind == "ref" and args[0][1].qual in api.GRADIENT_CLIPPERS:
            return args[0][1]  # `partial(clip_grad_norm_, max_norm=1.0)`: a clipper, called with the rest
        if qual == "itertools.chain" and len(args) > 1 and all(value.kind == "params" for _, value in args):
            return params_union(value for _, value in args)  # one optimizer over several models' parameters
        if qual in api.DATA_LOADERS:
            return Value(kind="seq", elem=BATCH, has_grad=False)
        if qual in api.ITERATION_WRAPPERS and node.args and node.args[0].keyword is None:
            return args[0][1] if args[0][1].kind == "seq" else UNKNOWN
        if qual == "matplotlib.pyplot.subplots":
            return pair(ref(api.MPL_FIGURE), ref(api.MPL_AXES))
        if qual in api.MPL_FIGURE_FACTORIES:
            return ref(api.MPL_FIGURE)
        if qual in api.MPL_AXES_FACTORIES:
            return ref(api.MPL_AXES)
        if qual in api.GRAD_SCALERS:
            enabled = kwarg(node, "enabled")
            return Value(kind="scaler", mode=True if enabled is None else literal_bool(enabled.value))
        if api.is_optimizer_class(qual):
            params = next(
                (value for arg, (_, value) in zip(node.args, args) if arg.keyword is None or arg.keyword.value == "params"),
                None,
            )
            trained = trained_parameters(params)  # a module's parameters, or parameter groups
            if trained is None:
                return Value(kind="optimizer", qual=api.SELECTED_PARAMETERS)
            for owner in owner_paths(trained):
                self._trained_model(owner)
            return optimizer_over(trained)
        if api.is_distribution_class(qual):
            params = [pair for arg, pair in zip(node.args, args) if not (arg.keyword and arg.keyword.value == "validate_args")]
            every = bool(params) and all(value.is_grad_tensor for _, value in params)
            return Value(kind="dist", elem=self._op_result(params, "none"), has_grad=every)
        if qual in api.DIFFERENTIABLE_LIBRARY_FUNCTIONS and args and node.args[0].keyword is None:
            return self._op_result(args[:1], "none")
        if qual in api.KL_DIVERGENCE:
            return self._op_result([(arg, value.elem if value.kind == "dist" else value) for arg, value in args], "none")
        namespace, _, name = qual.rpartition(".")
        if namespace == "numpy" and args and all(value.kind == "number" for _, value in args):
            # `np.mean((pred_np - y_np) ** 2)`: numpy of plain values gives plain values, cut from the
            # graph when one of them was (``tensor_methods``: `.numpy()`)
            return Value(kind="number", cut=any(value.cut for _, value in args))
        if namespace == "math" and args and all(value.kind == "number" for _, value in args):
            # `torch.randn(784, 10, requires_grad=True) / math.sqrt(784)` (pytorch/tutorials#3717): a
            # number, so the division is an op on the leaf like `* 0.01`
            return Value(kind="number")
        if api.is_inplace_function_form(qual) and args and node.args[0].keyword is None:
            return self._inplace_function(name, node, args)
        if namespace in api.DIFFERENTIABLE_NAMESPACES and name[:1].islower():
            if qual in api.NON_TENSOR_FUNCTIONS:
                return UNKNOWN
            if qual in api.NON_DIFFERENTIABLE_FUNCTIONS:
                if name in api.POSITION_OPS and args and api.may_carry_graph(args[0][1]):
                    return tensor(False, None, cut=True)
                return tensor(False, None, cut=any(value.is_grad_tensor or value.cut for _, value in args))
            if api.is_loss(qual):
                args = self._loss_input(node, args)
            decomposed = decomposition_result(qual, node, args, self._op_result)
            if decomposed is not None:
                return decomposed
            if namespace == "torch" and args and returns_indices(name, node, args, skip=1):
                cut = args[0][1].is_grad_tensor or args[0][1].cut
                return pair(self._op_result(args[:1], api.saving_of(name)), tensor(False, None, cut=cut))
            return self._op_result(args, einsum_saving(qual, node) or inplace_saving(qual, node) or api.saving_of(name))
        return UNKNOWN

    def _inplace_function(self, name: str, node: cst.Call, args) -> Value:
        """``torch.relu_(h)``, ``torch.clamp_(x, 0.0, 1.0)``: the in-place method written as a function. It
        writes its first argument and returns it, as ``h.relu_()`` does: no op that saves that argument
        (a conv's output clamped so is backpropagated fine, SRGAN's upsampler)."""
        (target, written), operands = args[0], args[1:]
        if api.saving_of(name) == "inputs":
            self._record_saved(operands)
        path = dotted(target)
        if written.kind == "tensor" and written.grad is False and any(v.is_grad_tensor for _, v in operands):
            if self.state.mode and path:
                self.state.env[path] = tensor(True, False)
        return written

    def _method_call(self, receiver: Value, name: str, node: cst.Call, args) -> Value:
        kind = receiver.kind
        if receiver.choices and (kind == "instance" or kind == "module" and name not in api.MODULE_API):
            return method_of_choices(self, receiver, name, node, args)
        if kind == "module" and receiver.cls is None and not receiver.unread and name not in api.MODULE_API:
            if loaded_model_field(receiver, name, file_namespace(self)) is not None:
                # `model.lstm1(h)` of a model loaded whole: its submodule runs (``loaded_fields``); what it
                # gives is not claimed (the field is read from classes the object may not be of)
                self._call_value(self.eval(node.func), node, args)
                return UNKNOWN
        if receiver.cls is not None and (kind == "instance" or kind == "module" and name not in api.MODULE_API):
            method = receiver.cls.methods.get(name)
            if method is not None:
                for record in self._loops:
                    record.local_calls.append(method)
                result = self._call_function(method, node, args, receiver=receiver)
                # `attack(x)` runs `attack.__call__`: the receiver is the callee itself (none named in
                # `Attack(model)(x)`), not the owner of an attribute
                func = node.func
                owner = func.value if type(func) is cst.Attribute and func.attr.value == name else func
                return method_result_in_caller_names(result, dotted(owner), args)
            if kind == "module" and receiver.cls.attrs.get(name, UNKNOWN).kind == "module":
                # `clf.embedding(tokens)` from outside the class: its sub-module runs, as `self.embedding` does
                return self._call_value(self.eval(node.func), node, args)
        if kind in ("class", "unknown"):
            called = class_method_call(self, receiver, name, node, args)  # `SO2.from_matrix(r)`, `cls.f(x)`
            if called is not None:
                return called
        if kind == "ref":
            return self._call_qualified(f"{receiver.qual}.{name}", node, args)
        if kind == "namespace":
            # `models.Generator(...)`, `utils.train(...)` after `import model.syn_model as models`
            return self._call_value(self._namespace_attribute(receiver, name), node, args)
        if kind == "tensor":
            return self._tensor_method(receiver, name, node, args)
        if kind == "module":
            return self._module_method(receiver, name, node, args)
        if kind == "optimizer":
            if name == "step":
                self._record_step(node, node.func.value, receiver)
                if args and not node.args[0].keyword:
                    return closure_result(self, args[0][1])
            elif name == "zero_grad":
                self._clear_optimizer(node.func.value, receiver)
                self._note_clear(dotted(node.func.value))
            elif name == "backward" and node.args and node.args[0].keyword is None:
                # `optimizer.backward(loss)`: a wrapper's (ColossalAI's ZeRO, apex FP16_Optimizer) backward
                # of the loss, torch's optimizers have no such method; what its step() and zero_grad()
                # do (clear the gradients themselves, as DeepSpeed's engine does) is not known
                self._backward(node, node.args[0].value)
                path = dotted(node.func.value)
                if path is not None:
                    self.state.env[path] = UNKNOWN
                return NONE
            return UNKNOWN
        if kind == "scaler":
            if name == "scale" and args:
                return self._op_result(args[:1], "none")
            if name == "step" and args and args[0][1].kind == "optimizer":
                self._record_step(node, node.args[0].value, args[0][1])
            if name in ("step", "unscale_"):
                self.state.scaled = False  # step() unscales the gradients first, if unscale_() did not
            return UNKNOWN
        if kind == "dist":
            if name in api.DISTRIBUTION_SAMPLERS:
                return tensor(False, None)
            if name in api.DISTRIBUTION_GRAD_METHODS:
                # an entropy may depend on one parameter only (a Normal's on its scale)
                part = self.distribution_part(receiver, node.func.value, every=name in ("entropy", "perplexity"))
                return self._op_result([(node.func.value, part)] + list(args), "none")
            return UNKNOWN
        if kind == "number" and receiver.cut:
            # `(pred_np - y_np).mean()`: a numpy array's methods give numpy values, still cut
            return Value(kind="number", cut=True)
        if kind == "seq":
            return self._seq_method(receiver, name, node, args)
        if kind == "dict":
            return self._dict_method(receiver, name, node, args)
        if kind == "class" and receiver.cls is not None and name == "from_pretrained" and receiver.cls.is_module:
            return Value(kind="module", params=True, cls=receiver.cls)
        if kind in ("unknown", "instance"):
            path = dotted(node.func.value) or switched_through(name, node)
            if name == "unscale_":
                self.state.scaled = False  # a scaler unresolved here: no other object unscales gradients
            if name == "step" and kind == "unknown" and len(args) == 1 and args[0][1].kind == "optimizer":
                # `scaler.step(optimizer)` with the scaler unresolved: only a GradScaler's step takes one
                self._record_step(node, node.args[0].value, args[0][1])
                self.state.scaled = False
                return UNKNOWN
            if name == "backward" and api.is_backward_runner(path) and len(node.args) >= 1 and node.args[0].keyword is None:
                # `accelerator.backward(loss)`: backward() of the loss
                self._backward(node, node.args[0].value)
                return NONE
            if name in ("prepare", "setup") and api.is_backward_runner(path) and args:
                # `model, optimizer = accelerator.prepare(model, optimizer)`: the same objects, wrapped
                values = [value for _, value in args]
                return values[0] if len(values) == 1 else seq(values).with_(items=tuple(values))
            if name == "backward" and kind == "unknown" and tensor_backward_arguments(node):
                # `loss.backward()` of an unresolved value (a loss unpacked from a helper's tuple):
                # its own arguments are a tensor's (see evidence.py for what it proves)
                self._backward(node, node.func.value)
                return NONE
            if name == "step" and kind == "unknown" and self.function is not None and path in optimizer_names_by_use(self.function):
                # an object this function uses as an optimizer (see evidence.py), from whatever scope:
                # an enclosing function's `optim = BertAdam(...)` stepped in a training closure
                optimizer = Value(kind="optimizer")
                self.state.env[path] = optimizer
                self._record_step(node, node.func.value, optimizer)
                return UNKNOWN
            if name in ("children", "named_children") and kind == "unknown" and not node.args:
                # only an nn.Module has children() (`torchvision.models.__dict__[arch]()`): its submodules
                return Value(kind="modules", owner=path, qual="named" if name[0] == "n" else "")
            if name in ("parameters", "named_parameters"):
                # an object nobody showed to be a trainable model: its parameters may be frozen
                return Value(kind="params", owner=self._field_alias(path), grad=None, qual="named" if name[0] == "n" else "")
            if name in ("cuda", "to") and kind == "unknown":
                # (a module frozen whole stays frozen where it moves: see frozen_copies)
                return Value(moved=True, unread=receiver.unread, params=False if receiver.params is False else None)
            if name in api.TENSOR_ONLY_RESULT_METHODS and kind == "unknown":
                # only a tensor has this method (see torch_api): the result is a tensor, of a grad
                # unknown as the receiver's. `x = image.unsqueeze(0); x.requires_grad_()` then makes
                # `x` require grad (`requires_grad_()` alone proves nothing: nn.Module has one too);
                # a view of some `p.grad` is a gradient: it does not require grad
                gradient = receiver.gradient or views_a_gradient(node.func.value)
                return tensor(False if gradient else None, None)
            if receiver.gradient and name in VIEWING_METHODS:
                # `g.view(-1)` of `g = param.grad`: still a gradient if it is a tensor (`.view()` alone
                # does not show that it is one: a numpy array has it too)
                return receiver
            if name == "zero_grad":
                self._clear_grads(None)
                if self.function is not None and path in optimizer_names_by_use(self.function):
                    self._note_clear(path)
            elif name in GRAD_WRITES and is_grad_attribute(node.func.value):
                # `w.grad.zero_()` after `w.grad.detach_()`: the join at the loop's head lost what the
                # path `w.grad` held, but only a gradient is read so, and zeroing it clears it
                self._clear_grads(None)
            elif kind == "unknown" and frozen_whole(name, node):
                # `model.requires_grad_(False)` of an unresolved object (see fresh_modules), or in a chain
                # (`G = build(**kw).train().requires_grad_(False).to(device)`, StyleGAN2-ADA's networks)
                frozen = receiver.with_(params=False)
                if path is not None:
                    self.state.env[path] = frozen
                return frozen
            elif kind == "unknown" and switched_mode(name, node) is not None and (
                path is not None or isinstance(node.func.value, cst.Subscript) or made_then_evaluated(name, node)
            ):
                # only an nn.Module has eval(), train() and train(<flag>); one frozen whole stays frozen
                params = False if receiver.params is False else True
                module = Value(kind="module", params=params, training=switched_mode(name, node), unread=receiver.unread)
                self._switch_mode(node, path, module)
                return module
        return UNKNOWN

    def distribution_part(self, dist: Value, node, every: bool) -> Value:
        """What a distribution's method or property computes from its parameters; with ``every``,
        something that may depend on one of them only (requires grad only if all do)."""
        if dist.elem is None:
            return UNKNOWN
        if every and not dist.has_grad and dist.elem.grad is not False:
            return UNKNOWN
        return self._op_result([(node, dist.elem)], "none")
