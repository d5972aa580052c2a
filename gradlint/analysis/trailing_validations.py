"""A validation step at the end of a training loop's body.

``for epoch in ...: model.train(); loss = crit(model(x), y); loss.backward(); opt.step()`` and then, in
the same iteration, ``model.eval(); val_loss = crit(model(x_val), y_val); print(val_loss.item())``
(full-batch training: a graph net over one graph, a small tabular model), or in a helper the body calls
there (``valid_acc = self.predict(x, y, mask)``, whose body switches and runs the model). The loop backpropagates, so
its forwards are not judged as an evaluation loop's; but the forward after ``model.eval()`` comes after
every ``backward()`` and ``step()`` of the body, and the model is switched back with ``train()`` before
the next iteration's: nothing of this iteration backpropagates its output, and the next iteration
starts afresh. It records a graph (with every activation of the model) for nothing, once per epoch.
"""

from __future__ import annotations

from typing import Dict, List

import libcst as cst


def trailing_validation_forwards(loop: cst.CSTNode, record) -> List[tuple]:
    """The eval-mode, grad-mode forwards (``(call, path)``) the loop body runs after its last
    ``backward()`` and ``step()``, after switching the model with ``eval()`` there, of a model the body
    switches back with ``train()`` before its first ``backward()``."""
    if not record.backwards or not any(training is False for _, _, training in record.mode_switches):
        return []
    order = _document_order(loop)
    # a backward() or step() of a called function of the file stands at its call (`train(data)` then
    # `test(data)`: the training helper's updates come before the validation helper's switch)
    updates = [_position(order, node, record.update_calls) for node, *_ in record.backwards + record.steps]
    if any(index is None for index in updates):
        return []  # a backward() or step() the walk placed elsewhere
    first, last = min(updates), max(updates)
    evals: Dict[str, int] = {}
    trains: Dict[str, int] = {}
    for node, path, training in record.mode_switches:
        index = _position(order, node, record.switch_calls)
        if path is None or index is None:
            continue
        if training is False:
            evals[path] = max(evals.get(path, -1), index)
        elif training is True:
            trains[path] = min(trains.get(path, len(order)), index)
    # a helper of another file runs its forward at its call, in the callee's names (no path): the model
    # the same call switched to eval() (`acc = test(model, data)`, whose body does `model.eval()`)
    # (not one that switches it back to train() too: `agent.calc_action(s)` drops its graph at once)
    switched_at: Dict[int, set] = {}
    restored_at = {(id(node), path) for node, path, training in record.mode_switches if training is not False}
    for node, path, training in record.mode_switches:
        if training is False and path is not None and (id(node), path) not in restored_at:
            switched_at.setdefault(id(node), set()).add(path)
    found, seen = [], set()
    for call, path, module, mode in record.forwards:
        if path is None and len(switched_at.get(id(call), ())) == 1:
            path = next(iter(switched_at[id(call)]))
        if mode is not True or module.training is not False or module.params is not True or path is None:
            continue
        index = _position(order, call, record.forward_calls)
        switched, restored = evals.get(path), trains.get(path)
        if index is None or switched is None or restored is None or id(call) in seen:
            continue
        # `restored == first`: the training helper's own train() switch, made at its call like its updates
        if restored <= first and last < switched <= index:
            seen.add(id(call))
            found.append((call, path))
    return found


def _position(order: Dict[int, int], node, calls: dict):
    """Where ``node`` stands in the loop body: its own place, or, for a node of a called function's
    code, that of the call in the body that ran it (a helper's switch and then forward share it: the
    forward ran in eval mode, so after the switch)."""
    index = order.get(id(node))
    if index is None and id(node) in calls:
        index = order.get(id(calls[id(node)]))
    return index


def _document_order(loop: cst.CSTNode) -> Dict[int, int]:
    collector = _Order()
    loop.visit(collector)
    return collector.order


class _Order(cst.CSTVisitor):
    def __init__(self) -> None:
        self.order: Dict[int, int] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.order[id(node)] = len(self.order)
        return True
