"""Shapes from public bug threads (threads helper, session 29, corpus_threads5).

- A trainer that wraps the model it is given, ``self.model = nn.DataParallel(model)``, with an optimizer
  built by its caller over ``net.parameters()``, clears with ``self.model.zero_grad()`` after each step
  (huggingface/transformers #6999's Trainer shape): the clear was not matched to the caller's ``net``
  and GRD501 fired. A field set from the caller is not known to be another module than the caller's,
  so such a clear may be the optimizer's; a local ``dp = nn.DataParallel(model)`` clears ``model``.
- A module that keeps its recurrent state on itself, ``lstm_out, self.hidden = self.lstm(x, self.hidden)``
  (rguthrie3/DeepLearningForNLPInPytorch #2, sgadgil6/cnslab_fmri #4), or a spiking neuron's
  ``self.mem = self.beta * self.mem + current`` fed by a layer (jeshraghian/snntorch #250), run by a
  training loop that never resets that state: the second iteration's backward() raises "Trying to
  backward through the graph a second time" (checked with torch 2.13). GRD504 saw only names of the
  loop's own scope.
- A loss scaled and backpropagated in a helper, ``precision.backward(loss)`` whose body is
  ``self.scaler.scale(loss).backward()`` (Lightning-AI/pytorch-lightning #9599's precision plugin), then
  ``clip_grad_norm_`` in the loop before any ``unscale_``: the helper's scaling did not reach its caller.
- ``identity = self.identity_conv(x); x = self.activ(x)`` with ``self.activ = nn.ReLU(inplace=True)``
  (osmr/imgclsmob #13, an Xception unit): the convolution saved ``x`` and the in-place ReLU overwrites
  it, so backward() raises. Modules built with ``inplace=True`` were in-place writes for GRD201 only.
  A dropout is such a write only for a literal ``p > 0`` (timm's TNT ``nn.Dropout(attn_drop, inplace=True)``
  with ``attn_drop=0.`` by default runs clean).
"""

from snippets import lint_path as lint
from snippets import write_project as write


WRAPPING_TRAINER = """\
    import torch
    import torch.nn as nn


    class Trainer:
        def __init__(self, model, optimizer):
            self.model = nn.DataParallel(model)
            self.optimizer = optimizer

        def train(self, loader):
            for inputs, labels in loader:
                loss = nn.functional.cross_entropy(self.model(inputs), labels)
                loss.backward()
                self.optimizer.step()
                {clear}


    net = nn.Linear(5, 3)
    Trainer(net, torch.optim.SGD(net.parameters(), lr=0.1)).train([(torch.randn(4, 5), torch.tensor([0, 1, 2, 0]))])
    """


def test_wrapped_field_clear_covers_the_callers_optimizer(tmp_path):
    write(tmp_path, {"trainer.py": WRAPPING_TRAINER.format(clear="self.model.zero_grad()")})
    assert lint(tmp_path / "trainer.py", {"GRD501"}) == []


def test_trainer_that_clears_nothing_still_reported(tmp_path):
    write(tmp_path, {"trainer.py": WRAPPING_TRAINER.format(clear="pass")})
    assert lint(tmp_path / "trainer.py", {"GRD501"}) == [(14, "GRD501")]


LOCAL_WRAPPER = """\
    import torch
    import torch.nn as nn


    def fit(model, critic, loader):
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        dp = nn.DataParallel({wrapped})
        for inputs, labels in loader:
            loss = nn.functional.cross_entropy(dp(inputs), labels)
            loss.backward()
            opt.step()
            dp.zero_grad()
    """


def test_local_wrapper_clear_covers_the_wrapped_parameter(tmp_path):
    write(tmp_path, {"fit.py": LOCAL_WRAPPER.format(wrapped="model")})
    assert lint(tmp_path / "fit.py", {"GRD501"}) == []


def test_local_wrapper_of_another_module_clears_nothing_of_the_optimizer(tmp_path):
    write(tmp_path, {"fit.py": LOCAL_WRAPPER.format(wrapped="critic")})
    assert lint(tmp_path / "fit.py", {"GRD501"}) == [(11, "GRD501")]


TAGGER = """\
    import torch
    import torch.nn as nn


    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(4, 6)
            self.out = nn.Linear(6, 3)
            self.hidden = self.init_hidden()

        def init_hidden(self):
            return (torch.zeros(1, 1, 6), torch.zeros(1, 1, 6))

        def forward(self, x):
            lstm_out, self.hidden = self.lstm(x.view(len(x), 1, -1), {state})
            return self.out(lstm_out.view(len(x), -1))
    """

TAGGER_TRAIN = """\
    import torch
    import torch.nn as nn
    from tagger import Tagger


    def train(model, data):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in data:
            model.zero_grad()
            {reset}
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()


    train(Tagger(), [(torch.randn(5, 4), torch.randint(0, 3, (5,)))] * 3)
    """


def _tagger(tmp_path, state="self.hidden", reset="pass"):
    write(tmp_path, {"tagger.py": TAGGER.format(state=state), "train.py": TAGGER_TRAIN.format(reset=reset)})
    return lint(tmp_path / "train.py", {"GRD504"})


def test_state_kept_on_the_module_across_iterations(tmp_path):
    assert _tagger(tmp_path) == [(12, "GRD504")]


def test_state_reset_each_iteration(tmp_path):
    assert _tagger(tmp_path, reset="model.hidden = model.init_hidden()") == []


def test_state_detached_each_iteration(tmp_path):
    assert _tagger(tmp_path, reset="model.hidden = tuple(h.detach() for h in model.hidden)") == []


def test_state_detached_in_forward(tmp_path):
    assert _tagger(tmp_path, state="tuple(h.detach() for h in self.hidden)") == []


def test_state_not_read_by_forward(tmp_path):
    # `self.lstm(x)`: a fresh zero state each call, the field is only kept for inspection
    assert _tagger(tmp_path, state="None") == []


def test_module_run_under_no_grad_in_the_loop(tmp_path):
    # the loop's other module trains; the stateful one only runs without a graph
    write(tmp_path, {"tagger.py": TAGGER.format(state="self.hidden"), "train.py": """\
    import torch
    import torch.nn as nn
    from tagger import Tagger


    def train(model, head, data):
        optimizer = torch.optim.SGD(head.parameters(), lr=0.1)
        for x, y in data:
            optimizer.zero_grad()
            with torch.no_grad():
                feats = model(x)
            loss = nn.functional.cross_entropy(head(feats), y)
            loss.backward()
            optimizer.step()


    train(Tagger(), nn.Linear(3, 3), [(torch.randn(5, 4), torch.randint(0, 3, (5,)))] * 3)
    """})
    assert lint(tmp_path / "train.py", {"GRD504"}) == []


NEURONS = """\
    import torch
    import torch.nn as nn


    class Leaky(nn.Module):
        def __init__(self, beta=0.9):
            super().__init__()
            self.beta = beta
            self.mem = torch.zeros(1)

        def forward(self, current):
            self.mem = self.beta * self.mem + current
            return torch.sigmoid(self.mem)


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)
            self.lif = Leaky()

        def forward(self, x):
            return {fed}


    def reset(net):
        for m in net.modules():
            if isinstance(m, Leaky):
                m.mem = torch.zeros(1)
    """

SNN_TRAIN = """\
    import torch
    from neurons import Net, reset


    def run_steps(net, x, steps):
        {reset}
        return torch.stack([net(x) for _ in range(steps)])


    def train(net, loader, opt):
        for x, y in loader:
            opt.zero_grad()
            loss = ((run_steps(net, x, 3).mean(0) - y) ** 2).mean()
            loss.backward()
            opt.step()


    n = Net()
    train(n, [(torch.randn(3, 4), torch.randn(3, 2))] * 3, torch.optim.Adam(n.parameters()))
    """


def _snn(tmp_path, fed="self.lif(self.fc(x))", reset="pass"):
    write(tmp_path, {"neurons.py": NEURONS.format(fed=fed), "train.py": SNN_TRAIN.format(reset=reset)})
    return lint(tmp_path / "train.py", {"GRD504"})


def test_neuron_state_fed_by_a_layer_through_a_helper(tmp_path):
    assert _snn(tmp_path) == [(14, "GRD504")]


def test_neuron_state_reset_by_the_helpers_helper(tmp_path):
    assert _snn(tmp_path, reset="reset(net)") == []


def test_neuron_state_fed_raw_data_holds_no_graph(tmp_path):
    # the neuron integrates the input itself, which requires no grad: its state carries no graph
    assert _snn(tmp_path, fed="self.fc(self.lif(x))") == []


SCALED_HELPER = """\
    import torch
    import torch.nn as nn
    from torch.amp import GradScaler


    class Precision:
        def __init__(self):
            self.scaler = GradScaler("cpu")

        def backward(self, loss, optimizer):
            self.scaler.scale(loss).backward()
            {after}


    def scaled_backward(scaler, loss):
        scaler.scale(loss).backward()


    def loop(model, loader, optimizer):
        precision = Precision()
        scaler = GradScaler("cpu")
        for x, y in loader:
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            {call}
            {unscale}
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            precision.scaler.step(optimizer)
            precision.scaler.update()
    """


def _scaled(tmp_path, call="precision.backward(loss, optimizer)", after="pass", unscale="pass"):
    write(tmp_path, {"amp.py": SCALED_HELPER.format(call=call, after=after, unscale=unscale)})
    return lint(tmp_path / "amp.py", {"GRD509"})


def test_clip_after_a_method_that_scaled_the_loss(tmp_path):
    assert _scaled(tmp_path) == [(27, "GRD509")]


def test_clip_after_a_function_that_scaled_the_loss(tmp_path):
    assert _scaled(tmp_path, call="scaled_backward(scaler, loss)") == [(27, "GRD509")]


def test_helper_that_unscales_before_returning(tmp_path):
    assert _scaled(tmp_path, after="self.scaler.unscale_(optimizer)") == []


def test_loop_that_unscales_after_the_helper(tmp_path):
    assert _scaled(tmp_path, unscale="precision.scaler.unscale_(optimizer)") == []


def test_helper_that_may_return_before_scaling(tmp_path):
    # an early return on some path: what the helper leaves is not known on every path
    write(tmp_path, {"amp.py": SCALED_HELPER.format(call="scaled_backward(scaler, loss)", after="pass", unscale="pass")
                     .replace("    def scaled_backward(scaler, loss):\n", "    def scaled_backward(scaler, loss):\n        if loss is None:\n            return\n")})
    assert lint(tmp_path / "amp.py", {"GRD509"}) == []


UNIT = """\
    import torch
    import torch.nn as nn


    class Unit(nn.Module):
        def __init__(self):
            super().__init__()
            self.skip = nn.Conv2d(4, 8, 1)
            self.activ = nn.ReLU(inplace={inplace})
            self.body = nn.Conv2d(4, 8, 3, padding=1)

        def forward(self, x):
            {first}
            {second}
            return self.body(x) + identity


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(3, 4, 3, padding=1)
            self.unit = Unit()

        def forward(self, x):
            return self.unit(self.stem(x))


    net = Net()
    net(torch.randn(2, 3, 5, 5)).sum().backward()
    """

_SKIP_FIRST = ("identity = self.skip(x)", "x = self.activ(x)")


def _unit(tmp_path, inplace="True", order=_SKIP_FIRST):
    write(tmp_path, {"unit.py": UNIT.format(inplace=inplace, first=order[0], second=order[1])})
    return lint(tmp_path / "unit.py", {"GRD202"})


def test_inplace_activation_module_overwrites_what_a_conv_saved(tmp_path):
    assert _unit(tmp_path) == [(14, "GRD202")]


def test_activation_module_not_in_place(tmp_path):
    assert _unit(tmp_path, inplace="False") == []


def test_inplace_activation_before_the_conv_reads_its_output(tmp_path):
    # the skip convolution runs on the activated tensor: nothing it saved is overwritten afterwards
    assert _unit(tmp_path, order=("x = self.activ(x)", "identity = self.skip(x)")) == []


def test_inplace_activation_of_a_tensor_no_earlier_op_saved(tmp_path):
    # `x + 0.0` saves nothing of `x` (the convolution saves the sum): the activation's own saving of
    # what it writes is no earlier op's
    assert _unit(tmp_path, order=("identity = self.skip(x + 0.0)", "x = self.activ(x)")) == []


ATTENTION = """\
    import torch
    import torch.nn as nn


    class Attention(nn.Module):
        def __init__(self, dim, attn_drop=0.):
            super().__init__()
            self.qk = nn.Linear(dim, dim * 2)
            self.attn_drop = nn.Dropout({p}, inplace=True)

        def forward(self, x):
            q, k = self.qk(x).chunk(2, -1)
            attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
            attn = self.attn_drop(attn)
            return attn @ x


    Attention(4)(torch.randn(2, 3, 4)).sum().backward()
    """


def test_inplace_dropout_of_a_saved_softmax(tmp_path):
    write(tmp_path, {"attn.py": ATTENTION.format(p="0.1")})
    assert lint(tmp_path / "attn.py", {"GRD202"}) == [(14, "GRD202")]


def test_inplace_dropout_of_unknown_probability(tmp_path):
    # timm's TNT shape: `nn.Dropout(attn_drop, inplace=True)` with `attn_drop=0.` by default writes nothing
    write(tmp_path, {"attn.py": ATTENTION.format(p="attn_drop")})
    assert lint(tmp_path / "attn.py", {"GRD202"}) == []
