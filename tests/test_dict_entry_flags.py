"""A branch on an entry of a config dict the call bound to a literal (``cfg = {"finetune":
"culane.pth"}``, ``build(cfg)``, then ``if cfg.get("finetune") is not None:`` or ``if cfg["freeze"]:``)
takes the side the literal says, as a flag parameter bound to a literal does: the freeze of every
parameter under it is a whole freeze, and training the returned model trains nothing (GRD407, the
Ultra-Fast-Lane-Detection finetune freeze). An entry set to None or False, a key the dict does not
hold, a dict the function writes into, or a dict not known stay silent."""

from snippets import findings

_SRC = """\
import sys

import torch
import torch.nn as nn


def build(cfg):
    net = nn.Linear(4, 2)
{prelude}    if {test}:
        for param in net.parameters():
            param.requires_grad = False
    return net


def train(net, optimizer):
    for x, y in [(torch.randn(2, 4), torch.randn(2, 2))]:
        loss = nn.functional.mse_loss(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def main():
    cfg = {cfg}
    model = build(cfg)
    train(model, torch.optim.SGD(model.parameters(), lr=0.1))


main()
"""


def case(test, cfg, prelude=""):
    return _SRC.format(test=test, cfg=cfg, prelude=prelude)


GET_NOT_NONE = case('cfg.get("finetune") is not None', '{"finetune": "culane.pth", "epochs": 2}')
SUBSCRIPT_TRUE = case('cfg["freeze"]', '{"freeze": True}')
GET_TRUTHY = case('cfg.get("finetune")', '{"finetune": "culane.pth"}')
ENTRY_NONE = case('cfg.get("finetune") is not None', '{"finetune": None}')
ENTRY_FALSE = case('cfg["freeze"]', '{"freeze": False}')
KEY_MISSING = case('cfg.get("finetune") is not None', '{"epochs": 2}')
WRITTEN_INTO = case('cfg.get("finetune") is not None', '{"finetune": "culane.pth"}', '    cfg.update({"finetune": None})\n')
NOT_KNOWN = case('cfg.get("finetune") is not None', 'dict(arg.split("=") for arg in sys.argv[1:])')


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_get_is_not_none_of_a_literal_string():
    assert findings(GET_NOT_NONE, "GRD407") == [(line_of(GET_NOT_NONE, "param.requires_grad = False"), "GRD407")]


def test_subscript_of_a_literal_true():
    assert findings(SUBSCRIPT_TRUE, "GRD407") == [(line_of(SUBSCRIPT_TRUE, "param.requires_grad = False"), "GRD407")]


def test_get_of_a_non_empty_string():
    assert findings(GET_TRUTHY, "GRD407") == [(line_of(GET_TRUTHY, "param.requires_grad = False"), "GRD407")]


def test_entry_none_never_freezes():
    assert findings(ENTRY_NONE, "GRD407") == []


def test_entry_false_never_freezes():
    assert findings(ENTRY_FALSE, "GRD407") == []


def test_a_key_the_dict_does_not_hold():
    assert findings(KEY_MISSING, "GRD407") == []


def test_a_dict_the_function_writes_into():
    assert findings(WRITTEN_INTO, "GRD407") == []


def test_a_dict_not_known():
    assert findings(NOT_KNOWN, "GRD407") == []


KEY_NOT_LITERAL = case("cfg[sys.argv[1]] is not None", '{"finetune": "culane.pth"}')


def test_a_key_that_is_not_a_literal():
    assert findings(KEY_NOT_LITERAL) == []
