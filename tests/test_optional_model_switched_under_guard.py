"""A model switched under ``if X is not None:`` keeps that mode where the same guard runs it.

``validate(loader, encoder, decoder)`` of an image-captioning tutorial: ``if encoder is not None:
encoder.eval()``, then in the loop ``if encoder is not None: x = encoder(x)`` with gradients on
(GRD505). Joining the path that skips the first guard (its module "not switched") made the mode
unknown, and the line went unreported while ``decoder(x)`` was.
A parameter the call binds to a module is never None, so the guard is decided in that context
(``branch_tests.none_test``).
"""

from snippets import findings

VALIDATE = """\
import torch
import torch.nn as nn


def validate(loader, encoder, decoder):
    decoder.eval()
    if encoder is not None:
        SWITCH
    out = []
    for x, y in loader:
        GUARD
            x = encoder(x)  # expect: GRD505
        s = decoder(x)  # expect: GRD505
        out.append(s.sum().item())
    return out


def main(loader):
    encoder, decoder = nn.Linear(4, 4), nn.Linear(4, 2)
    opt = torch.optim.SGD(list(encoder.parameters()) + list(decoder.parameters()), lr=0.1)
    for epoch in range(2):
        encoder.train()
        decoder.train()
        for x, y in loader:
            loss = decoder(encoder(x)).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(validate(loader, encoder, decoder))
"""


def marked(src):
    return [(n, "GRD505") for n, line in enumerate(src.splitlines(), 1) if "# expect: GRD505" in line]


def shape(switch="encoder.eval()", guard="if encoder is not None:"):
    return VALIDATE.replace("SWITCH", switch).replace("GUARD", guard)


def test_module_switched_and_run_under_the_same_guard():
    src = shape()
    assert findings(src, "GRD505") == marked(src) == [(12, "GRD505"), (13, "GRD505")]


def test_guarded_forward_under_no_grad_is_silent():
    src = shape(guard="with torch.no_grad():\n            if encoder is not None:").replace(
        "        s = decoder(x)  # expect: GRD505", "            s = decoder(x)"
    ).replace("            x = encoder(x)", "                x = encoder(x)")
    assert findings(src, "GRD505") == []


def test_guard_that_switches_to_train_is_silent_for_that_module():
    src = shape(switch="encoder.train()").replace("x = encoder(x)  # expect: GRD505", "x = encoder(x)")
    assert findings(src, "GRD505") == marked(src) == [(13, "GRD505")]


def test_a_module_argument_is_never_none_so_its_switch_holds_under_any_guard():
    # the caller passes a module: `if encoder is not None:` always switches it
    src = shape(guard="if len(out) > 1:")
    assert findings(src, "GRD505") == marked(src) == [(12, "GRD505"), (13, "GRD505")]


def test_an_optional_model_passed_as_none_is_not_run():
    # the only caller passes None: nothing is switched or run through `encoder`
    src = shape().replace("print(validate(loader, encoder, decoder))", "print(validate(loader, None, decoder))").replace(
        "x = encoder(x)  # expect: GRD505", "x = encoder(x)"
    )
    assert findings(src, "GRD505") == marked(src) == [(13, "GRD505")]
