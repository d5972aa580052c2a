"""``model.eval()`` switches the model's submodules too (nn.Module.eval is recursive).

A sampling script that runs a language model's layers one by one after ``model.eval()``
(``h = model.embed(tok)``, ``logits = model.head(h)``) evaluates the model as ``model(tok)`` would:
without ``torch.no_grad()`` every step keeps its graph. The submodules' mode was unknown, so GRD505
stayed silent. One finding per evaluated model and loop. Not reported: the same loop under
``no_grad``, a submodule switched back to ``train()`` by its own name after the parent's ``eval()``,
a parent switched back with ``train()`` (which switches the submodules back), and a loop that hands
the outputs to a method of a model whose class is not known here (it may backpropagate them).
"""

import pytest

from snippets import findings, lint_path, write_project

PROGRAM = """\
import torch
import torch.nn as nn


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 8)
        self.cell = nn.GRUCell(8, 8)
        self.head = nn.Linear(8, 20)

    def forward(self, tok, h):
        h = self.cell(self.embed(tok), h)
        return self.head(h), h


def sample(model, steps):
    model.eval()
{switch}    tok = torch.zeros(1, dtype=torch.long)
    h = torch.zeros(1, 8)
    picked = []
{body}
    return picked


if __name__ == "__main__":
    print(sample(TinyLM(), 30))
"""

STEPS = """\
for _ in range(steps):
    h = model.cell(model.embed(tok), h)
    logits = model.head(h)
    tok = torch.multinomial(logits.softmax(-1), 1)[0]
    picked.append(tok.item())"""


def _program(switch="", guarded=False):
    body = STEPS
    if guarded:
        body = "with torch.no_grad():\n" + "\n".join("    " + line for line in STEPS.splitlines())
    return PROGRAM.format(switch=switch, body="\n".join("    " + line for line in body.splitlines()))


def _reported(source):
    return [source.splitlines()[line - 1].strip() for line, _ in findings(source, "GRD505")]


def test_layers_of_an_evaluated_model_run_step_by_step_are_reported_once():
    assert _reported(_program()) == ["h = model.cell(model.embed(tok), h)"]


@pytest.mark.parametrize(
    "switch,guarded",
    [
        ("", True),  # the sampling runs under no_grad
        ("    model.train()\n", False),  # switched back: its submodules train again
    ],
    ids=["no-grad", "parent-train"],
)
def test_silent(switch, guarded):
    assert _reported(_program(switch=switch, guarded=guarded)) == []


def test_a_submodule_switched_back_by_name_is_not_in_eval_mode():
    source = _program(switch="    model.cell.train()\n    model.embed.train()\n    model.head.train()\n")
    assert _reported(source) == []


def test_outputs_given_to_a_method_of_a_model_of_unknown_class_may_be_backpropagated(tmp_path):
    # `critic` comes from the caller in another file: its fit() is not known here
    write_project(
        tmp_path,
        {
            "probe.py": """\
                import torch


                def probe(model, critic, loader, opt):
                    model.eval()
                    total = 0.0
                    for epoch in range(2):
                        for x in loader:
                            z = model.encoder(x)
                            total += critic.fit(z, opt)
                    return total
                """,
        },
    )
    assert lint_path(tmp_path / "probe.py", select={"GRD505"}) == []


def test_outputs_given_to_an_inference_method_of_a_model_of_unknown_class_are_still_reported(tmp_path):
    # the image-captioning tutorial's eval.py: encoder and decoder come out of a checkpoint dict
    write_project(
        tmp_path,
        {
            "evaluate.py": """\
                import torch

                checkpoint = torch.load("best.pth")
                encoder = checkpoint["encoder"]
                decoder = checkpoint["decoder"]
                encoder.eval()
                decoder.eval()


                def evaluate(loader):
                    for image, caps in loader:
                        encoder_out = encoder(image)
                        h, c = decoder.init_hidden_state(encoder_out)
                        scores = decoder.decode_step(encoder_out, h)
                        print(scores.argmax(-1).tolist())


                evaluate([])
                """,
        },
    )
    assert lint_path(tmp_path / "evaluate.py", select={"GRD505"}) == [(12, "GRD505")]
