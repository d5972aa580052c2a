import json
import os
import re
import subprocess
import sys
from pathlib import Path


from gradlint.rules import ALL_RULES
from gradlint.verify import expected_lines

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

BAD = "import torch\nw = torch.zeros(3, requires_grad=True)\nw += 1\n"
CLEAN = "import torch\nw = torch.zeros(3, requires_grad=True)\nwith torch.no_grad():\n    w += 1\n"


def gradlint(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "gradlint", *args], capture_output=True, text=True, cwd=cwd or ROOT
    )


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def _reported(result):
    reported = set()
    for line in result.stdout.splitlines():
        match = re.match(r"^(.*?):(\d+):(\d+): (GRD\d{3}) ", line)
        assert match, line
        reported.add((Path(match.group(1)).name, int(match.group(2)), match.group(4)))
    return reported


def _planted():
    return {
        (path.name, line, code)
        for path in EXAMPLES.rglob("*.py")
        for line, code in expected_lines(path.read_text())
    }


def test_examples_report_exactly_the_planted_pitfalls():
    result = gradlint("check", "examples")
    assert result.returncode == 1
    defaults = {rule.code for rule in ALL_RULES if rule.default_enabled()}
    planted = {p for p in _planted() if p[2] in defaults}
    assert len(planted) >= 10
    assert _reported(result) == planted


def test_examples_cover_every_rule_with_all_rules_selected():
    result = gradlint("check", "--select", "GRD", "examples")
    planted = _planted()
    assert _reported(result) == planted
    assert {code for _, _, code in planted} == {rule.code for rule in ALL_RULES}


def test_output_is_flake8_format_sorted_with_summary_on_stderr(tmp_path):
    write(tmp_path, "b.py", BAD)
    write(tmp_path, "a.py", BAD + "w *= 2\n")
    result = gradlint("check", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "a.py:3:1: GRD201 " + result.stdout.splitlines()[0].split(" GRD201 ", 1)[1],
        result.stdout.splitlines()[1],
        result.stdout.splitlines()[2],
    ]
    locations = [line.split(" ", 1)[0] for line in result.stdout.splitlines()]
    assert locations == ["a.py:3:1:", "a.py:4:1:", "b.py:3:1:"]
    assert "3 findings in 2 of 2 files" in result.stderr


def test_clean_code_exits_zero(tmp_path):
    write(tmp_path, "ok.py", CLEAN)
    result = gradlint("check", str(tmp_path))
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_exit_zero(tmp_path):
    path = write(tmp_path, "bad.py", BAD)
    result = gradlint("check", "--exit-zero", str(path))
    assert result.returncode == 0
    assert "GRD201" in result.stdout


def test_select_and_ignore_by_code_and_prefix(tmp_path):
    path = write(tmp_path, "bad.py", BAD + "y = w * 2\nprint(y.grad)\n")
    assert set(re.findall(r"GRD\d+", gradlint("check", str(path)).stdout)) == {"GRD201", "GRD301"}
    assert set(re.findall(r"GRD\d+", gradlint("check", "--select", "GRD3", str(path)).stdout)) == {"GRD301"}
    assert set(re.findall(r"GRD\d+", gradlint("check", "--ignore", "GRD201", str(path)).stdout)) == {"GRD301"}
    assert gradlint("check", "--select", "GRD2,GRD3", "--ignore", "GRD2,GRD3", str(path)).returncode == 0


def test_unknown_code_is_a_usage_error(tmp_path):
    path = write(tmp_path, "bad.py", BAD)
    result = gradlint("check", "--select", "GRD999", str(path))
    assert result.returncode == 2
    assert "GRD999" in result.stderr
    assert "Traceback" not in result.stderr


def test_json_format(tmp_path):
    path = write(tmp_path, "bad.py", BAD)
    result = gradlint("check", "--format", "json", str(path))
    assert result.returncode == 1
    [finding] = json.loads(result.stdout)
    assert finding["code"] == "GRD201"
    assert finding["name"] == "inplace-on-leaf"
    assert finding["severity"] == "error"
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (3, 1, 3, 7)
    assert finding["path"] == str(path)
    assert "no_grad" in finding["message"]


def test_noqa(tmp_path):
    source = BAD.replace("w += 1\n", "w += 1  # noqa\nw -= 1  # noqa: GRD301\nw *= 1  # noqa: GRD201,GRD301\nw /= 1  # noqa:GRD2\n")
    path = write(tmp_path, "bad.py", source)
    result = gradlint("check", str(path))
    assert [line.split(" ")[0] for line in result.stdout.splitlines()] == [f"{path}:4:1:"]


def test_missing_path_is_one_line_error_and_the_run_goes_on(tmp_path):
    real = write(tmp_path, "real.py", BAD)
    result = gradlint("check", str(tmp_path / "nope"), str(real))
    assert result.returncode == 2  # an error outranks findings
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert errors == [f"gradlint: error: no such file or directory: {tmp_path / 'nope'}"]
    assert [line.split(" ")[1] for line in result.stdout.splitlines()] == ["GRD201"]
    assert "Traceback" not in result.stderr


def test_bad_inputs_are_reported_and_the_run_goes_on(tmp_path):
    write(tmp_path, "a_syntax.py", "def broken(:\n    pass\n")
    write(tmp_path, "b_latin1.py", b"# caf\xe9\nx = 1\n")
    write(tmp_path, "c_binary.py", b"\x7fELF\x00\x00\x01torch")
    # an unknown codec is read as UTF-8 (as a codec registered at run time would see it): this is not
    write(tmp_path, "d_badcookie.py", b"# -*- coding: klingon -*-\nx = '\xff'\n")
    os.symlink(tmp_path / "missing-target.py", tmp_path / "e_dangling.py")
    write(tmp_path, "f_real.py", BAD)
    write(tmp_path, "g_bom_and_cookie.py", b"\xef\xbb\xbf# -*- coding: latin-1 -*-\nx = 1\n")
    result = gradlint("check", str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stdout.splitlines()
    by_file = {Path(line.split(":", 1)[0]).name: line for line in lines}
    assert set(by_file) == {
        "a_syntax.py", "b_latin1.py", "c_binary.py", "d_badcookie.py", "e_dangling.py", "f_real.py", "g_bom_and_cookie.py"
    }
    assert re.search(r"a_syntax.py:1:\d+: GRD001 syntax error", by_file["a_syntax.py"])
    assert "GRD001 cannot decode as utf-8" in by_file["b_latin1.py"]
    assert "GRD001 binary file" in by_file["c_binary.py"]
    assert "GRD001 cannot decode as utf-8" in by_file["d_badcookie.py"]
    assert "GRD001 cannot read" in by_file["e_dangling.py"]
    assert "GRD201" in by_file["f_real.py"]
    assert by_file["g_bom_and_cookie.py"].endswith(
        "GRD001 bad source encoding: the file starts with a UTF-8 byte-order mark but its coding cookie names "
        "another encoding"
    )


def test_declared_encoding_is_honoured(tmp_path):
    path = write(tmp_path, "latin.py", "# -*- coding: latin-1 -*-\n# caf\xe9\n".encode("latin-1") + BAD.encode())
    result = gradlint("check", str(path))
    assert "GRD201" in result.stdout
    assert "GRD001" not in result.stdout


def test_walk_skips_virtualenvs_and_build_dirs(tmp_path):
    for folder in ("build", "dist", ".git", "__pycache__", "myenv", "pkg"):
        (tmp_path / folder).mkdir()
        write(tmp_path / folder, "x.py", BAD)
    write(tmp_path / "myenv", "pyvenv.cfg", "home = /usr\n")
    write(tmp_path, "notes.txt", BAD)
    result = gradlint("check", str(tmp_path))
    assert [Path(line.split(":")[0]).relative_to(tmp_path).as_posix() for line in result.stdout.splitlines()] == [
        "pkg/x.py"
    ]


def test_parallel_output_equals_serial():
    targets = ["examples", "rules"]
    serial = gradlint("check", "--jobs", "1", *targets)
    parallel = gradlint("check", "--jobs", "2", *targets)
    assert serial.stdout and serial.stdout == parallel.stdout


def test_version_and_rules_listing():
    from gradlint import __version__

    assert __version__ in gradlint("--version").stdout
    listing = gradlint("rules").stdout
    for rule in ALL_RULES:
        assert rule.code in listing and rule.name in listing


def test_rule_page():
    result = gradlint("rule", "GRD201")
    assert result.returncode == 0
    for heading in ("What it does", "Why is this bad", "Example", "Use instead"):
        assert heading in result.stdout
    assert gradlint("rule", "GRD999").returncode == 2


def test_rendered_rule_docs_are_up_to_date():
    result = gradlint("docs", "--check")
    assert result.returncode == 0, f"run `gradlint docs` to update: {result.stderr}"
    page = (ROOT / "docs" / "rules" / "GRD201.md").read_text()
    assert "### bad.py" in page and "### good.py" in page and "Autofix" in page


def test_a_codec_registered_at_run_time_does_not_hide_the_file(tmp_path):
    """`# -*- coding: future_fstrings -*-` names a codec installed with its package (it rewrites
    f-strings on import); the file is UTF-8 Python and is linted."""
    source = "# -*- coding: future_fstrings -*-\nimport torch\nw = torch.randn(3, requires_grad=True)\nw += 1\n"
    write(tmp_path, "legacy.py", source.encode())
    result = gradlint("check", "--no-cache", str(tmp_path / "legacy.py"))
    assert "legacy.py:4:1: GRD201" in result.stdout, result.stdout + result.stderr
