"""A view or slice of some ``p.grad`` (``p.grad.view(-1).narrow(0, start, n)``, as ZeRO-style
optimizers read a parameter's gradient partition) is a gradient: it does not require grad, so
its ``.data`` hides nothing from autograd (GRD204 exempts ``p.grad.data`` for that reason).
``narrow``/``unsqueeze``/... on a value of unknown kind prove only that the result is a tensor:
when the receiver reads ``.grad``, it is one that does not require grad."""

from tests.snippets import findings

GRADIENT_PARTITIONS = """\
import torch


class Partitioner:
    def norm_of(self, param, start, count):
        part = param.grad.view(-1).narrow(0, start, count)
        self.norm = part.data.double().norm(2)

    def first(self, param):
        head = param.grad.narrow(0, 0, 3)
        return head.data

    def grid(self, param):
        return param.grad.data.unsqueeze(0).data
"""


def test_data_of_a_gradient_view_is_not_reported():
    assert findings(GRADIENT_PARTITIONS, "GRD204") == []


def test_data_of_a_parameter_view_is_still_reported():
    source = """\
    import torch


    def partition_of(param, start, count):
        part = param.view(-1).narrow(0, start, count)
        return part.data  # expect: GRD204


    def weights(model):
        w = model.fc.weight.narrow(0, 0, 3)
        return w.data  # expect: GRD204
    """
    assert findings(source, "GRD204") == [(6, "GRD204"), (11, "GRD204")]


def test_double_backward_through_a_gradient_view_is_not_reported():
    # create_graph=True: the gradient itself requires grad, so its backward() is no GRD103
    source = """\
    import torch


    def penalty(model, x, params):
        loss = model(x).sum()
        loss.backward(create_graph=True)
        for p in params:
            g = p.grad.narrow(0, 0, 1)
            g.sum().backward()
    """
    assert [code for _, code in findings(source)] == []


GRADIENT_THROUGH_NAMES = """\
import torch


class Partitioner:
    def norm_of(self, param, start, count):
        part = param.grad
        part = part.view(-1).narrow(0, start, count)
        self.norm = part.data.double().norm(2)

    def whole(self, param):
        g = param.grad
        return g.data

    def flat(self, param):
        g = param.grad.data
        return g.reshape(-1).unsqueeze(0).data
"""


def test_data_of_a_gradient_read_through_a_name_is_not_reported():
    # `.grad` of an unresolved `param` stays unknown, but a name bound from it keeps being a
    # gradient through views (the shape of deepspeed runtime/zero/stage2.py set_norm_for_param_grad_in_gpu)
    assert findings(GRADIENT_THROUGH_NAMES, "GRD204") == []


def test_data_of_a_parameter_read_through_a_name_is_still_reported():
    source = """\
    import torch


    def partition_of(param, start, count):
        part = param.weight
        part = part.view(-1).narrow(0, start, count)
        return part.data  # expect: GRD204


    def either(param, other, flag):
        g = param.grad if flag else other
        return g.view(-1).narrow(0, 0, 1).data  # expect: GRD204
    """
    assert findings(source, "GRD204") == [(7, "GRD204"), (12, "GRD204")]


def test_double_backward_through_a_named_gradient_view_is_not_reported():
    source = """\
    import torch


    def penalty(model, x, params):
        loss = model(x).sum()
        loss.backward(create_graph=True)
        for p in params:
            g = p.grad
            g = g.view(-1).narrow(0, 0, 1)
            g.sum().backward()
    """
    assert [code for _, code in findings(source)] == []
