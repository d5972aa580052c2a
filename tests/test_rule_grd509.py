"""GRD509 clip-scaled-gradients: clipping gradients still multiplied by the GradScaler's loss scale."""

from textwrap import dedent

from snippets import case_maker, rule_tests

CODE = "GRD509"
case = case_maker(CODE)

SETUP = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
"""

POSITIVES = [
    case(
        "clip-after-a-loop-of-scaled-micro-batch-backwards",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scaler = torch.cuda.amp.GradScaler()
        loader = [[(torch.randn(3, 4), torch.randn(3, 2))] * 2 for _ in range(3)]
        for batch in loader:
            optimizer.zero_grad()
            for x, y in batch:
                with torch.autocast("cuda"):
                    loss = nn.functional.mse_loss(model(x), y)
                scaler.scale(loss).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # expect: GRD509
            scaler.step(optimizer)
            scaler.update()
        """,
        [14],
    ),
    case(
        "scaler-made-in-init-under-a-flag",
        """\
        import torch

        class Trainer:
            def __init__(self, model, optimizer, use_amp):
                self.model = model
                self.optimizer = optimizer
                self.use_amp = use_amp
                if use_amp:
                    self.scaler = torch.amp.GradScaler("cuda")

            def run_batch(self, source, targets):
                _, loss = self.model(source, targets)
                self.optimizer.zero_grad(set_to_none=True)
                if self.use_amp:
                    self.scaler.scale(loss).backward()
                    torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)  # expect: GRD509
                    self.scaler.step(self.optimizer)
                    self.scaler.update()
        """,
        [16],
    ),
    case(
        "clip-norm-right-after-scaled-backward",
        SETUP
        + dedent("""\
        scaler = torch.amp.GradScaler("cuda")
        for step in range(5):
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            scaler.scale(loss).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # expect: GRD509
            scaler.step(optimizer)
            scaler.update()
        """),
        [11],
    ),
    case(
        "clip-value",
        SETUP
        + dedent("""\
        scaler = torch.amp.GradScaler()
        loss = model(torch.randn(8, 4)).pow(2).mean()
        scaler.scale(loss).backward()
        nn.utils.clip_grad_value_(model.parameters(), 0.5)  # expect: GRD509
        scaler.step(optimizer)
        """),
        [9],
    ),
    case(
        "imported-clip-function",
        """\
        import torch
        from torch.nn.utils import clip_grad_norm_

        model = torch.nn.Linear(4, 1)
        optimizer = torch.optim.AdamW(model.parameters())
        scaler = torch.cuda.amp.GradScaler()
        loss = model(torch.randn(8, 4)).sum()
        scaler.scale(loss).backward()
        clip_grad_norm_(model.parameters(), max_norm=1.0)  # expect: GRD509
        scaler.step(optimizer)
        scaler.update()
        """,
        [9],
    ),
    case(
        "scaler-enabled-literally",
        SETUP
        + dedent("""\
        scaler = torch.amp.GradScaler("cuda", enabled=True)
        loss = model(torch.randn(8, 4)).pow(2).mean()
        scaler.scale(loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # expect: GRD509
        """),
        [9],
    ),
    case(
        "scaler-enabled-by-a-flag-set-on-one-branch",
        SETUP
        + dedent("""\
        import argparse
        args = argparse.ArgumentParser().parse_args()
        if args.amp:
            scaler = torch.amp.GradScaler("cuda", enabled=args.amp)
        loss = model(torch.randn(8, 4)).pow(2).mean()
        scaler.scale(loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # expect: GRD509
        """),
        [12],
    ),
    case(
        "trainer-with-scaler-attribute",
        """\
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self):
                self.model = nn.Linear(4, 1)
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
                self.scaler = torch.amp.GradScaler("cuda")

            def step(self, x):
                self.optimizer.zero_grad()
                loss = self.model(x).pow(2).mean()
                self.scaler.scale(loss).backward()
                nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)  # expect: GRD509
                self.scaler.step(self.optimizer)
                self.scaler.update()
        """,
        [15],
    ),
    case(
        "accumulation-clip-without-unscale",
        SETUP
        + dedent("""\
        scaler = torch.amp.GradScaler("cuda")
        for i in range(8):
            loss = model(torch.randn(8, 4)).pow(2).mean() / 4
            scaler.scale(loss).backward()
            if (i + 1) % 4 == 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # expect: GRD509
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad()
        """),
        [11],
    ),
    case(
        "clip-submodule-module-path",
        """\
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scaler = torch.amp.GradScaler("cuda")
        loss = model(torch.randn(2, 4)).sum()
        scaler.scale(loss).backward()
        torch.nn.utils.clip_grad.clip_grad_norm_(model[0].parameters(), 1.0)  # expect: GRD509
        """,
        [9],
    ),
    case(
        "in-a-function-with-its-own-scaler",
        """\
        import torch


        def train(batches):
            model = torch.nn.Linear(4, 1)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            scaler = torch.amp.GradScaler("cuda")
            for x in batches:
                optimizer.zero_grad()
                with torch.autocast("cuda"):
                    loss = model(x).pow(2).mean()
                scaler.scale(loss).backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # expect: GRD509
                scaler.step(optimizer)
                scaler.update()
        """,
        [13],
    ),
]


# `if use_amp: self.scaler = GradScaler()` in `__init__`, when something else may set the field
SCALER_SET_ELSEWHERE = """\
import torch
from base import BaseTrainer

class Trainer({base}):
    {class_body}

    def __init__(self, model, optimizer, use_amp):
        self.model = model
        self.optimizer = optimizer
        if use_amp:
            self.scaler = torch.amp.GradScaler("cuda")

    def reset(self):
        {reset}

    def run_batch(self, source, targets):
        _, loss = self.model(source, targets)
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.scaler.step(self.optimizer)
        self.scaler.update()
"""


NEGATIVES = [
    case(
        "unscaled-after-a-loop-of-scaled-micro-batch-backwards",
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scaler = torch.cuda.amp.GradScaler()
        loader = [[(torch.randn(3, 4), torch.randn(3, 2))] * 2 for _ in range(3)]
        for batch in loader:
            optimizer.zero_grad()
            for x, y in batch:
                with torch.autocast("cuda"):
                    loss = nn.functional.mse_loss(model(x), y)
                scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(optimizer)
            scaler.update()
        """,
    ),
    case(
        "a-loop-of-scaled-backwards-after-a-helper-that-may-backpropagate",
        """\
        import torch
        import torch.nn as nn
        from helpers import warmup_step

        model = nn.Linear(4, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scaler = torch.cuda.amp.GradScaler()
        loader = [[(torch.randn(3, 4), torch.randn(3, 2))] * 2 for _ in range(3)]
        for batch in loader:
            optimizer.zero_grad()
            warmup_step(model, batch)
            for x, y in batch[1:]:
                loss = nn.functional.mse_loss(model(x), y)
                scaler.scale(loss).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(optimizer)
            scaler.update()
        """,
    ),
    case(
        "unscale-before-clip",
        SETUP
        + dedent("""\
        scaler = torch.amp.GradScaler("cuda")
        loss = model(torch.randn(8, 4)).pow(2).mean()
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        """),
    ),
    case(
        "unscale-inside-an-if-with-the-clip",
        SETUP
        + dedent("""\
        scaler = torch.amp.GradScaler("cuda")
        max_norm = 1.0
        for step in range(4):
            optimizer.zero_grad()
            loss = model(torch.randn(8, 4)).pow(2).mean()
            scaler.scale(loss).backward()
            if max_norm > 0:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            scaler.step(optimizer)
            scaler.update()
        """),
    ),
    case(
        "unscale-on-some-path-only",
        SETUP
        + dedent("""\
        scaler = torch.amp.GradScaler("cuda")
        loss = model(torch.randn(8, 4)).pow(2).mean()
        scaler.scale(loss).backward()
        if torch.cuda.is_available():
            scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        """),
    ),
    case(
        "scaler-disabled",
        SETUP
        + dedent("""\
        scaler = torch.amp.GradScaler(enabled=False)
        loss = model(torch.randn(8, 4)).pow(2).mean()
        scaler.scale(loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        """),
    ),
    case(
        "no-scaler-at-all",
        SETUP
        + dedent("""\
        loss = model(torch.randn(8, 4)).pow(2).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        """),
    ),
    case(
        "clip-after-the-scaler-step",
        SETUP
        + dedent("""\
        scaler = torch.amp.GradScaler("cuda")
        loss = model(torch.randn(8, 4)).pow(2).mean()
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        """),
    ),
    case(
        "clip-at-the-top-of-the-next-iteration-after-a-clear",
        SETUP
        + dedent("""\
        scaler = torch.amp.GradScaler("cuda")
        for step in range(3):
            optimizer.zero_grad()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            loss = model(torch.randn(8, 4)).pow(2).mean()
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            scaler.step(optimizer)
            scaler.update()
        """),
    ),
    case(
        "accelerate-clips-unscaled-gradients-itself",
        """\
        import torch
        from accelerate import Accelerator

        accelerator = Accelerator(mixed_precision="fp16")
        model = torch.nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        model, optimizer = accelerator.prepare(model, optimizer)
        loss = model(torch.randn(8, 4)).sum()
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        """,
    ),
]


NEGATIVES += [
    case(f"scaler-made-in-init-under-a-flag-{why}", SCALER_SET_ELSEWHERE.format(**parts))
    for why, parts in {
        "but-a-base-class-may-set-it": dict(base="BaseTrainer", class_body="pass", reset="pass"),
        "and-a-class-attribute": dict(base="object", class_body="scaler = None", reset="pass"),
        "and-another-method-replaces-it": dict(base="object", class_body="pass", reset="self.scaler = None"),
    }.items()
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
