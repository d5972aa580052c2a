import libcst as cst

from ..analysis import dotted
from ..analysis.callers import files_calling, read_text
from ..analysis.returned_freezes import returned_names
from ..rule import Rule


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
        # a helper given the new layer (unfreeze(model.fc)) may unfreeze it
        if not self._frozen or ctx.value(node.func).kind == "ref":
            return
        for arg in node.args:
            path = dotted(arg.value)
            if path is not None:
                for head in list(self._frozen):
                    if path == head or path.startswith(head + "."):
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
