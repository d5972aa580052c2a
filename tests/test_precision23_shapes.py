"""Shapes of third-party libraries (precision23 sweep) that the analysis misjudged.

Our own snippets, each a complete program.
"""

from snippets import findings

# ---- GRD505: a warm-up forward whose output the statement drops keeps no graph, unless a forward
# hook of the file stores what the forward gives it. Hooks that count FLOPs from shapes or time the
# layers (a profiler: deepspeed flops_profiler get_model_profile), or that store `output.data`
# (torchbearer's LSUV), keep nothing; a hook appending `output` itself, or one the file does not
# define, still may.

PROFILER = """\
import time

import torch
import torch.nn as nn


def _linear_hook(module, input, output):
    inp = input[0]
    module.__flops__ += int(inp.shape[0] * module.in_features * module.out_features)


HOOKS = {{nn.Linear: _linear_hook}}


def start_profile(model):
    def end_time_hook(module, input, output):
        module.__duration__ += time.time() - module.__start_time__

    for m in model.modules():
        if type(m) in HOOKS:
            m.register_forward_hook(HOOKS[type(m)])
        m.register_forward_hook({hook})


def profile(model, x, warm_up=3):
    model.eval()
    for _ in range(warm_up):
        _ = model(x)
    start_profile(model)
    return model(x)


net = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
profile(net, torch.randn(2, 4))
"""


def _warm_up(hook):
    source = PROFILER.format(hook=hook)
    return [(source.splitlines()[n - 1].strip(), code) for n, code in findings(source, "GRD505")]


def test_counting_hooks_keep_no_graph():
    assert _warm_up("end_time_hook") == []


def test_a_hook_storing_the_output_still_reports():
    store = "lambda m, i, o: STORE.append(o)"
    assert _warm_up(store) == [("_ = model(x)", "GRD505")]


def test_a_hook_of_another_file_still_reports():
    assert _warm_up("make_hook()") == [("_ = model(x)", "GRD505")]


LSUV = """\
import torch
import torch.nn as nn


class LSUV:
    def __init__(self):
        self.gg = {{"act": None}}

    def store_activations_wrapper(self):
        gg = self.gg

        def store_activations(self, input, output):
            gg["act"] = {stored}

        return store_activations

    def init_model(self, model, data):
        model.eval()
        layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
        for index in range(len(layers)):
            hook = layers[index].register_forward_hook(self.store_activations_wrapper())
            _ = model(data)
            print(self.gg["act"].std())
            hook.remove()


LSUV().init_model(nn.Sequential(nn.Linear(4, 4)), torch.randn(8, 4))
"""


def _lsuv(stored):
    source = LSUV.format(stored=stored)
    return [(source.splitlines()[n - 1].strip(), code) for n, code in findings(source, "GRD505")]


def test_a_hook_storing_detached_values_keeps_no_graph():
    assert _lsuv("output.data") == []
    assert _lsuv("output.detach()") == []


def test_a_hook_storing_the_output_with_its_graph_still_reports():
    assert _lsuv("output") == [("_ = model(data)", "GRD505")]
    assert _lsuv("output * 2") == [("_ = model(data)", "GRD505")]


def test_a_hook_name_also_bound_to_a_storing_lambda_still_reports():
    source = PROFILER.format(hook="end_time_hook").replace(
        "    for m in model.modules():",
        "    end_time_hook = lambda m, i, o: STORE.append(o)\n    for m in model.modules():",
    )
    assert [code for _, code in findings(source, "GRD505")] == ["GRD505"]


# ---- GRD201: an annotation `nn.Parameter` declares a leaf, not that it requires grad:
# `nn.Parameter(t, requires_grad=False)` keeps fixed state in a module (torchrec 1.x
# distributed/tensor_pool.py:267, `update(shard: torch.nn.Parameter, ...)` writing rows of the
# pool's shard, made with requires_grad=False). A caller's trainable Parameter, or a `.grad` read,
# still tells.

SHARD_UPDATE = """\
import torch


@torch.fx.wrap
def update(shard: torch.nn.Parameter, rank_ids: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    if values.device != shard.device:
        values = values.to(shard.device)
    shard[rank_ids] = values
    return torch.empty(0)
"""


def test_a_parameter_annotation_does_not_say_it_requires_grad():
    assert findings(SHARD_UPDATE, "GRD201") == []


TRAINED_SHARD = """\
import torch


def update(shard: torch.nn.Parameter, rank_ids, values):
    shard[rank_ids] = values  # expect: GRD201


class Pool(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.shard = torch.nn.Parameter(torch.zeros(8, 4))

    def put(self, rank_ids, values):
        update(self.shard, rank_ids, values)


def sgd(w: torch.nn.Parameter, lr: float):
    w -= lr * w.grad  # expect: GRD201
"""


def test_a_trainable_parameter_given_or_a_grad_read_still_reports():
    assert findings(TRAINED_SHARD, "GRD201") == [(5, "GRD201"), (18, "GRD201")]


# ---- GRD201: a module handed, as a statement of its own, to a function the analysis does not
# follow (`quantize_(model, config)`) may have had its layers' parameters swapped for frozen ones:
# torchao test/prototype/test_awq.py:239-241 copies a quantized checkpoint into
# `loaded_model.linear1.weight` after `quantize_` replaced it with
# `nn.Parameter(q, requires_grad=False)`. Printing or copying the model changes nothing, and a
# layer's weight written before any such call still reports.

LOADING = """\
import torch
import torch.nn as nn
from somelib import quantize_


class Toy(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear1 = nn.Linear(4, 4)

    def forward(self, x):
        return self.linear1(x)


def load(state_dict, config):
    loaded = Toy().eval()
    {call}
    loaded.linear1.weight.copy_(state_dict["linear1.weight"])
    return loaded
"""


def test_layers_handed_to_another_library_are_no_longer_known_to_train():
    assert findings(LOADING.format(call="quantize_(loaded, config)"), "GRD201") == []
    single = LOADING.replace("Toy().eval()", "nn.Linear(4, 4)").replace("loaded.linear1.weight", "loaded.weight")
    assert findings(single.format(call="quantize_(loaded, config)"), "GRD201") == []


def test_layers_printed_or_not_handed_still_report():
    assert findings(LOADING.format(call="print(loaded)"), "GRD201") == [(18, "GRD201")]
    assert findings(LOADING.format(call="quantized = quantize_(config)"), "GRD201") == [(18, "GRD201")]
