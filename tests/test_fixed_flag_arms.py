"""Flags fixed for a whole run (``args.vib`` from ``parser.parse_args()``, never assigned) and the
names a training loop binds only in the arms of one ``if``/``elif`` chain on them.

Every iteration of one run takes the same arm of such a chain, so a value bound in one arm never
reaches another arm in the next iteration. Joining the arms at the loop head made a path on
which the ``pgd`` arm's ``loss + beta * reg_loss`` went through the ``vib`` arm's ``reg_loss`` of
the previous iteration, freed by its backward(): a GRD504 that cannot happen (salesforce
corr_based_prediction ``existing_methods.py:301``).
"""

import libcst as cst

from gradlint.analysis.fixed_flags import fixed_flag
from gradlint.analysis.flag_arms import arm_bound_names
from gradlint.analysis.state import State

GLOBAL_ARGS = """\
import argparse

parser = argparse.ArgumentParser()
args = parser.parse_args()


def train(loader):
    global args
    reg = 0
    for x in loader:
        if args.pgd:
            out = x
        elif args.vib:
            out, mu = x, x
            reg = mu.sum()
        else:
            out = x
        total = out.sum() + reg
{extra}
"""


def _train_and_test(source):
    module = cst.parse_module(source)
    train = next(node for node in module.body if type(node) is cst.FunctionDef and node.name.value == "train")
    loop = next(node for node in train.body.body if type(node) is cst.For)
    chain = loop.body.body[0]
    return module, train, loop, chain


def test_a_module_global_never_assigned_is_a_fixed_flag():
    module, train, _, chain = _train_and_test(GLOBAL_ARGS.format(extra=""))
    assert fixed_flag(train, chain.test, module) == ("args.pgd", True)
    assert fixed_flag(train, chain.orelse.test, module) == ("args.vib", True)


def test_a_global_flag_assigned_in_any_function_is_not_fixed():
    extra = "\n\ndef anneal():\n    args.pgd = False\n"
    module, train, _, chain = _train_and_test(GLOBAL_ARGS.format(extra=extra))
    assert fixed_flag(train, chain.test, module) is None
    assert fixed_flag(train, chain.orelse.test, module) == ("args.vib", True)


def test_a_global_bound_twice_or_in_a_loop_is_not_fixed():
    for extra in ("\nargs = parser.parse_args([])\n", "\nfor args in []:\n    pass\n"):
        module, train, _, chain = _train_and_test(GLOBAL_ARGS.format(extra=extra))
        assert fixed_flag(train, chain.test, module) is None


def test_a_global_is_not_fixed_for_a_function_of_another_module():
    module, train, _, chain = _train_and_test(GLOBAL_ARGS.format(extra=""))
    other = cst.parse_module("args = 1\n")
    assert fixed_flag(train, chain.test, other) is None
    assert fixed_flag(train, chain.test) is None


def _arm_bound(source, start_env=None):
    module, train, loop, _ = _train_and_test(source)
    return arm_bound_names(loop, train, module, State(start_env or {}, True))


def test_names_bound_only_in_the_arms_of_a_fixed_flag_chain():
    assert _arm_bound(GLOBAL_ARGS.format(extra="")) == {"out", "mu", "reg"}


def test_a_name_read_before_its_binding_in_the_arm_keeps_its_carried_value():
    source = GLOBAL_ARGS.format(extra="").replace("            reg = mu.sum()", "            total = reg\n            reg = mu.sum()")
    assert "reg" not in _arm_bound(source)


def test_a_name_read_before_the_chain_or_bound_outside_it_is_not_arm_bound():
    before = GLOBAL_ARGS.format(extra="").replace("    for x in loader:\n", "    for x in loader:\n        print(reg)\n")
    assert "reg" not in _arm_bound(before)
    outside = GLOBAL_ARGS.format(extra="").replace("        total = out.sum() + reg", "        total = out.sum() + reg\n        reg = 0")
    assert "reg" not in _arm_bound(outside)


def test_a_chain_on_a_test_that_changes_binds_nothing_for_the_head():
    source = GLOBAL_ARGS.format(extra="").replace("        elif args.vib:", "        elif x.sum() > 0:")
    assert _arm_bound(source) == frozenset()


def test_an_arm_exiting_before_its_binding_is_not_trusted():
    source = GLOBAL_ARGS.format(extra="").replace("            out, mu = x, x\n", "            out, mu = x, x\n            if mu is None:\n                continue\n")
    assert "reg" not in _arm_bound(source)


def test_a_graph_held_from_before_the_loop_is_not_reset():
    # `reg = model(x0).sum()` before the loop: a run whose arm never rebinds it goes through that
    # graph again in its second iteration, after the first backward() freed it
    from gradlint.analysis.values import NUMBER, tensor

    source = GLOBAL_ARGS.format(extra="")
    assert "reg" not in _arm_bound(source, {"reg": tensor(True, False)})
    assert "reg" in _arm_bound(source, {"reg": NUMBER})
