"""What ``torch.einsum`` saves for backward, from its equation.

An equation with one operand (``"bjj->b"``, a trace; ``"bij->bji"``, a transpose; ``"ij->"``, a sum)
is linear in that operand: its backward needs none of the operand's values and saves nothing, so an
in-place write to the operand afterwards backpropagates fine (checked with torch 2.13, also for the
list form ``torch.einsum("ij->ji", [a])``). With several operands each one is saved for the gradient
of the others, as for any op (``torch_api.saving_of``). The operand count is read from the literal
equation only: operands given in the sublist form, or an equation that is not a literal, are left
to the general rule.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .syntax import literal_str


def einsum_saving(qual: str, node: cst.Call) -> Optional[str]:
    """"none" for ``torch.einsum`` of a literal one-operand equation, None when unknown or not einsum."""
    if qual != "torch.einsum" or not node.args or node.args[0].keyword is not None:
        return None
    equation = literal_str(node.args[0].value)
    if equation is None or "," in equation.partition("->")[0]:
        return None
    return "none"
