"""A value names at most ``MAX_DEPS`` graphs: a function of thousands of chained statements
(``y_i = f(y_{i-1})``) costs linear memory, and what the cap drops only makes rules quieter."""

from gradlint.analysis import dep_bounds, operations
from gradlint.analysis.dep_bounds import MAX_DEPS, capped
from gradlint.engine import lint_text
from gradlint.rules import BY_CODE


def chain(count, after):
    lines = ["import torch", "", "", "def run(x, w):", "    w = torch.nn.Parameter(w)", "    y0 = x * w"]
    lines += [f"    y{i} = torch.tanh(y{i - 1}) * w" for i in range(1, count)]
    return "\n".join(lines + ["    " + line for line in after]) + "\n"


def backward_twice(source):
    return [(f.line, f.code) for f in lint_text(source, "chain.py", [BY_CODE["GRD504"]])]


def test_each_value_of_a_long_chain_names_a_bounded_number_of_graphs(monkeypatch):
    sizes = []

    def recorded(deps, direct=()):
        result = capped(deps, direct)
        sizes.append(len(result))
        return result

    monkeypatch.setattr(operations, "capped", recorded)
    assert backward_twice(chain(1500, ["y1499.sum().backward()"])) == []
    assert max(sizes) == MAX_DEPS
    assert len(sizes) >= 1500


def test_a_second_backward_through_a_long_chain_is_still_reported():
    count = 3 * MAX_DEPS
    first = f"y{count - 1}.sum().backward()"
    last_line = 7 + count  # the header's 6 lines, the chain's count - 1, then the two backwards
    for again in (count - 2, count // 2, 1):
        assert backward_twice(chain(count, [first, f"y{again}.sum().backward()"])) == [(last_line, "GRD504")]


def test_a_graph_kept_for_the_second_backward_is_not_reported():
    count = 3 * MAX_DEPS
    kept = f"y{count - 1}.sum().backward(retain_graph=True)"
    assert backward_twice(chain(count, [kept, f"y{count // 2}.sum().backward()"])) == []


def test_the_cap_keeps_the_direct_paths_and_the_sorted_first_of_the_rest(monkeypatch):
    monkeypatch.setattr(dep_bounds, "MAX_DEPS", 3)
    paths = frozenset(f"y{i}" for i in range(10))
    assert capped(paths, ["y9"]) == {"y0", "y1", "y9"}
    assert capped(frozenset(sorted(paths, reverse=True)), ["y9"]) == {"y0", "y1", "y9"}
    small = frozenset({"a", "b"})
    assert capped(small) is small


def test_with_a_tiny_cap_a_second_backward_is_still_reported(monkeypatch):
    monkeypatch.setattr(dep_bounds, "MAX_DEPS", 2)
    for again in ("y38", "y20", "y0"):
        assert backward_twice(chain(40, ["y39.sum().backward()", f"{again}.sum().backward()"])) == [(47, "GRD504")]
