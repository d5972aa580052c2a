"""A function that makes its inputs require grad usually runs its forwards for their gradients
(integrated gradients, a gradient penalty taken by a metric it hands the output to), and GRD505 stays
silent there. Old ``Variable(x, requires_grad=True)`` code also sets the flag out of habit: when the
function never differentiates anything (no ``backward()``, no ``autograd.grad``, no ``.grad`` read)
and the forward's output is only read through a cut (``out.data``, ``.detach()``, ``.item()``), nothing
asks for those gradients and the evaluation loop after ``model.eval()`` records a graph for nothing.
An output handed on, or a function that does take gradients, keeps the forward unjudged."""

from snippets import findings

CONFIDENCES = """\
import numpy as np
import torch
import torch.nn.functional as F
from torch.autograd import Variable


def confidences(model, images, labels):
    model.eval()
    wrong, scores = 0, []
    for idx in range(len(labels)):
        x = Variable(torch.from_numpy(images[idx]), requires_grad=True)
        out = model(x)
        scores.append(F.softmax(out.data[0], dim=0).numpy())
        prediction = out.data.max(1)[1]
        USE
        if prediction.item() != labels[idx]:
            wrong += 1
    return wrong, np.array(scores)
"""


def _grd505(use="pass"):
    return [line for line, code in findings(CONFIDENCES.replace("USE", use)) if code == "GRD505"]


def test_an_output_only_read_through_cuts_is_reported():
    assert _grd505() == [12]


def test_an_output_handed_on_stays_unjudged():
    assert _grd505("record(out, x)") == []


def test_a_function_reading_the_input_gradients_stays_unjudged():
    assert _grd505("saliency = x.grad") == []
