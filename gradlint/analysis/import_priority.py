"""Project modules a training loop calls, loaded past the per-file import budget.

One analysis may use ``MAX_LOADS_PER_FILE`` project modules (see ``imports``), counted with what
their own analysis used, bound in source order. A training script that first imports a model
package (``from nets.frcnn import FasterRCNN``, itself importing a backbone, a head, anchors...)
had spent the budget before the module its training loop calls was reached (``from trainer import
FasterRCNNTrainer``; ``losses = train_util.train_step(...)`` in the loop): what that call returns
stayed unknown, and the findings depended on the order of two import lines.

The names a loop calls are what the loop's analysis needs: a name called inside a ``for`` or
``while`` body (``N(...)``, ``N.m(...)``; not in what a ``for`` iterates over), or a name bound
anywhere in the file from calling one (``train_util = FasterRCNNTrainer(...)``, then
``train_util.train_step(...)`` in the loop), is "used in a loop". When the budget refuses a module
that one of the linted file's top-level imports of such a name comes from, it is loaded all the
same, up to ``MAX_LOADS_PER_FILE`` such modules more. The file is looked at only then, and only when it trains or evaluates (``.backward(``, ``step(``,
``.eval(``, ``optim``), through CPython's ``ast`` of its text (a walk of its libcst tree costs about what a parse
does): files within the budget, and library files, pay nothing.
"""

import ast
import re
import os
from typing import Dict, List, Optional, Set, Tuple

#: a file that trains or evaluates: only its loops are worth loading more modules for (a library's
#: model file, that hits the budget as often, pays nothing)
_TRAINS = re.compile(r"\.backward\(|\.eval\(|step\(|\boptim(?:izer)?\b")


def _trains(text: str) -> bool:
    """``_TRAINS.search(text)``, without running it over the whole text: its literal alternatives
    tested as substrings, then each ``optim`` found tested for the word boundary before it (a
    pattern starting with ``\\b`` is tried at every position of the text; one starting with a
    literal is searched for as a string)."""
    if ".backward(" in text or ".eval(" in text or "step(" in text:
        return True
    start = text.find("optim")
    while start != -1:
        if _OPTIM_WORD.match(text, start) and not (start and _WORD_CHARACTER.match(text, start - 1)):
            return True
        start = text.find("optim", start + 1)
    return False


_OPTIM_WORD = re.compile(r"optim(?:izer)?\b")
_WORD_CHARACTER = re.compile(r"\w")


def _callee_root(func: ast.expr) -> Optional[str]:
    """``N`` for ``N(...)``, ``N.a.m(...)``, ``N[k](...)``; None otherwise."""
    while True:
        if type(func) is ast.Name:
            return func.id
        if type(func) in (ast.Attribute, ast.Subscript):
            func = func.value
        else:
            return None


def _target_names(target: ast.expr) -> List[str]:
    if type(target) is ast.Name:
        return [target.id]
    if type(target) in (ast.Tuple, ast.List):
        return [name for element in target.elts for name in _target_names(element)]
    # `self.trainer = Trainer(...)`: the field is called as `self.trainer.step(...)`, rooted at `self`
    return []


def loop_names(tree: ast.Module) -> Set[str]:
    """Names called in a loop body of the file, and the names whose call results those were bound to."""
    in_loops: Set[str] = set()
    #: bound name -> names whose call result it was bound to
    bound_from: Dict[str, Set[str]] = {}
    for node in ast.walk(tree):
        kind = type(node)
        if kind in (ast.For, ast.AsyncFor, ast.While):
            # the loop's body only: what a loop iterates over (`for p in model.backbone.parameters()`)
            # is called once, and says nothing of what the iterations compute
            for statement in node.body:
                for inner in ast.walk(statement):
                    if type(inner) is ast.Call:
                        root = _callee_root(inner.func)
                        if root is not None:
                            in_loops.add(root)
        elif kind in (ast.Assign, ast.AnnAssign) and type(node.value) is ast.Call:
            root = _callee_root(node.value.func)
            targets = node.targets if kind is ast.Assign else [node.target]
            if root is not None:
                for target in targets:
                    for name in _target_names(target):
                        bound_from.setdefault(name, set()).add(root)
        elif kind is ast.withitem and node.optional_vars is not None and type(node.context_expr) is ast.Call:
            root = _callee_root(node.context_expr.func)
            if root is not None:
                for name in _target_names(node.optional_vars):
                    bound_from.setdefault(name, set()).add(root)
    # the file's own top-level functions a loop calls: their calls run in the loop as well
    bodies = {node.name: node for node in tree.body if type(node) in (ast.FunctionDef, ast.AsyncFunctionDef)}
    pending = [name for name in in_loops if name in bodies]
    while pending:
        for inner in ast.walk(bodies.pop(pending.pop())):
            root = _callee_root(inner.func) if type(inner) is ast.Call else None
            if root is not None and root not in in_loops:
                in_loops.add(root)
                if root in bodies:
                    pending.append(root)
    names = set(in_loops)
    frontier = list(names)
    while frontier:
        for source in bound_from.get(frontier.pop(), ()):
            if source not in names:
                names.add(source)
                frontier.append(source)
    return names


def _base_names(tree: ast.Module) -> Set[str]:
    """The names the file's top-level classes subclass (``class DAEL(TrainerXU)``): a trainer's
    methods run the helpers it inherits (``self.model_backward_and_update(loss)``), which the
    analysis of the subclass's loops and losses needs as much as what a loop calls."""
    names = set()
    for statement in tree.body:
        if type(statement) is ast.ClassDef:
            for base in statement.bases:
                root = _callee_root(base)
                if root is not None:
                    names.add(root)
    return names


def _top_level_imports(tree: ast.Module) -> List[Tuple[str, int, List[str]]]:
    """(module name, relative level, local names) of the file's top-level imports, in order; a star
    import's local names are None (what its module defines)."""
    found = []
    for statement in tree.body:
        if type(statement) is ast.ImportFrom:
            if any(alias.name == "*" for alias in statement.names):
                found.append((statement.module or "", statement.level or 0, None))
                continue
            locals_ = [alias.asname or alias.name for alias in statement.names]
            found.append((statement.module or "", statement.level or 0, locals_))
        elif type(statement) is ast.Import:
            for alias in statement.names:
                if alias.asname:
                    found.append((alias.name, 0, [alias.asname]))
                else:
                    top = alias.name.split(".", 1)[0]
                    found.append((top, 0, [top]))
    return found


def _loop_module_paths(analyzer) -> Set[str]:
    if not _trains(analyzer.source):
        return set()
    try:
        tree = ast.parse(analyzer.source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    wanted = loop_names(tree) | _base_names(tree)
    paths = set()
    for name, level, locals_ in _top_level_imports(tree):
        if locals_ is not None and not any(local in wanted for local in locals_):
            continue
        path = analyzer.project.find_module(name, analyzer.path, level)
        if path is not None and (locals_ is not None or _defines_any(path, wanted)):
            paths.add(path)
    return paths


def _defines_any(path: str, names: Set[str]) -> bool:
    """Whether the module file at ``path`` defines one of ``names`` as a top-level function."""
    from .project import _read, defined_functions  # (project imports imports, which imports this module)

    data = _read(path)
    return data is not None and not defined_functions(data.decode("utf-8", "replace")).isdisjoint(names)


def admit_past_budget(analyzer, path: str) -> bool:
    """Whether the linted file may load ``path`` although its import budget is spent."""
    from .imports import MAX_LOADS_PER_FILE  # (imports imports this module)

    if analyzer.harvest is not None and analyzer.import_depth == 0:
        # a caller analysed for its calls into the linted file (``callers``): without the linted
        # file loaded it makes no such call, whatever else it imported first
        return os.path.abspath(path) == analyzer.harvest_target
    if analyzer.import_depth != 0 or analyzer.harvest is not None or not analyzer.source:
        return False
    if analyzer.project is None:
        return False
    state = analyzer.__dict__.setdefault("_loop_imports", [None, 0])  # [paths, modules admitted]
    if state[0] is None:
        state[0] = _loop_module_paths(analyzer)
    if path not in state[0] or state[1] >= MAX_LOADS_PER_FILE:
        return False
    state[1] += 1
    return True
