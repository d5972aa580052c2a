"""Functions compiled into a kernel of another language are not PyTorch code: ``@ti.kernel def
random_initialize(data: ti.types.ndarray()): for I in ti.grouped(data): data[I] = ...`` is how a
taichi hash encoder fills the memory of its ``nn.Parameter`` table, and no autograd check runs there
(realprec12 stable-dreamfusion taichi_modules/hash_encoder.py:17, a GRD201 false alarm: the walk of
the kernel took the caller's Parameter for ``data``). A function decorated by taichi, numba, triton,
cupy or warp (``other_frameworks.compiled_kernel``) is walked with its parameters unknown, and a call
of it tells its caller nothing.

Still reported: the same write in a plain Python helper given the Parameter.
"""

from snippets import case_maker, rule_tests

CODE = "GRD201"
case = case_maker(CODE)

NEGATIVES = [
    case(
        "taichi-kernel-fills-a-parameter",
        """\
        import taichi as ti
        import torch


        @ti.kernel
        def random_initialize(data: ti.types.ndarray()):
            for I in ti.grouped(data):
                data[I] = (ti.random() * 2.0 - 1.0) * 1e-4


        class HashTable(torch.nn.Module):
            def __init__(self, size):
                super().__init__()
                self.table = torch.nn.Parameter(torch.zeros(size), requires_grad=True)
                random_initialize(self.table)
        """,
    ),
    case(
        "numba-jitted-loop-over-a-leaf",
        """\
        import numba
        import torch


        @numba.jit(nopython=True)
        def fill_ramp(values, start):
            for i in range(values.shape[0]):
                values[i] = start + i


        weights = torch.zeros(8, requires_grad=True)
        fill_ramp(weights, 0.5)
        """,
    ),
]

POSITIVES = [
    case(
        "a-python-helper-writes-the-parameter",
        """\
        import random

        import torch


        def random_initialize(data):
            for i in range(data.shape[0]):
                data[i] = (random.random() * 2.0 - 1.0) * 1e-4  # expect: GRD201


        class HashTable(torch.nn.Module):
            def __init__(self, size):
                super().__init__()
                self.table = torch.nn.Parameter(torch.zeros(size), requires_grad=True)
                random_initialize(self.table)
        """,
        lines=(8,),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
