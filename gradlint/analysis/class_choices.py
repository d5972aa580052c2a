"""A model chosen by name from a registry of the project's classes.

``available_models = {"gaussian_mixture": GaussianMixture, "squared": SquaredGaussianMixture}``,
then ``model = available_models[config["model_name"]](device, n_clusters=3)``: the key is a
run-time string, so the model is one of those classes, not known which (a common shape: ``MODELS =
{"cnn": CNN, "mlp": MLP}; model = MODELS[args.model]()``). Each class is instantiated with the
call's arguments and the model keeps the instances as ``Value.choices``. A method called on it
(``model.neglog_likelihood(x)``) runs on each of them and gives what they all agree on (``join``):
when every class computes a graph loss, the loss requires grad; when one class lacks the method or
gives something else, the result is not known, and the rules stay silent.

Only a dict whose values are all classes of the project (two at least), read with a key that is
not a literal. Calls of the model itself, and ``nn.Module`` methods (``parameters()``, ``to()``),
go to a module of unknown class with the parameters the choices agree on.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .values import UNKNOWN, Value, join_all


def class_choice(registry: Value) -> Optional[Value]:
    """``registry[key]`` with ``key`` not known, ``registry`` a dict of the project's classes."""
    items = registry.items
    if len(items) < 2 or any(item.kind != "class" or item.cls is None for item in items):
        return None
    if len({id(item.cls) for item in items}) < 2:
        return None
    return Value(kind="class", choices=tuple(items))


def instantiate_choices(walker, choice: Value, node, args) -> Value:
    """The object ``registry[key](...)`` makes: each class's instance, kept as the choices of a
    module (or object) of unknown class. Modules and plain objects mixed: not known. A class whose
    own ``__init__`` cannot take the call's arguments (a keyword it has no parameter for, a required
    parameter not given) raises ``TypeError`` there: it is not a choice."""
    classes = [item.cls for item in choice.choices if _accepts(item.cls.methods.get("__init__"), node)]
    if len(classes) == 1:
        return walker._instantiate(classes[0], node, args)  # the only class these arguments construct
    if not classes:
        return UNKNOWN
    made = [walker._instantiate(cls, node, args) for cls in classes]
    kinds = {value.kind for value in made}
    if len(kinds) != 1 or kinds.pop() not in ("module", "instance") or any(value.cls is None for value in made):
        return UNKNOWN
    first = made[0]
    if first.kind == "module":
        params = first.params if all(value.params == first.params for value in made) else None
        return Value(kind="module", params=params, choices=tuple(made))
    return Value(kind="instance", choices=tuple(made))


def method_of_choices(walker, receiver: Value, name: str, node, args) -> Value:
    """``model.<name>(...)`` on a model of several possible classes: what every class's method gives."""
    results = []
    for choice in receiver.choices:
        if name not in choice.cls.methods:
            return UNKNOWN
        if receiver.training is not None and choice.kind == "module":
            choice = choice.with_(training=receiver.training)  # `model.eval()` switched whichever it is
        results.append(walker._method_call(choice, name, node, args))
    return join_all(results)


def _accepts(init, call) -> bool:
    """Whether ``__init__`` (a ``cst.FunctionDef``, or None: inherited, not known) can bind the
    arguments of ``call``. Unpacked arguments (``*a``, ``**kw``) may bind anything."""
    if not isinstance(init, cst.FunctionDef):
        return True
    if any(arg.star for arg in call.args):
        return True
    params = init.params
    positional = [*params.posonly_params, *params.params][1:]  # after self
    named = {p.name.value for p in [*params.params, *params.kwonly_params]}
    given = sum(1 for arg in call.args if arg.keyword is None)
    keywords = {arg.keyword.value for arg in call.args if arg.keyword is not None}
    if given > len(positional) and not isinstance(params.star_arg, cst.Param):
        return False
    if keywords - named and params.star_kwarg is None:
        return False
    covered = {p.name.value for p in positional[:given]} | keywords
    required = [p for p in [*positional, *params.kwonly_params] if p.default is None]
    return all(p.name.value in covered for p in required)
