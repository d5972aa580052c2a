import libcst as cst

from ..analysis import dotted, kwarg, literal_bool
from ..analysis.syntax import walk
from ..analysis.usage_scans import stepped_optimizer_names
from ..rule import Rule, source
from ..analysis.torch_api import TENSOR_CONSTRUCTORS


#: ``X.item()``, ``X.detach()``, ``X.data``: what a tensor's value is taken out of it with
_EXTRACTIONS = frozenset({"item", "tolist", "detach", "data"})


#: methods that move or convert a tensor and keep what it holds: the name bound to
#: ``Variable(x, requires_grad=True).to(device)`` holds the leaf made there, moved
_MOVES = frozenset({"to", "cuda", "cpu", "float", "double", "half", "type", "contiguous"})


def _made_by(value_node):
    """The call a value comes from through moves and conversions (``Variable(x, ...).to(device)``)."""
    while type(value_node) is cst.Call and type(value_node.func) is cst.Attribute and value_node.func.attr.value in _MOVES:
        value_node = value_node.func.value
    return value_node


def _extracted(data) -> bool:
    if type(data) is cst.Call and not data.args:
        data = data.func
    return type(data) is cst.Attribute and data.attr.value in _EXTRACTIONS


def _grad_free(value) -> bool:
    """An operand known to bring no gradient of its own into an expression: a number, a string, a
    tensor that does not require grad, a module without parameters, torch's functions."""
    if value.kind == "tensor":
        return value.grad is False
    if value.kind == "module":
        return value.params is False
    return value.kind in ("number", "str", "ref", "none", "device", "dtype")


def _carries_graph_values(value) -> bool:
    if value.kind == "seq":
        return bool(value.has_grad) or (value.elem is not None and value.elem.cut)
    return value.is_grad_tensor or value.cut


def _names_model_output(node, ctx) -> bool:
    """A name in ``node`` holds a tensor computed through a module (``z`` of ``Variable(z.data, ...)``
    with ``z = encoder(x)``): cutting it off loses that module's gradients."""
    for sub in walk(node):
        path = dotted(sub) if isinstance(sub, (cst.Name, cst.Attribute)) else None
        value = ctx.lookup(path) if path is not None else None
        if value is not None and value.kind == "tensor" and value.through:
            return True
    return False


def _weights_of_a_throwaway_module(data, ctx) -> bool:
    """``ignore = nn.Linear(n, m)``, then ``V(ignore.weight.data, requires_grad=True)``: a module built
    only for its initial weights (its scope reads nothing of it but ``.<param>.data``) is never run or
    trained, so the new leaves made from them cut nothing off: they are the parameters, initialised
    as the layer would be (a functional model's own weights, as in MAML code)."""
    if not (type(data) is cst.Attribute and data.attr.value == "data" and type(data.value) is cst.Attribute):
        return False
    owner = data.value.value
    if type(owner) is not cst.Name:
        return False
    module = ctx.lookup(owner.value)
    scope = ctx.function if ctx.function is not None else ctx.module_node
    if module is None or module.kind != "module" or scope is None:
        return False
    name = owner.value
    body = scope.body if type(scope) is cst.FunctionDef else scope
    bindings, reads = 0, 0
    parents = {}
    for node in walk(body, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        for child in node.children:
            parents[id(child)] = node
    for node in walk(body, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if type(node) is not cst.Name or node.value != name:
            continue
        parent = parents.get(id(node))
        if type(parent) is cst.AssignTarget:
            bindings += 1
            continue
        grand = parents.get(id(parent))
        if not (type(parent) is cst.Attribute and parent.value is node and type(grand) is cst.Attribute and grand.value is parent and grand.attr.value == "data"):
            return False  # run, trained, or handed on: its parameters matter
        reads += 1
    return bindings == 1 and reads > 0


def _argument_paths(call) -> set:
    """The dotted paths of a call's arguments, and of the elements of a list or tuple given as one."""
    paths = set()
    for arg in call.args:
        value = arg.value
        elements = value.elements if isinstance(value, (cst.List, cst.Tuple)) else [arg]
        paths.update(dotted(e.value) for e in elements)
    return paths


class RewrapHidesCut(Rule):
    code = "GRD102"
    name = "rewrap-hides-cut"
    severity = "error"
    summary = "a graph value re-wrapped as a new leaf (requires_grad=True) silences the cut: nothing trains"
    requires = (("requires_grad",),)

    def __init__(self):
        self._found = {}  # id(call) -> (call, data, name it is bound to or None), in this scope
        #: names used as the inputs of torch.autograd.grad(): leaves made on purpose
        #: (a gradient penalty differentiates with respect to a fresh leaf)
        self._differentiated = set()
        #: id(call) -> (call, data, name): a leaf made from a value taken out of a tensor whose graph is not
        #: known; reported when that leaf itself is backpropagated (see ``on_backward``)
        self._rewrapped = {}
        #: names whose ``.grad`` is read, given to an optimizer, or fed to a model: a leaf made on
        #: purpose when its data went through no model (an adversarial example
        #: ``x_adv = Variable(x.data, requires_grad=True); loss(net(x_adv)).backward();
        #: x_adv.grad.sign()`` is a new leaf upstream of the model, which still gets its gradients)
        self._used_as_leaf = set()
        #: id(call) -> (call, data): leaves made from a value taken out of a tensor and bound to no name
        self._nameless = {}
        #: path -> ids of nameless leaves added into the value it holds (``total += Variable(x.data, ...)``)
        self._sums = {}
        #: id(call) -> (call, data): nameless leaves added into what a backward() starts from
        self._summed = {}
        #: path -> (the ``X.requires_grad_()`` call / ``X.requires_grad = True`` target that made the cut
        #: value ``X`` a leaf (``loss.requires_grad_(True)`` to silence "does not require grad"), ``X``);
        #: also the names computed from such a leaf by parameter-free ops (``loss = criterion(X, y)``)
        self._flagged = {}
        #: (node, path of the leaf): such leaves, or values computed from them alone, backpropagated
        self._flagged_backprops = []

    def on_attribute(self, node: cst.Attribute, ctx) -> None:
        if node.attr.value == "grad":
            self._used_as_leaf.add(dotted(node.value))

    def on_call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if type(func) is cst.Attribute and func.attr.value == "requires_grad_":
            if not node.args or literal_bool(node.args[0].value):
                self._note_flag(func.value, node, ctx)
            return
        callee = ctx.value(node.func)
        # a module with parameters (not a loss: `criterion(Variable(out.data, requires_grad=True), y)`
        # still cuts the model off)
        trained = callee.kind == "module" and callee.params is True
        if trained or (callee.kind == "ref" and callee.qual.startswith("torch.optim.")):
            self._used_as_leaf.update(_argument_paths(node))
            return
        if callee.kind == "ref" and callee.qual == "torch.autograd.grad":
            inputs = kwarg(node, "inputs") or (node.args[1] if len(node.args) > 1 else None)
            if inputs is not None:
                elements = inputs.value.elements if isinstance(inputs.value, (cst.List, cst.Tuple)) else [inputs]
                self._differentiated.update(dotted(e.value) for e in elements)
            return
        if callee.kind != "ref" or not node.args or node.args[0].keyword is not None:
            return
        if callee.qual not in TENSOR_CONSTRUCTORS and callee.qual != "torch.autograd.Variable":
            return
        requires = kwarg(node, "requires_grad")
        if requires is None or not literal_bool(requires.value):
            return
        data = node.args[0].value
        value = ctx.value(data)
        if _weights_of_a_throwaway_module(data, ctx):
            return
        if _carries_graph_values(value):
            self._found[id(node)] = (node, data, None, bool(value.through) or _names_model_output(data, ctx))
        elif _extracted(data):
            # a leaf that is itself backpropagated reaches nothing: never one made on purpose
            self._rewrapped[id(node)] = (node, data, None, True)
            self._nameless[id(node)] = (node, data)

    def _note_flag(self, obj, node, ctx) -> None:
        """``X.requires_grad_()`` / ``X.requires_grad = True`` on a value computed only from data cut out
        of the graph: it becomes a leaf, and a backward() from it reaches nothing upstream."""
        path = dotted(obj)
        value = ctx.value(obj)
        if path is not None and value.kind == "tensor" and value.cut and value.grad is False:
            self._flagged[path] = (node, path)

    def _carried_flag(self, node, ctx):
        """The flag ``node`` carries: the ``requires_grad`` set on a cut value that ``node`` is computed
        from, through parameter-free ops only (``preds.requires_grad = True``, then
        ``loss = criterion(preds.to(device), labels)``). None when anything else that may require grad
        (a module with parameters, an unknown value) takes part: the backward may then train something."""
        carried = []

        def free_of_other_grads(sub) -> bool:
            kind = type(sub)
            if kind in (cst.Name, cst.Attribute):
                path = dotted(sub)
                if path is not None and path in self._flagged:
                    carried.append(self._flagged[path])
                    return True
                return _grad_free(ctx.value(sub))
            if kind is cst.Call:
                func = sub.func
                callee = ctx.value(func)
                if callee.kind == "ref" and callee.qual.startswith("torch.") or callee.kind == "module" and callee.params is False:
                    pass
                elif type(func) is cst.Attribute and callee.kind not in ("ref", "module"):
                    if not free_of_other_grads(func.value):
                        return False  # a method of a value that may require grad
                    if func.attr.value in _MOVES:
                        return True  # `.to(device)`: its arguments say where, they bring no gradient
                else:
                    return False
                return all(free_of_other_grads(arg.value) for arg in sub.args)
            if kind is cst.BinaryOperation:
                return free_of_other_grads(sub.left) and free_of_other_grads(sub.right)
            if kind is cst.UnaryOperation:
                return free_of_other_grads(sub.expression)
            if kind is cst.Subscript:
                return free_of_other_grads(sub.value)
            return kind in (cst.Integer, cst.Float, cst.SimpleString)

        return carried[0] if free_of_other_grads(node) and carried else None

    def on_assign(self, target, ctx, value_node) -> None:
        if self._found and type(value_node) is cst.Call and type(target) is cst.Name and ctx.function is not None:
            if target.value in stepped_optimizer_names(ctx.function):
                # `optimizer_c = make_optimizer(weight_c, bias_c)`, then `optimizer_c.step(closure)`: leaves
                # handed to what builds an optimizer are trained on purpose
                self._used_as_leaf.update(_argument_paths(value_node))
        if type(target) is cst.Attribute and target.attr.value == "requires_grad" and literal_bool(value_node):
            self._note_flag(target.value, target, ctx)
        elif dotted(target) is not None:
            carried = self._carried_flag(value_node, ctx) if self._flagged else None
            if carried is not None:
                self._flagged[dotted(target)] = carried
            else:
                self._flagged.pop(dotted(target), None)  # bound anew
        for table in (self._found, self._rewrapped):
            made = _made_by(value_node)
            found = table.get(id(made))
            if found is not None and made is not value_node and found[3]:
                # a model's output re-wrapped then moved (`torch.tensor(out, requires_grad=True).float()`,
                # fedml's guest party) keeps reporting: only data that went through no model is followed
                found = None
            if found is not None:
                table[id(made)] = (found[0], found[1], dotted(target), found[3])
                self._nameless.pop(id(made), None)  # a leaf with a name: its .grad may be read
        self._nameless.pop(id(value_node), None)
        path = dotted(target)
        if path is not None:
            summed = self._summands(value_node)
            if summed:
                self._sums[path] = summed
            else:
                self._sums.pop(path, None)

    def on_augassign(self, node: cst.AugAssign, ctx) -> None:
        path = dotted(node.target)
        if path is None or type(node.operator) not in (cst.AddAssign, cst.SubtractAssign):
            return
        summed = self._summands(node.value)
        if summed:
            self._sums[path] = self._sums.get(path, frozenset()) | summed

    def _summands(self, node) -> frozenset:
        """The nameless leaves ``node`` adds up: itself, those a name it reads was given, those of
        the operands of a sum or a difference (a product by a weight keeps the term a term)."""
        if id(node) in self._nameless:
            return frozenset((id(node),))
        kind = type(node)
        if kind in (cst.Name, cst.Attribute):
            path = dotted(node)
            return self._sums.get(path, frozenset()) if path is not None else frozenset()
        if kind is cst.BinaryOperation and type(node.operator) in (cst.Add, cst.Subtract, cst.Multiply):
            return self._summands(node.left) | self._summands(node.right)
        if kind is cst.UnaryOperation:
            return self._summands(node.expression)
        return frozenset()

    def on_backward(self, node, ctx, receiver) -> None:
        """``loss = torch.tensor(loss.item(), requires_grad=True); loss.backward()``: whatever ``loss``
        was before, the backward() starts at a leaf made in this function from a plain value, so it
        reaches nothing but that leaf: no parameter gets a gradient (the re-wrap is how code silences
        "element 0 of tensors does not require grad" after a cut upstream)."""
        # `loss_g += Variable(aux.loss.data, requires_grad=True)`, then `loss_g.backward()`: the leaf,
        # bound to no name, gets a gradient nobody can read, and the term trains nothing
        for key in self._summands(receiver):
            if key in self._nameless:
                self._summed[key] = self._nameless[key]
        name = dotted(receiver)
        carried = self._flagged.get(name) if name is not None else None
        if carried is None and self._flagged:
            carried = self._carried_flag(receiver, ctx)  # `preds.mean().backward()`
        if carried is not None:
            self._flagged_backprops.append(carried)
        if name is None:
            return
        value = ctx.value(receiver)
        if value.kind != "tensor" or value.leaf is not True:
            return
        for key, (call, data, bound, _) in list(self._rewrapped.items()):
            if bound == name:
                self._found[key] = self._rewrapped.pop(key)

    def on_scope_end(self, node, ctx) -> None:
        for call, data, name, through_model in self._found.values():
            if name is not None and name in self._differentiated:
                continue
            if name is not None and name in self._used_as_leaf and not through_model:
                continue
            self.report(
                ctx,
                call,
                f"`{source(call)}` makes a new leaf from `{source(data, 30)}`, which comes from the autograd "
                "graph: backward() now stops at this leaf and the model's parameters never get a gradient. "
                "Keep the original tensor (drop `.item()`/`.data`/`.detach()` and the re-wrap), or combine "
                "tensors with `torch.stack`/`torch.cat`.",
            )
        for flag, name in {id(flag): (flag, name) for flag, name in self._flagged_backprops}.values():
            if name in self._used_as_leaf or name in self._differentiated:
                continue  # a leaf made on purpose: its gradient is read (or it feeds a model)
            self.report(
                ctx,
                flag,
                f"`{name}` was computed only from values cut out of the graph; making it require grad here "
                "silences \"element 0 of tensors does not require grad\" but backward() then stops at this "
                "new leaf: the model's parameters never get a gradient and nothing trains. Find the cut "
                "(`.detach()`, `.item()`, `.data`, `argmax`, `torch.tensor(...)`) and compute the loss from "
                "the graph tensors instead.",
            )
        for call, data in self._summed.values():
            if id(call) in self._found:
                continue
            self.report(
                ctx,
                call,
                f"`{source(call)}` makes a new leaf from `{source(data, 30)}` and adds it, with no name, into "
                "what backward() is called on: the gradient stops at that leaf, which nothing reads, so this "
                "term trains nothing (whatever it was computed from gets no gradient from it). Add the tensor "
                "itself (drop `.data`/`.detach()`/`.item()` and the re-wrap).",
            )
        self._found.clear()
        self._rewrapped.clear()
        self._nameless.clear()
        self._sums.clear()
        self._summed.clear()
        self._flagged.clear()
        self._flagged_backprops.clear()
        self._differentiated.clear()
        self._used_as_leaf.clear()
