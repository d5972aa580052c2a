"""GRD504 and the graphs a call of a project function gives: each call builds its own. The summary of
the callee is kept for every call in the same context, and its result was handed out as one object:
``extra = similarity(rows, keys[i])`` in an inner loop then held the very object it held in the outer
loop's previous iteration, whose backward() freed it, and the join after the inner loop took the name
for one no iteration rebound (a mini-batched contrastive loss, backpropagated per chunk: torch 2.13
runs it). ``return_deps.through_results`` now gives each call's graphs as new objects."""

from snippets import case_maker, rule_tests

case = case_maker("GRD504")

_CHUNKED = """
import torch
import torch.nn.functional as F


def similarity(a, b):
    return a @ b.t()


def similarity_and_mask(a, b):
    scores = a @ b.t()
    return scores, scores > -1.0


def suppress(scores, keep):
    scores[~keep] = -1e4
    return scores


def chunked_loss(queries, keys, labels, chunk):
    losses = []
    for start in range(0, queries.size(0), chunk):
        rows = queries[start:start + chunk]
        scores = [similarity(rows, keys[0])]
        for i in range(1, len(keys)):
            {inner}
            scores.append(extra)
        logits = torch.cat(scores, dim=1)
        loss = F.cross_entropy(logits, labels[start:start + chunk])
        loss.backward()
        losses.append(loss.detach())
    return sum(losses)


queries = torch.randn(8, 4, requires_grad=True)
keys = [torch.randn(8, 4, requires_grad=True) for _ in range(3)]
chunked_loss(queries, keys, torch.arange(8), 4)
"""

_FIXED = """
import torch
import torch.nn.functional as F


def similarity(a, b):
    return a @ b.t()


def repeated_loss(queries, keys, labels):
    base = similarity(queries, keys)
    for step in range(3):
        extra = similarity(queries, keys)
        loss = F.cross_entropy(base + extra, labels)
        loss.backward()  # expect: GRD504


queries = torch.randn(8, 4, requires_grad=True)
keys = torch.randn(8, 4, requires_grad=True)
repeated_loss(queries, keys, torch.arange(8))
"""

POSITIVES = [
    case("a_helper_graph_built_once_before_the_loop", _FIXED, lines=(15,)),
]

NEGATIVES = [
    case(
        "a_helper_graph_masked_by_another_helper_in_an_inner_loop",
        _CHUNKED.format(inner="extra = similarity(rows, keys[i])\n            extra = suppress(extra, extra > -1.0)"),
    ),
    case(
        "a_helper_tuple_unpacked_and_masked_in_an_inner_loop",
        _CHUNKED.format(inner="extra, keep = similarity_and_mask(rows, keys[i])\n            extra = suppress(extra, keep)"),
    ),
]

test_fires, test_silent = rule_tests("GRD504", POSITIVES, NEGATIVES)
