"""GRD504 and a join of a list the walk knows holds only leaves: a GradCache-style loss embeds its
batch without gradients, makes each chunk's embeddings a leaf (``e.detach().requires_grad_()``),
joins the list once (``torch.cat(cached)``) and backpropagates each chunk's loss in a loop, to read
the leaves' ``.grad`` afterwards. The join's graph is one ``CatBackward`` node, which saves no tensor:
torch 2.13 runs every iteration (``graph_saves`` knew it only of a list or tuple written out). The
leaves projected by a layer before the join still raise at the second chunk (a ``Linear`` saves its
input), however the list is named."""

from snippets import case_maker, rule_tests

case = case_maker("GRD504")

_CACHED = """
import torch
import torch.nn as nn
import torch.nn.functional as F


def cached_chunk_loss(encoder, project, batch, targets, chunk=4):
    with torch.no_grad():
        embedded = [encoder(part) for part in batch.split(chunk)]
    cached = [e.detach().requires_grad_() for e in embedded]
    {join}
    labels = torch.arange(targets.size(0))
    total = 0.0
    for start in range(0, queries.size(0), chunk):
        logits = queries[start:start + chunk] @ targets.t()
        loss = F.cross_entropy(logits, labels[start:start + chunk])
        loss.backward(){mark}
        total += loss.item()
    return total, [c.grad for c in cached]


cached_chunk_loss(nn.Linear(6, 4), nn.Linear(4, 4), torch.randn(8, 6), torch.randn(8, 4))
"""


def _cached(join="queries = torch.cat(cached)", mark=""):
    return _CACHED.format(join=join, mark=mark)


POSITIVES = [
    case(
        "the_leaves_projected_before_the_join",
        _cached(join="queries = torch.cat([project(c) for c in cached])", mark="  # expect: GRD504"),
        lines=(17,),
    ),
    case(
        "a_list_of_the_leaves_projected_before_the_join",
        _cached(
            join="projected = [project(c) for c in cached]\n    queries = torch.cat(projected)",
            mark="  # expect: GRD504",
        ),
        lines=(18,),
    ),
    case(
        "the_list_rebound_to_projections_before_the_join",
        _cached(
            join="cached = [project(c) for c in cached]\n    queries = torch.cat(cached)",
            mark="  # expect: GRD504",
        ),
        lines=(18,),
    ),
]

NEGATIVES = [
    case("a_list_of_leaves_joined_before_the_loop", _cached()),
    case("a_list_of_leaves_concatenated_before_the_loop", _cached(join="queries = torch.concat(cached, dim=0)")),
]

test_fires, test_silent = rule_tests("GRD504", POSITIVES, NEGATIVES)
