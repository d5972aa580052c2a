import builtins

import libcst as cst

from ..analysis import dotted
from ..analysis.callers import files_calling, read_text
from ..analysis.freeze_keeping_methods import keeps_freeze
from ..analysis.returned_freezes import KEEPS_FREEZE, returned_names
from ..rule import Rule

#: Python's own functions (``print(model)``): none changes a parameter's requires_grad
_BUILTINS = frozenset(dir(builtins))


class HeadFrozen(Rule):
    code = "GRD404"
    name = "head-frozen"
    severity = "error"
    summary = "a new layer assigned onto a model before a loop that freezes all of its parameters"
    requires = (("parameters", "requires_grad_"),)

    def __init__(self):
        self._heads = {}  # path -> assignment target, in this scope
        self._frozen = {}  # path -> (assignment target, freezing owner)

    def on_assign(self, target, ctx, value_node) -> None:
        path = dotted(target) if isinstance(target, cst.Attribute) else None
        if path is None:
            return
        self._frozen.pop(path, None)
        owner = ctx.value(target.value)
        if owner.kind == "module" and not path.startswith("self."):
            layer = ctx.value(value_node)
            if layer.kind == "module" and layer.params is True:
                self._heads[path] = target

    def on_freeze(self, node, ctx, event) -> None:
        owner = event.owner
        if event.requires_grad is False and event.whole:
            for path, target in self._heads.items():
                if path.startswith(owner + "."):
                    self._frozen[path] = (target, owner)
            # a helper that placed a layer under the model it returned, then froze it all
            for path, target in event.heads:
                self._frozen[path] = (target, owner)
        elif event.requires_grad is not False:
            for path in list(self._frozen):
                if path == owner or path.startswith(owner + ".") or owner.startswith(path + "."):
                    del self._frozen[path]

    def on_call(self, node: cst.Call, ctx) -> None:
        if not self._frozen:
            return
        callee = ctx.value(node.func)
        func = node.func
        if type(func) is cst.Attribute and func.attr.value not in KEEPS_FREEZE and callee.kind != "module":
            # `unet.add_adapter(lora_config)` after `unet.requires_grad_(False)`: a method the analysis does
            # not know may add trainable parameters to the frozen model (then something trains) or unfreeze
            # the new layer; one of a class of the file that cannot (``keeps_freeze``) changes nothing
            receiver = dotted(func.value)
            owner = ctx.value(func.value)
            if receiver is not None and not (owner.kind == "module" and keeps_freeze(owner.cls, func.attr.value)):
                self._forget(receiver)
        if callee.kind == "ref" and callee.qual.split(".", 1)[0] == "torch":
            return  # torch's own functions (`torch.compile(model)`) leave requires_grad as it is
        # a helper given the new layer (`unfreeze(model.fc)`) may unfreeze it; a library or a callee the
        # analysis does not know, given the model (`get_peft_model(model, config)`), may add what trains
        # (a function of the project replays its own freezes and unfreezes at the call)
        whole = callee.kind in ("ref", "unknown") and not (type(func) is cst.Name and func.value in _BUILTINS)
        for arg in node.args:
            path = dotted(arg.value)
            if path is not None:
                self._forget(path, whole)

    def _forget(self, path: str, whole: bool = True) -> None:
        for head, (_, owner) in list(self._frozen.items()):
            if path == head or path.startswith(head + ".") or whole and (path == owner or path.startswith(owner + ".")):
                del self._frozen[head]

    def on_scope_end(self, node, ctx) -> None:
        returned = returned_names(node) if self._frozen and type(node) is cst.FunctionDef else ()
        for path, (target, owner) in self._frozen.items():
            if owner.split(".", 1)[0] in returned and self._has_callers(node, ctx):
                # the caller may unfreeze the new layer: its walk replays the freeze with the layer
                # (``FreezeEvent.heads``) and judges it (a caller in another file, at its call)
                continue
            self.report(
                ctx,
                target,
                f"`{path}` gets a new layer before every parameter of `{owner}` is frozen, so the new layer "
                "is frozen too and nothing trains (backward raises \"element 0 of tensors does not require "
                f"grad\"). Freeze `{owner}` first, then assign `{path}`.",
            )
        self._heads.clear()
        self._frozen.clear()

    @staticmethod
    def _has_callers(function: cst.FunctionDef, ctx) -> bool:
        """Whether a caller may unfreeze the layer and judges it instead: one in this file (its walk
        replays the freeze), or one in another file that sets ``requires_grad`` at all (there, the
        freeze is replayed at the call; a caller file that never does leaves it to this file)."""
        if ctx.called_in_file(function):
            return True
        if not ctx.path:
            return False
        return any("requires_grad" in read_text(caller) for caller in files_calling(ctx.path, [function.name.value]))
