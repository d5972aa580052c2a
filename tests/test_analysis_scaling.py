"""The analysis' cost grows with the size of the file, not with its square."""

import random

from gradlint.analysis import analyzer, state
from gradlint.analysis.state import Env
from gradlint.engine import lint_text
from gradlint.rules import ALL_RULES


def test_rebinding_a_name_does_not_look_at_every_bound_name(monkeypatch):
    """A notebook binds tens of thousands of names: each binding used to scan them all
    for the paths under it (x.a, x.b.c), which made 20,000 cells take over a minute."""

    class Watched(Env):
        scans = 0

        def __iter__(self):
            Watched.scans += 1
            return super().__iter__()

    monkeypatch.setattr(analyzer, "Env", Watched)
    monkeypatch.setattr(state, "Env", Watched)
    names = "".join(f"x{i} = torch.ones(1)\n" for i in range(2000))
    source = "import torch\nw = torch.zeros(3, requires_grad=True)\nw.a = 1\n" + names + "w = 2\nw += 1\n"
    assert [f.code for f in lint_text(source, "m.py", ALL_RULES)] == []  # w.a went with the old w
    assert 0 < Watched.scans < 20


def test_env_knows_what_is_under_each_path():
    keys = ["a", "a.b", "a.b.c", "a.bc", "b", "b.a", "a..b", ".a", "a.", "x"]
    operations = ["set", "del", "pop", "popitem", "setdefault", "update", "ior", "copy", "clear"]
    chooser = random.Random(11)
    for _ in range(300):
        env, plain = Env({"a.x": 1}), {"a.x": 1}
        for _ in range(30):
            operation, key = chooser.choice(operations), chooser.choice(keys)
            if operation == "set":
                env[key] = plain[key] = 1
            elif operation == "del" and key in plain:
                del env[key], plain[key]
            elif operation == "pop":
                assert env.pop(key, None) == plain.pop(key, None)
            elif operation == "popitem" and plain:
                plain.pop(env.popitem()[0])
            elif operation == "setdefault":
                assert env.setdefault(key, 2) == plain.setdefault(key, 2)
            elif operation == "update":
                env.update({key: 3}), plain.update({key: 3})
            elif operation == "ior":
                env |= {key: 4}
                plain |= {key: 4}
            elif operation == "copy":
                env = env.copy()
            elif operation == "clear" and chooser.random() < 0.1:
                env.clear(), plain.clear()
            assert env == plain and type(env) is Env
            for path in ["a", "a.b", "a.bc", "b", "", "a.", "c", "."]:
                assert env.has_under(path) == any(k.startswith(path + ".") for k in plain), (path, plain)
