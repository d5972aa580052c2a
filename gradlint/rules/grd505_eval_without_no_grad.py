import re

import libcst as cst

from ..analysis.data_loops import given_the_loop_item, inside_loop_over_data
from ..analysis.attack_loops import undifferentiated
from ..analysis.evaluation_forwards import evaluation_forwards, helper_evaluations
from ..analysis.exclusive_arms import in_other_arm
from ..analysis.fixed_extractors import fixed_extractors
from ..analysis.foreign_evaluations import TRAINING_WORDS, evaluated_models
from ..analysis.forward_hooks import hooks_keep_graphs
from ..analysis.handed_evaluations import handed_evaluation, not_run_in_loop
from ..analysis.grad_on_purpose import (
    differentiating_function_elsewhere,
    enabled_on_purpose,
    field_gradients_asked,
    given_any,
    input_gradients_asked,
    made_to_require_grad,
    read_without_gradients,
    retries_with_grad,
)
from ..analysis.later_backwards import fed_to_later_backward
from ..analysis.literal_loops import enclosing_literal_loop
from ..analysis.model_wrappers import wrapped_in_helpers, wrapped_models
from ..analysis.rollout_helpers import rollout_for_training
from ..analysis.submodule_modes import switched_parent
from ..analysis.trailing_validations import trailing_validation_forwards
from ..analysis.torch_api import MODULE_API
from ..rule import Rule, source


class EvalWithoutNoGrad(Rule):
    code = "GRD505"
    name = "eval-without-no-grad"
    severity = "warning"
    summary = "forward passes in an evaluation loop after model.eval() without torch.no_grad()"
    requires = (("eval", "train"),)

    def __init__(self):
        #: id(enclosing loop) -> [(findings, how many backward() calls that loop had seen by then)]
        self._pending: dict = {}
        #: modules run in eval mode inside a training loop whose optimizers all leave them out:
        #: path -> {(id of the function walked, walk number)} where a training loop showed it
        self._fixed: dict = {}
        #: (call, path, message, (function, walk)) of the findings for a named model, held until the
        #: file's end: a training loop of another function may show the model is a fixed extractor,
        #: and the order the functions are defined (and so walked) in must not decide it. Another walk
        #: of the same function (another caller's context) tells nothing of this walk's model
        self._held: list = []
        self._walks = 0
        #: ids of the calls given a grad tensor (their output requires grad whatever the module's parameters)
        self._grad_inputs: set = set()
        #: ids of the loops that hand a grad tensor or a model to a function of another library
        self._handed: set = set()
        #: ids of the loops that give a grad tensor to a method of a module whose class is not known here
        self._given_to_unread_methods: set = set()
        #: ids of the loops that call a function of another project file taking ``autograd.grad``
        self._differentiated_elsewhere: set = set()
        #: id(loop) -> the models whose outputs the loop gives to an object another library built
        #: around them (``cam_extractor(idx, out)`` of ``LayerCAM(model, ...)``)
        self._explained: dict = {}
        #: id(loop) -> (call, model) of the models in eval mode it hands with its batch to a loss it
        #: cannot read (``criterion(x, y, student, teacher)``, see ``handed_evaluations``)
        self._handed_evaluations: dict = {}
        self._handed_calls: list = []
        self._beside_attacks: set = set()
        #: id(call) -> id of the helper whose own loops' forwards made the call an evaluation, the findings
        #: at such calls, and the functions where a finding was reported (``helper_evaluations``)
        self._via_helpers: dict = {}
        self._helper_held: list = []
        self._reported_in: set = set()

    def on_call(self, node, ctx) -> None:
        for name in evaluated_models(node, ctx)[:1]:
            callee = source(node.func, 40)
            self.report(
                ctx,
                node,
                f"`{source(node)}` runs `{name}` in a loop of `{callee}` (another file) after `{name}.eval()` with "
                f"gradients enabled: autograd records a graph for every forward and keeps its activations for a "
                f"backward() that never comes. Wrap the call in `with torch.no_grad():` (or `torch.inference_mode()`).",
            )
        values = [ctx.value(arg.value) for arg in node.args]
        handed = handed_evaluation(node, ctx)
        if handed is not None:
            self._handed_evaluations.setdefault(id(ctx.loop.node), []).append((node, handed))
            self._handed_calls.append((node, handed))
        if ctx.loop is not None and differentiating_function_elsewhere(ctx.value(node.func), ctx):
            # ``fast = adapt(model, inner)`` with ``adapt`` in another file of the project taking
            # ``torch.autograd.grad(inner, params)``: as ``differentiates`` for the file's own functions
            self._differentiated_elsewhere.update(id(record.node) for record in ctx.loops)
        if any(value.is_grad_tensor for value in values):
            self._grad_inputs.add(id(node))
        if ctx.loop is not None and any(value.is_grad_tensor or value.kind == "module" for value in values):
            if _foreign_function(ctx.value(node.func)):
                self._handed.add(id(ctx.loop.node))
            wrapped = wrapped_models(node, ctx)
            for record in ctx.loops if wrapped else ():
                self._explained.setdefault(id(record.node), set()).update(wrapped)
        if (
            ctx.loop is not None
            and _unread_module_method(node, ctx)
            and any(_may_carry_graph(v) for v in values)
            and _may_train(node, values)
        ):
            self._given_to_unread_methods.update(id(record.node) for record in ctx.loops)  # and the enclosing loops

    def on_loop_end(self, node, ctx, record) -> None:
        pending = self._pending.pop(id(node), [])
        handed = self._handed_evaluations.pop(id(node), [])
        if record.backwards and record.steps:
            for path in fixed_extractors(record, ctx):
                self._fixed.setdefault(path, set()).add((id(ctx.function), self._walks))
        if record.backwards or record.steps:
            # forwards of an inner loop whose outputs this loop backpropagates afterwards (a model
            # kept in eval mode on purpose, to freeze batch-norm, accumulating losses in an inner loop)
            # (not a backward() of the other arm of an `if` whose arm holds the evaluation loop:
            # `if last_epoch: <evaluate> else: <train>` never backpropagates what it evaluated)
            pending = [
                (found, mark)
                for found, mark in pending
                if all(
                    all(in_other_arm(node, call, backward) for call, _ in found)
                    for backward, _ in record.backwards_of_pass(mark)
                )
            ]
        found = [item for findings, _ in pending for item in findings]
        # a loop of a forward() runs layers for the model's output, which the forward's caller
        # backpropagates when it trains (deepchem's weave model switches its dropout and batch-norm
        # layers to eval() inside forward): not an evaluation loop of its own
        in_forward = ctx.scope_name == "forward" and ctx.current_class is not None
        # a loop that clears gradients and hands its loss or model to another library's function
        # (`model.zero_grad(); params = gradient_update_parameters(model, inner_loss)`: MAML's
        # inner loop, run in eval mode to adapt before it evaluates) takes those gradients there
        hands_over = bool(record.clears) and id(node) in self._handed
        # `z = model.encoder(x)` then `critic.fit_step(z, opt)` with `critic` a model whose class is not
        # known here (a parameter of another file's caller): that method may backpropagate through `z`
        hands_over = hands_over or id(node) in self._given_to_unread_methods
        hands_over = hands_over or id(node) in self._differentiated_elsewhere
        candidates: list = []
        if not (record.backwards or record.steps or in_forward or hands_over):
            retries = retries_with_grad(node)
            # a call of a helper whose own loop backpropagates (`attack.i_fgsm(x, y)`: gradients of the
            # input each step, then the clean and adversarial logits) needs grad mode for that backward();
            # the forwards it runs are part of it, and no_grad around the call would break the helper
            backpropagating = {id(call) for call, _ in record.inner_backwards}
            candidates = [
                item
                for item in evaluation_forwards(record, ctx) + not_run_in_loop(handed, record)
                if id(item[0]) not in retries and id(item[0]) not in backpropagating
            ]
            # a helper of the file that evaluates in loops of its own and hands the outputs back: the
            # call is the evaluation (reported at the file's end unless the helper reported its own loop)
            for call, path, helper in helper_evaluations(record, ctx, retries | {id(c) for c, _ in candidates}):
                self._via_helpers[id(call)] = helper
                candidates.append((call, path))
        elif not (in_forward or hands_over):
            # a validation forward after the body's last backward() and step(), its model switched back
            # to train() at the next iteration's start: see trailing_validations
            candidates = trailing_validation_forwards(node, record)
        # asked last, when there is something to judge: it reads the bodies of the functions the loop calls
        if candidates:
            candidates, beside = undifferentiated(node, ctx, record, candidates)  # (``attack_loops``)
            found.extend(candidates)
            self._beside_attacks.update(beside)
        if found:
            enabled = enabled_on_purpose(ctx.function if ctx.function is not None else ctx.module_node)
            found = [item for item in found if id(item[0]) not in enabled]
        explained = self._explained.get(id(node), ())
        if found and record.local_calls:
            # `saliency(model, d)` whose body calls `gradcampp(x=img)`, a library's object built around `model`
            explained = frozenset(explained) | wrapped_in_helpers(record.local_calls, ctx)
        if found and explained:
            # `cams = cam_extractor(idx, out)` with `cam_extractor = LayerCAM(model, ...)`: the extractor
            # backpropagates through the output of the model it hooks to read the gradients it catches
            found = [item for item in found if item[1] not in explained]
        if found and input_gradients_asked(ctx):
            # `steps.requires_grad_(True)` then `model(x, scale=steps, label=y)` (integrated gradients
            # taken inside a model whose forward is not known here): a forward given a tensor the
            # function made require grad on purpose is run for its gradients
            # (also `x.requires_grad_(True); y_pred = model(x)` with `x` from an engine's batch, whose value is not
            # known: DUQ's evaluator, whose gradient-penalty metric takes autograd.grad(y_pred, x))
            asked = made_to_require_grad(ctx)
            root = ctx.function if ctx.function is not None else ctx.module_node
            found = [
                item
                for item in found
                if id(item[0]) not in self._grad_inputs and not given_any(item[0], asked)
                or read_without_gradients(item[0], node, root)
            ]
        if found and field_gradients_asked(node):
            found = []
        if found and rollout_for_training(ctx):
            # the loop of a rollout whose outputs a training caller backpropagates, walked in the
            # context of a caller that switched the model to eval() (a render script): see rollout_helpers
            found = []
        if found and not _stores_activations(ctx):
            # `_ = model(img)  # run once`: a warm-up forward whose output the statement drops frees
            # its graph at once, nothing is kept for a backward (unless a hook of the file stores
            # the activations, as LSUV initialisation does). Repeated over the batches of a dataset
            # (`for x, _ in loader: model(x)`, filling batch-norm statistics), it is an evaluation
            # pass that records a graph for each batch; a warm-up or a timing loop only counts.
            found = [item for item in found if not _dropped_at_once(item[0], node, ctx)]
        if found:
            # an ensemble's logits summed over its models, backpropagated after the loop (later_backwards)
            later = fed_to_later_backward(node, ctx.blocks, [call for call, _ in found])
            found = [item for item in found if id(item[0]) not in later]
        if not found:
            return
        enclosing = ctx.loop
        if enclosing is not None:
            self._pending.setdefault(id(enclosing.node), []).append((found, enclosing.mark()))
            return
        for call, name in found:
            # a forward inside a call to another file's function: the model has no name here
            when = f"after `{name}.eval()`" if name else "a model switched to `eval()`"
            parent = switched_parent(name, ctx.source) if name else None
            if name and f"{name}.eval(" not in ctx.source:
                callee = ctx.value(call.func) if type(call) is cst.Call else None
                if parent is not None:
                    when = f"after `{parent}.eval()` (which switches its submodule `{name}` too)"
                elif callee is not None and callee.kind == "func" and callee.owner:
                    # `acc = test(model, data)` with `test` of another file switching and running the model
                    when = f"in eval mode (`{source(call.func)}`, of another file, switches `{name}` with `eval()` and runs it)"
                elif re.search(rf"\b{re.escape(name)}\.train\(\s*(mode\s*=\s*)?False\s*\)", ctx.source):
                    when = f"after `{name}.train(False)`"
                elif f"{name}.module.eval(" in ctx.source:
                    when = f"after `{name}.module.eval()`"
                elif re.search(rf"(?m)^\s*{re.escape(name)}\s*=[^\n]*\.eval\(\)\s*$", ctx.source):
                    when = f"in eval mode (`{name}` was bound to the result of `.eval()`)"
                elif re.search(rf"\b{re.escape(name)}(\.(to|cuda|cpu)\([^()\n]*\))+\.eval\(", ctx.source):
                    when = f"after `{name}.to(...).eval()`"  # `to()` returns the module it moved
                elif extracted_from(name, ctx.source):
                    model = extracted_from(name, ctx.source)
                    when = f"in eval mode (`{name}` runs the sub-modules of `{model}`, built after `{model}.eval()`)"
                elif _listed(name, ctx.source):
                    # `for net in [netG, netD]: net.eval()`, `set_mode("eval", [model])` (``display_arguments``)
                    when = f"in eval mode (switched with `eval()` through a list of models holding `{name}`)"
                elif name.startswith("self.") and ctx.lookup("self") is None:
                    # `run_episode(policy.act, env)` after `policy.eval()`: the loop calls the method it was handed
                    when = "in eval mode (a method of a model switched with `eval()`, handed to this loop as a function)"
                elif name.startswith("self.") and _switched_by_caller(ctx):
                    # a method walked in its caller's context: `model.eval(); model.scan(x)` in another file
                    when = "in eval mode (the caller switched this model with `eval()` before calling the method)"
                else:
                    # switched through another name of the object (`model.eval()`, run as `parallel_model(x)`)
                    when = f"after `eval()` was called on another name of `{name}`"
            fix = "Wrap the evaluation loop in `with torch.no_grad():` (or `torch.inference_mode()`)."
            if id(call) in self._beside_attacks:
                fix = "Wrap this forward in `with torch.no_grad():` (the loop's attack before it needs gradients)."
            phases = enclosing_literal_loop(ctx.function or ctx.module_node, call)
            training = [e.value for e in phases.iter.elements if _names_training(e.value)] if phases else []
            if len(training) == 1:
                # one loop body for training and evaluation: no_grad around it would stop training too
                fix = f"Run the forward under `with torch.set_grad_enabled({phases.target.value} == {source(training[0])}):`."
            subject = f"`{source(call)}` runs"
            if any(call is handed for handed, _ in self._handed_calls):
                subject += f" `{name}` (it is given the model and the batch, and the file's training backpropagates its result)"
            message = (
                f"{subject} {when} with gradients enabled: autograd records its graph and saves "
                f"activations for a backward() that never comes (more memory and time than evaluation needs). {fix}"
            )
            if id(call) in self._via_helpers:
                self._helper_held.append((call, message, self._via_helpers[id(call)]))
            elif name and id(call) not in self._grad_inputs:
                self._held.append((call, name, message, (id(ctx.function), self._walks)))
            else:
                self._reported_in.add(id(ctx.function))
                self.report(ctx, call, message)

    def on_scope_end(self, node, ctx) -> None:
        self._walks += 1

    def on_file_end(self, node, ctx) -> None:
        for call, name, message, (function, walk) in self._held:
            if not any(other != function or seen == walk for other, seen in self._fixed.get(name, ())):
                self._reported_in.add(function)
                self.report(ctx, call, message)
        for call, message, helper in self._helper_held:
            if helper not in self._reported_in:
                self.report(ctx, call, message)


def _unread_module_method(call, ctx) -> bool:
    """``critic.fit_step(z, opt)``: a method other than nn.Module's own of a model whose class (and so
    whose method body) is not known here."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value in MODULE_API or func.attr.value == "forward":
        return False
    receiver = ctx.value(func.value)
    return receiver.kind == "module" and receiver.cls is None and not receiver.qual


def _may_train(call, values) -> bool:
    """The method may backpropagate what it is given: it is given an optimizer (``critic.fit(z, opt)``),
    or its name says it trains. A decoding step of an inference loop (``decoder.decode_step(z, h)``,
    ``decoder.init_hidden_state(z)``) gets neither."""
    if any(value.kind == "optimizer" for value in values):
        return True
    name = call.func.attr.value.lower()
    return any(word in name for word in TRAINING_WORDS)



def _may_carry_graph(value) -> bool:
    """A tensor (or a part of a model's output) not known to be free of a graph."""
    return value.is_grad_tensor or value.kind in ("tensor", "unknown") and value.grad is not False


def _foreign_function(callee) -> bool:
    """A function imported from a library other than torch and numpy, or of project code the analysis
    did not read (its body is not known)."""
    if callee.unread:
        return True
    if callee.kind != "ref" or not callee.qual:
        return False
    root = callee.qual.split(".", 1)[0]
    # (`copy.deepcopy(model)`, keeping the best model, copies it: it takes no gradient)
    return root not in ("torch", "numpy", "builtins", "math", "functools", "itertools", "operator", "copy")


def _dropped_at_once(call, loop, ctx) -> bool:
    """The forward's output is dropped where it runs, and the loop does not repeat it over a dataset's
    batches; for a call of a function whose forwards are each dropped where they ran (``replay``), the
    loop must also hand the call its items."""
    if id(call) in ctx.dropped_forwards:
        return not inside_loop_over_data(call, loop)
    if id(call) in ctx.dropped_at_calls:
        return not (inside_loop_over_data(call, loop) and given_the_loop_item(call, loop))
    return False


def _stores_activations(ctx) -> bool:
    """A forward hook of the file may store what a forward gives it, graph and all, whatever the
    caller drops (LSUV appending each output); hooks that count FLOPs or time, or store
    ``output.data``, keep no graph."""
    module = ctx.module_node
    known = _HOOKS_KEEP.get(id(module))
    if known is None or known[0] is not module:
        known = _HOOKS_KEEP[id(module)] = (module, hooks_keep_graphs(module, ctx.source))
        if len(_HOOKS_KEEP) > 64:
            _HOOKS_KEEP.pop(next(iter(_HOOKS_KEEP)))
    return known[1]


#: id(module node) -> (the node, whether its forward hooks keep graphs)
_HOOKS_KEEP: dict = {}


def _names_training(literal: cst.SimpleString) -> bool:
    """``"train"``, ``'Train'``, ``"training"``: the phase that trains."""
    return literal.evaluated_value.lower().startswith("train")


def extracted_from(name: str, source: str):
    """The model ``name`` was built from by ``create_feature_extractor(model, ...)``, if so."""
    found = re.search(rf"\b{re.escape(name)}\s*=\s*(?:\w+\.)*create_feature_extractor\(\s*(\w+)", source)
    return found.group(1) if found else None


def _switched_by_caller(ctx) -> bool:
    """``self`` is a model its caller put in eval mode (this method's own code did not)."""
    receiver = ctx.lookup("self")
    return receiver is not None and receiver.kind == "module" and receiver.training is False and "self.eval(" not in ctx.source


def _listed(name: str, source: str) -> bool:
    """``name`` is listed in a display that a loop runs over or a call is given."""
    display = rf"[\[(][^\[\]()\n]*\b{re.escape(name)}\b[^\[\]()\n]*[\])]"
    return re.search(rf"(\bin\s+|\w\((?:[^()\n]*,\s*)?){display}", source) is not None
