"""Statements a test runs in order to see them raise: ``with pytest.raises(RuntimeError):
out.backward()``, ``with self.assertRaises(RuntimeError):``, or a ``try:`` whose ``except
RuntimeError as e:`` asserts on the error (a kernel test checking that backward() on an output
computed under ``no_grad`` fails with "does not require grad"). The error such a rule predicts is
the one the test asks for: nothing goes wrong. A handler that swallows the error (``except
Exception: pass``) hides it instead, and an expected error of another type (``ValueError``) is not
this one: both still report.
"""

from __future__ import annotations

import libcst as cst

from .source_order import contains
from .syntax import dotted, module_nodes, per_node, walk

#: the exception types a RuntimeError (what autograd raises) is an instance of
_CATCHING = frozenset({"RuntimeError", "Exception", "BaseException"})

#: the context managers of the test frameworks that pass only if their body raises the given type
_EXPECTING = frozenset({"pytest.raises", "raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})


def expected_to_raise(ctx, node) -> bool:
    """``node`` is in a block a test runs to see it raise a RuntimeError."""
    module = ctx.module_node
    if module is None:
        return False
    return any(contains(block, node) for block in _error_tests(module))


@per_node
def _error_tests(module: cst.Module) -> tuple:
    nodes = module_nodes(module)
    blocks = [node.body for node in nodes.of(cst.With) if any(_expects(item.item) for item in node.items)]
    blocks.extend(node.body for node in nodes.of(cst.Try) if any(_asserts_on_error(h) for h in node.handlers))
    return tuple(blocks)


def _expects(call) -> bool:
    if type(call) is not cst.Call or not call.args or call.args[0].keyword is not None:
        return False
    name = dotted(call.func) or ""
    if name not in _EXPECTING and name.rpartition(".")[2] not in _EXPECTING - {"raises"}:
        return False
    return _catches(call.args[0].value)


def _catches(kind) -> bool:
    if type(kind) is cst.Tuple:
        return any(_catches(element.value) for element in kind.elements)
    return (dotted(kind) or "").rpartition(".")[2] in _CATCHING


def _asserts_on_error(handler: cst.ExceptHandler) -> bool:
    """``except RuntimeError as e:`` whose body asserts something of ``e``."""
    if handler.type is None or handler.name is None or not _catches(handler.type):
        return False
    error = handler.name.name
    if type(error) is not cst.Name:
        return False
    return any(
        type(node) is cst.Assert and any(type(n) is cst.Name and n.value == error.value for n in walk(node.test))
        for node in walk(handler.body)
    )
