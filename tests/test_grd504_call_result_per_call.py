"""GRD504 and a helper that hands back its argument (``return sim``), kept beside libs1's test of the same fix
(``return_deps.through_results``, tests/test_grd504_call_results_anew.py): every call with the same context
reads one cached summary, so each call evaluated to the same result object. After an inner loop that
may run zero times, the join compared the name's object on the two paths, found one object, and took
the name for never rebound: the graph the previous outer iteration's backward() freed looked kept,
although every iteration recomputes it before the call (torch 2.13 runs these programs; a cached-loss
trainer of sentence-transformers has the shape). A graph really backpropagated twice through such a
helper is still reported.
"""

from snippets import findings

PER_MINIBATCH = """\
import torch


def mask_self(sim, positive=None):
    if positive is not None:
        sim[positive] = -1e4
    return sim


def chunked_loss(anchors, candidates, chunk):
    losses = []
    for begin in range(0, anchors.size(0), chunk):
        scores = [anchors[begin:begin + chunk] @ candidates[0].T]
        for i in range(1, len(candidates)):
            neg = anchors[begin:begin + chunk] @ candidates[i].T
            neg = mask_self(neg)
            scores.append(neg)
        loss = torch.cat(scores, 1).logsumexp(1).mean()
        loss.backward()
        losses.append(loss.detach())
    return sum(losses)


anchors = torch.randn(8, 4).requires_grad_()
candidates = [torch.randn(8, 4, requires_grad=True) for _ in range(3)]
print(chunked_loss(anchors, candidates, 2))
"""

TWICE = """\
import torch


def mask_self(sim, positive=None):
    if positive is not None:
        sim[positive] = -1e4
    return sim


w = torch.randn(4, 4, requires_grad=True)
x = torch.randn(2, 4)
h = torch.tanh(x @ w)
h = mask_self(h)
h.sum().backward()
(h * 2).sum().backward()
"""


def test_a_helper_returning_its_argument_in_an_inner_loop_is_silent():
    assert findings(PER_MINIBATCH, "GRD504") == []


def test_a_graph_backpropagated_twice_through_the_helper_is_still_reported():
    assert findings(TWICE, "GRD504") == [(15, "GRD504")]
