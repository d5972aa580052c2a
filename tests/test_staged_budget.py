"""Running out of time loses precision, not findings: a file whose full analysis overruns is
analysed again function by function, with a note, and only a file that overruns that too is lost.

No test here depends on timing: the budget's expiry is raised where the work it cuts happens.
"""

from pathlib import Path

from click.testing import CliRunner

from gradlint import cli, runner, staged_budget
from gradlint.analysis import callers, imports
from gradlint.analysis.project import forget_projects
from gradlint.cache import Cache
from gradlint.limits import OutOfTime
from gradlint.rules import ALL_RULES
from gradlint.runner import Limits, lint_file, lint_files

from snippets import write_project

# GRD201 is the file's own (a leaf changed in place); GRD501 needs the caller in main.py, which
# passes an optimizer (the parameter's name alone does not tell)
TRAINER = """\
    import torch

    w = torch.zeros(3, requires_grad=True)
    w += 1


    def train(model, loader, updater):
        for x, y in loader:
            loss = (model(x) - y).pow(2).mean()
            loss.backward()
            updater.step()
    """

MAIN = """\
    import torch
    from trainer import train

    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    train(model, [(torch.randn(2, 4), torch.randn(2, 2))], optimizer)
    """

FULL = [(4, "GRD201"), (11, "GRD501")]
LOCAL = [(4, "GRD201")]


def _project(tmp_path):
    write_project(tmp_path, {"trainer.py": TRAINER, "main.py": MAIN})
    forget_projects()
    staged_budget.taken_notes()  # none left by an earlier test
    return tmp_path / "trainer.py"


def _pairs(findings):
    return sorted((f.line, f.code) for f in findings)


def _callers_out_of_time(monkeypatch):
    """The file's budget runs out while its callers are analysed (where it would on a large project)."""
    real = callers.contexts_from_callers

    def harvest(path, text):
        if path.endswith("trainer.py") and not imports.out_of_time():
            raise OutOfTime()
        return real(path, text)

    import gradlint.analysis.analyzer as analyzer

    monkeypatch.setattr(analyzer, "contexts_from_callers", harvest)


def _rules():
    return [rule for rule in ALL_RULES if rule.code in ("GRD201", "GRD501")]


def test_the_full_analysis_finds_both(tmp_path):
    path = _project(tmp_path)
    assert _pairs(lint_file(str(path), _rules())) == FULL
    assert staged_budget.taken_notes() == []


def test_a_file_whose_full_analysis_runs_out_keeps_its_local_findings(tmp_path, monkeypatch):
    path = _project(tmp_path)
    _callers_out_of_time(monkeypatch)
    assert _pairs(lint_file(str(path), _rules())) == LOCAL
    [(noted, note)] = staged_budget.taken_notes()
    assert noted == str(path)
    assert note.startswith("linted function by function: its full analysis took longer than 45 s of CPU time")


def test_a_fallback_result_is_not_cached_as_a_full_one(tmp_path, monkeypatch):
    path = _project(tmp_path)
    cache = Cache(str(tmp_path / "cache"), [rule.code for rule in _rules()])
    with monkeypatch.context() as patched:
        _callers_out_of_time(patched)
        assert _pairs(lint_file(str(path), _rules(), cache)) == LOCAL
    forget_projects()
    assert _pairs(lint_file(str(path), _rules(), cache)) == FULL
    # and the full result is kept: the next run answers from the cache, without linting
    monkeypatch.setattr(runner, "lint_bytes", _never)
    assert _pairs(lint_file(str(path), _rules(), cache)) == FULL


def _never(*args):
    raise AssertionError("linted again")


def test_whole_program_work_cut_in_place_is_noted_and_not_cached(tmp_path, monkeypatch):
    path = _project(tmp_path)
    cache = Cache(str(tmp_path / "cache"), [rule.code for rule in _rules()])
    monkeypatch.setattr(imports, "WHOLE_PROGRAM_SECONDS", -1.0)
    assert _pairs(lint_file(str(path), _rules(), cache)) == LOCAL
    [(_, note)] = staged_budget.taken_notes()
    assert note.startswith("its whole-program analysis stopped after -1 s")
    monkeypatch.setattr(imports, "WHOLE_PROGRAM_SECONDS", 10.0)
    forget_projects()
    assert _pairs(lint_file(str(path), _rules(), cache)) == FULL
    assert staged_budget.taken_notes() == []


def test_the_whole_program_share_scales_with_the_file_budget(tmp_path, monkeypatch):
    seen = []
    before = imports._STAGE[:]
    staged_budget.staged_lint(lambda: seen.append(imports._STAGE[0]) or [], 6.0)
    staged_budget.staged_lint(lambda: seen.append(imports._STAGE[0]) or [], 600.0)
    staged_budget.staged_lint(lambda: seen.append(imports._STAGE[0]) or [], None)
    assert seen == [1.0, imports.WHOLE_PROGRAM_SECONDS, None]
    assert imports._STAGE == before  # restored after each stage


def test_the_second_stage_has_no_whole_program_work_and_the_rest_of_the_budget():
    stages = []

    def lint():
        imports.start_file()
        stages.append(imports.out_of_time())
        if len(stages) == 1:
            raise OutOfTime()
        return ["found"]

    assert staged_budget.staged_lint(lint, 60.0) == (["found"], staged_budget._fallback_note(45.0, 60.0))
    assert stages == [False, True]


def test_only_a_file_that_overruns_both_stages_gets_the_timeout_finding(tmp_path, monkeypatch):
    path = _project(tmp_path)
    calls = []

    def overrun(*args):
        calls.append(1)
        raise OutOfTime()

    monkeypatch.setattr(runner, "lint_bytes", overrun)
    [finding] = lint_file(str(path), _rules(), limits=Limits(file_timeout=8.0))
    assert (finding.code, finding.message) == ("GRD001", "not linted: took longer than 8 s of CPU time (--file-timeout)")
    assert len(calls) == 2
    assert staged_budget.taken_notes() == []


def test_the_wall_backstop_is_not_retried(tmp_path, monkeypatch):
    path = _project(tmp_path)
    calls = []

    def blocked(*args):
        calls.append(1)
        raise OutOfTime(on_the_clock=True)

    monkeypatch.setattr(runner, "lint_bytes", blocked)
    [finding] = lint_file(str(path), _rules(), limits=Limits(file_timeout=8.0))
    assert finding.message.startswith("not linted: not done after 40 s on the clock")
    assert len(calls) == 1


def test_a_worker_sends_its_notes_to_the_parent(tmp_path, monkeypatch):
    path = _project(tmp_path)
    (tmp_path / "other.py").write_text("import torch\nv = torch.ones(2, requires_grad=True)\nv.add_(1)\n")
    _callers_out_of_time(monkeypatch)
    found = lint_files([str(path), str(tmp_path / "other.py")], _rules(), jobs=2)
    assert [(Path(f.path).name, f.line, f.code) for f in found] == [("other.py", 3, "GRD201"), ("trainer.py", 4, "GRD201")]
    assert [Path(noted).name for noted, _ in staged_budget.taken_notes()] == ["trainer.py"]


def test_the_cli_says_the_note_on_stderr_even_quiet_and_does_not_fail_the_run(tmp_path, monkeypatch):
    write_project(tmp_path, {"trainer.py": TRAINER.replace("w += 1", ""), "main.py": MAIN})
    forget_projects()
    staged_budget.taken_notes()
    monkeypatch.setattr(imports, "WHOLE_PROGRAM_SECONDS", -1.0)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, ["check", "--no-cache", "-q", "trainer.py"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("gradlint: note: trainer.py: its whole-program analysis stopped after")
    assert len(result.stderr.splitlines()) == 1  # (-q: no summary line)


def test_the_cheaper_stage_gets_what_the_full_one_left(monkeypatch):
    """With a fake clock: the full stage spends 50 of 60 s of CPU and 70 of 300 s on the clock."""
    import contextlib

    budgets = []
    clock = {"cpu": 100.0, "wall": 1000.0}

    @contextlib.contextmanager
    def recorded(seconds, wall_seconds=None):
        budgets.append((seconds, wall_seconds))
        yield

    monkeypatch.setattr(staged_budget, "time_budget", recorded)
    monkeypatch.setattr(staged_budget.time, "process_time", lambda: clock["cpu"])
    monkeypatch.setattr(staged_budget.time, "monotonic", lambda: clock["wall"])

    def lint():
        if len(budgets) == 1:
            clock["cpu"] += 50.0
            clock["wall"] += 70.0
            raise OutOfTime()
        return []

    assert staged_budget.staged_lint(lint, 60.0)[0] == []
    assert budgets == [(45.0, 300.0), (10.0, 230.0)]


# a helper of the file that only checks `result` and returns a graph of its own: the second backward()
# is through a fresh graph; unwalked, its result must stay unknown, not "computed from every argument"
CHECKED_HELPER = """\
    import torch


    def reference(result, a):
        assert result.dtype == a.dtype
        return a * 2


    def test():
        a = torch.randn(3, requires_grad=True)
        out = a * 3
        ref_a = a.detach().clone().requires_grad_(True)
        ref_out = reference(out, ref_a)
        out.sum().backward()
        ref_out.sum().backward()
    """

CHECKED_METHOD = """\
    import torch


    class Check:
        def reference(self, result, a):
            assert result.dtype == a.dtype
            return a * 2

        def test(self):
            a = torch.randn(3, requires_grad=True)
            out = a * 3
            ref_a = a.detach().clone().requires_grad_(True)
            ref_out = self.reference(out, ref_a)
            out.sum().backward()
            ref_out.sum().backward()
    """


def _backward_twice(source):
    import textwrap

    from gradlint.engine import lint_text
    from gradlint.rules import BY_CODE

    return [(f.line, f.code) for f in lint_text(textwrap.dedent(source), "check.py", [BY_CODE["GRD504"]])]


def test_a_call_the_cheaper_stage_does_not_walk_adds_no_false_positive(monkeypatch):
    """Evidence: torchao test_fp8_grouped_mm.py:108 (`_compute_reference_forward(out, ...)` only
    compares `out`), reported only with the whole-program work cut."""
    for source in (CHECKED_HELPER, CHECKED_METHOD):
        assert _backward_twice(source) == []
    monkeypatch.setattr(imports, "WHOLE_PROGRAM_SECONDS", -1.0)
    for source in (CHECKED_HELPER, CHECKED_METHOD):
        assert _backward_twice(source) == []


def test_a_call_past_the_walk_bound_adds_no_false_positive(monkeypatch):
    from gradlint.analysis import calls

    monkeypatch.setattr(calls, "MAX_INLINE_WALKS", 0)
    for source in (CHECKED_HELPER, CHECKED_METHOD):
        assert _backward_twice(source) == []


def test_a_helper_whose_result_is_built_on_its_argument_is_still_reported():
    built_on = CHECKED_HELPER.replace("return a * 2", "return result * a")
    assert _backward_twice(built_on) == [(15, "GRD504")]
    assert _backward_twice(CHECKED_METHOD.replace("return a * 2", "return result * a")) == [(15, "GRD504")]
