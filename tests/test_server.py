"""``gradlint server``: a real LSP session over stdio, JSON-RPC frames written by the test."""

import json
import queue
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("pygls", reason="the [lsp] extra is not installed")

BAD = "import torch\nw = torch.zeros(3, requires_grad=True)\nw += 1\n"
CLEAN = "import torch\nw = torch.zeros(3, requires_grad=True)\nwith torch.no_grad():\n    w += 1\n"
FREEZE = "import torch\nmodel = torch.nn.Linear(2, 2)\nmodel.requires_grad = False\n"
TIMEOUT = 30


class Client:
    """A minimal LSP client: frames out, a reader thread queueing every message in."""

    def __init__(self, cwd):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gradlint", "server"], cwd=cwd,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.messages = queue.Queue()
        self.next_id = 0
        self.notifications = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        stream = self.process.stdout
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            self.messages.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, message):
        body = json.dumps(dict(message, jsonrpc="2.0")).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def request(self, method, params):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        message = self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)
        assert "error" not in message, message
        return message["result"]

    def wait(self, predicate):
        deadline = time.monotonic() + TIMEOUT
        while True:
            for index, message in enumerate(self.notifications):
                if predicate(message):
                    return self.notifications.pop(index)
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no matching message in {TIMEOUT}s; stderr: {self._stderr()}"
            try:
                self.notifications.append(self.messages.get(timeout=remaining))
            except queue.Empty:
                pass

    def diagnostics(self, uri):
        message = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri)
        return message["params"]

    def _stderr(self):
        if self.process.poll() is None:
            return "(still running)"
        return self.process.stderr.read().decode(errors="replace")[-2000:]


def apply(text, edit):
    """Apply a WorkspaceEdit's single TextEdit to text (positions are UTF-16; the test text is ASCII)."""
    (change,) = edit["documentChanges"]
    (text_edit,) = change["edits"]
    lines = text.splitlines(keepends=True) + [""]
    start, end = text_edit["range"]["start"], text_edit["range"]["end"]
    begin = sum(len(l) for l in lines[: start["line"]]) + start["character"]
    finish = sum(len(l) for l in lines[: end["line"]]) + end["character"]
    # the same edit as the client sends it back: an incremental didChange
    return text[:begin] + text_edit["newText"] + text[finish:], {"range": text_edit["range"], "text": text_edit["newText"]}


@pytest.fixture
def client(tmp_path):
    client = Client(tmp_path)
    yield client
    if client.process.poll() is None:
        client.process.kill()
    client.process.wait(timeout=TIMEOUT)


def initialize(client, root):
    result = client.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    return result["capabilities"]


def test_a_session_diagnoses_fixes_suppresses_and_exits_cleanly(client, tmp_path):
    capabilities = initialize(client, tmp_path)
    assert capabilities["codeActionProvider"]
    uri = (tmp_path / "train.py").as_uri()

    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                            "text": BAD}})
    published = client.diagnostics(uri)
    (diagnostic,) = published["diagnostics"]
    assert diagnostic["code"] == "GRD201" and diagnostic["source"] == "gradlint"
    assert diagnostic["range"] == {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 6}}
    assert diagnostic["severity"] == 1
    assert diagnostic["codeDescription"]["href"].endswith("GRD201.md")

    # the fixed text: an empty list
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": CLEAN}]})
    assert client.diagnostics(uri) == {"uri": uri, "version": 2, "diagnostics": []}

    # a safe fix: offered as the preferred quick fix, applied by the client, then clean
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                             "contentChanges": [{"text": FREEZE}]})
    (diagnostic,) = client.diagnostics(uri)["diagnostics"]
    assert diagnostic["code"] == "GRD401"
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}})
    titles = [a["title"] for a in actions]
    assert titles == ["Fix GRD401", "Suppress GRD401 on this line (# noqa: GRD401)",
                      "Fix all safe gradlint findings (1)"]
    fix = actions[0]
    assert fix["kind"] == "quickfix" and fix["isPreferred"] is True
    fixed, text_edit = apply(FREEZE, fix["edit"])
    assert fixed == FREEZE.replace("model.requires_grad = False", "model.requires_grad_(False)")
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4},
                                             "contentChanges": [text_edit]})
    assert client.diagnostics(uri)["diagnostics"] == []

    # suppress on this line: adds the noqa comment, then clean
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 5},
                                             "contentChanges": [{"text": BAD}]})
    (diagnostic,) = client.diagnostics(uri)["diagnostics"]
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}})
    unsafe, suppress = actions
    assert unsafe["title"] == "Fix GRD201 (unsafe: may change behaviour)" and "isPreferred" not in unsafe
    suppressed, text_edit = apply(BAD, suppress["edit"])
    assert suppressed == BAD.replace("w += 1", "w += 1  # noqa: GRD201")
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 6},
                                             "contentChanges": [text_edit]})
    assert client.diagnostics(uri)["diagnostics"] == []

    # edits in quick succession: the stale version's result is never published
    for version, text in ((7, BAD), (8, FREEZE), (9, CLEAN)):
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"text": text}]})
    assert client.diagnostics(uri) == {"uri": uri, "version": 9, "diagnostics": []}

    # on save the document is linted again; "fix all" on request by kind, as editors do on save
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 10},
                                             "contentChanges": [{"text": FREEZE + FREEZE.splitlines()[-1] + "\n"}]})
    assert [d["code"] for d in client.diagnostics(uri)["diagnostics"]] == ["GRD401", "GRD401"]
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri)["version"] == 10
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": 5, "character": 0}}
    (fix_all,) = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll"]}})
    assert fix_all["kind"] == "source.fixAll.gradlint" and fix_all["title"] == "Fix all safe gradlint findings (2)"
    fixed, _ = apply(FREEZE + FREEZE.splitlines()[-1] + "\n", fix_all["edit"])
    assert fixed.count("model.requires_grad_(False)") == 2

    assert client.request("shutdown", None) is None
    client.notify("exit", None)
    assert client.process.wait(timeout=TIMEOUT) == 0


def test_nearest_config_and_notebook_cells(client, tmp_path):
    initialize(client, tmp_path)
    quiet = tmp_path / "quiet"
    quiet.mkdir()
    (quiet / "pyproject.toml").write_text('[tool.gradlint]\nignore = ["GRD201"]\n')
    adopted = tmp_path / "adopted"
    adopted.mkdir()
    (adopted / "pyproject.toml").write_text('[tool.gradlint]\nbaseline = "base.json"\n')
    (adopted / "a.py").write_text(BAD)
    subprocess.run([sys.executable, "-m", "gradlint", "check", "--write-baseline", "base.json", "."], cwd=adopted,
                   capture_output=True, check=True)
    loud_uri, quiet_uri, adopted_uri = (tmp_path / "a.py").as_uri(), (quiet / "a.py").as_uri(), (adopted / "a.py").as_uri()
    for uri in (quiet_uri, loud_uri, adopted_uri):
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                                "text": BAD}})
    assert client.diagnostics(quiet_uri)["diagnostics"] == []
    assert client.diagnostics(adopted_uri)["diagnostics"] == []  # recorded in the baseline
    client.notify("textDocument/didChange", {"textDocument": {"uri": adopted_uri, "version": 2},
                                             "contentChanges": [{"text": BAD + "w *= 2\n"}]})
    assert [d["range"]["start"]["line"] for d in client.diagnostics(adopted_uri)["diagnostics"]] == [3]
    assert [d["code"] for d in client.diagnostics(loud_uri)["diagnostics"]] == ["GRD201"]

    broken = (tmp_path / "broken.py").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": broken, "languageId": "python", "version": 1,
                                                            "text": "x = 1\ndef (:\n"}})
    (diagnostic,) = client.diagnostics(broken)["diagnostics"]
    assert diagnostic["code"] == "GRD001" and diagnostic["range"]["start"]["line"] == 1
    assert diagnostic["range"]["end"] == {"line": 1, "character": 6} and "codeDescription" not in diagnostic

    notebook = (tmp_path / "nb.ipynb").as_uri()
    cells = [f"vscode-notebook-cell:{tmp_path / 'nb.ipynb'}#cell{n}" for n in (1, 2)]
    client.notify("notebookDocument/didOpen", {
        "notebookDocument": {"uri": notebook, "notebookType": "jupyter-notebook", "version": 1,
                             "cells": [{"kind": 2, "document": c} for c in cells]},
        "cellTextDocuments": [
            {"uri": cells[0], "languageId": "python", "version": 1, "text": BAD.replace("w += 1\n", "")},
            {"uri": cells[1], "languageId": "python", "version": 1, "text": "print(w)\nw += 1\n"},
        ],
    })
    first, second = client.diagnostics(cells[0]), client.diagnostics(cells[1])
    assert first["diagnostics"] == []
    (diagnostic,) = second["diagnostics"]
    assert diagnostic["code"] == "GRD201" and diagnostic["range"]["start"] == {"line": 1, "character": 0}
    client.request("shutdown", None)
    client.notify("exit", None)
    assert client.process.wait(timeout=TIMEOUT) == 0


def test_a_crash_in_one_document_is_a_log_message(monkeypatch):
    """The analysis of one document raises: the server logs it and keeps serving."""
    import asyncio

    from pygls.workspace import Workspace

    from gradlint.server import lsp

    def explode(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(lsp, "_lint", explode)
    server = lsp.create_server()
    server.protocol._workspace = Workspace(None)
    server.workspace.put_text_document(lsp.types.TextDocumentItem(uri="file:///x.py", language_id="python",
                                                                  version=1, text=BAD))
    logged, published = [], []
    monkeypatch.setattr(server, "window_log_message", logged.append)
    monkeypatch.setattr(server, "text_document_publish_diagnostics", published.append)
    asyncio.run(server._analyse("file:///x.py", 0))
    assert published == []
    assert len(logged) == 1 and "boom" in logged[0].message and logged[0].type == lsp.types.MessageType.Error


def test_without_the_extra_the_command_says_how_to_install_it(tmp_path):
    blocker = tmp_path / "pygls"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('not installed')\n")
    import os

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, "-m", "gradlint", "server"], capture_output=True, text=True, env=env,
                            stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    assert result.returncode == 2
    assert "pip install" in result.stderr and "[lsp]" in result.stderr
    assert len(result.stderr.splitlines()) == 1
