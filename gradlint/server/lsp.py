"""``gradlint server``: the Language Server, on pygls.

Analysis never runs on the event loop: each document's lint runs in a worker thread
after a short debounce, and its result is published only if the document is still at
the version that was analysed (a newer edit supersedes it). A crash while linting one
document is logged to the client and costs only that document's diagnostics.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Tuple

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..reporting import help_uri
from ..rule import Finding
from ..rules import BY_CODE
from . import lint

SOURCE = "gradlint"
DEBOUNCE_SECONDS = 0.3
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
FIX_ALL_KIND = types.CodeActionKind.SourceFixAll + ".gradlint"
_NOTEBOOKS = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(
            cells=[types.NotebookCellLanguage(language="python")], notebook="jupyter-notebook"
        )
    ],
    save=True,
)


class GradlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("gradlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         notebook_document_sync=_NOTEBOOKS)
        # one worker: the analysis keeps per-process caches (the project model) that are not
        # meant to be shared between threads; the event loop stays free either way
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradlint-lint")
        self.pending: Dict[str, asyncio.Task] = {}
        #: the findings last published, by document uri: code actions are computed from them
        self.published: Dict[str, List[Finding]] = {}
        self.problems_logged: set = set()

    def schedule(self, uri: str, delay: float = 0.0) -> None:
        """(Re)start the analysis of a text document or notebook; an older pending one is cancelled."""
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.get_running_loop().create_task(self._analyse(uri, delay))

    def _snapshot(self, uri: str) -> Optional[Tuple[object, list]]:
        """(version, what to lint): one text, or a notebook's (cell uri, text) pairs."""
        notebook = self.workspace.get_notebook_document(notebook_uri=uri)
        if notebook is not None:
            cells = [(c.document, self.workspace.get_text_document(c.document).source) for c in notebook.cells
                     if c.kind == types.NotebookCellKind.Code]
            return notebook.version, cells
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        return document.version, [(uri, document.source)]

    async def _analyse(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        snapshot = self._snapshot(uri)
        if snapshot is None:
            return
        version, parts = snapshot
        notebook = self.workspace.get_notebook_document(notebook_uri=uri) is not None
        try:
            results = await asyncio.get_running_loop().run_in_executor(self.executor, _lint, uri, parts, notebook)
            current = self._snapshot(uri)
            if current is None or current[0] != version:
                return  # stale: a newer version is (or will be) analysed
            self._publish(results, parts, None if notebook else version)
        except Exception as exc:  # a crash in one document must not take the server down
            self.window_log_message(
                types.LogMessageParams(types.MessageType.Error, f"gradlint: linting {uri} failed: {exc!r}")
            )
        finally:
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]

    def _publish(self, results, parts: list, version: Optional[int]) -> None:
        findings_by_uri, problem = results
        if problem and problem not in self.problems_logged:
            self.problems_logged.add(problem)
            self.window_log_message(types.LogMessageParams(types.MessageType.Warning, f"gradlint: {problem}"))
        for part_uri, text in parts:
            findings = findings_by_uri.get(part_uri, [])
            self.published[part_uri] = findings
            lines = text.splitlines() or [""]
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=part_uri,
                    version=version,
                    diagnostics=[self.diagnostic(f, lines) for f in findings],
                )
            )

    def diagnostic(self, finding: Finding, lines: List[str]) -> types.Diagnostic:
        start = _position(finding.line, finding.column, lines)
        if (finding.end_line, finding.end_column) > (finding.line, finding.column):
            end = _position(finding.end_line, finding.end_column, lines)
        else:  # engine errors locate a point: underline the rest of the line
            end = _position(finding.line, len(lines[min(finding.line, len(lines)) - 1]) + 1, lines)
        codec = self.workspace.position_codec
        return types.Diagnostic(
            range=types.Range(codec.position_to_client_units(lines, start), codec.position_to_client_units(lines, end)),
            message=finding.message,
            severity=_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
            code=finding.code,
            code_description=types.CodeDescription(href=help_uri(finding.code)) if finding.code in BY_CODE else None,
            source=SOURCE,
            data={"fix": finding.fix},
        )

    def code_actions(self, params: types.CodeActionParams, text: str, version, findings: List[Finding],
                     notebook: bool) -> List[types.CodeAction]:
        """Runs in a worker thread on a snapshot of the document: fixes re-lint the text."""
        uri = params.text_document.uri
        settings = lint.settings_for(lint.path_of(uri))
        codec = self.workspace.position_codec
        lines = text.splitlines() or [""]
        quick_fixes = _wanted(params.context.only, types.CodeActionKind.QuickFix)
        actions: List[types.CodeAction] = []
        for finding in findings:
            start = codec.position_to_client_units(lines, _position(finding.line, finding.column, lines))
            if not quick_fixes or not params.range.start.line <= start.line <= params.range.end.line:
                continue
            if finding.fix and not notebook:  # a cell alone is not the program its finding was made in
                new_text = lint.fix_one(text, finding, settings.rules)
                if new_text is not None:
                    safe = finding.fix == "safe"
                    title = f"Fix {finding.code}" + ("" if safe else " (unsafe: may change behaviour)")
                    actions.append(self._action(uri, version, text, new_text, title, types.CodeActionKind.QuickFix,
                                                safe, finding))
            suppressed = lint.suppress(text, finding.line, finding.code)
            if suppressed is not None:
                title = f"Suppress {finding.code} on this line (# noqa: {finding.code})"
                actions.append(self._action(uri, version, text, suppressed, title, types.CodeActionKind.QuickFix,
                                            False, finding))
        if not notebook and any(f.fix == "safe" for f in findings):
            # source.fixAll only when asked for by kind (editors do on save); else one more quick fix
            only = params.context.only
            kinds = [k for k in (types.CodeActionKind.QuickFix, FIX_ALL_KIND) if only and _wanted(only, k)]
            kinds = kinds if only else [types.CodeActionKind.QuickFix]
            if actions or FIX_ALL_KIND in kinds:
                from ..fixer import fix_text

                fixed, count = fix_text(text, lint.path_of(uri), settings.rules, False)
                for kind in kinds if count and fixed != text else ():
                    if kind == FIX_ALL_KIND or actions:
                        title = f"Fix all safe gradlint findings ({count})"
                        actions.append(self._action(uri, version, text, fixed, title, kind, False, None))
        return actions

    def _action(self, uri, version, old, new, title, kind, preferred, finding) -> types.CodeAction:
        start, end, replacement = lint.minimal_edit(old, new)
        lines = old.splitlines() or [""]
        codec = self.workspace.position_codec
        edit_range = types.Range(
            codec.position_to_client_units(lines, types.Position(*lint.offset_to_position(old, start))),
            codec.position_to_client_units(lines, types.Position(*lint.offset_to_position(old, end))),
        )
        document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        edit = types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=document,
                                                     edits=[types.TextEdit(range=edit_range, new_text=replacement)])]
        )
        diagnostics = None
        if finding is not None:
            lines_now = old.splitlines() or [""]
            diagnostics = [self.diagnostic(finding, lines_now)]
        return types.CodeAction(title=title, kind=kind, edit=edit, is_preferred=preferred or None,
                                diagnostics=diagnostics)


def _lint(uri: str, parts: list, notebook: bool):
    """Runs in a worker thread: ({uri: findings}, configuration problem)."""
    settings = lint.settings_for(lint.path_of(uri))
    if notebook:
        return lint.lint_cells(parts, lint.path_of(uri), settings), settings.problem
    (_, text), = parts
    return {uri: lint.lint_document(text, lint.path_of(uri), settings)}, settings.problem


def _position(line: int, column: int, lines: List[str]) -> types.Position:
    """1-based line and column in code points -> a 0-based position, clamped into the text."""
    line_index = min(max(line, 1), len(lines)) - 1
    return types.Position(line=line_index, character=min(max(column - 1, 0), len(lines[line_index])))


def _wanted(only: Optional[List[str]], kind: str) -> bool:
    return not only or any(kind == k or kind.startswith(k + ".") for k in only)


def create_server() -> GradlintServer:
    server = GradlintServer()

    async def text_event(ls: GradlintServer, params) -> None:
        uri = params.text_document.uri
        if ls.workspace.get_notebook_document(cell_uri=uri) is None:  # cells are linted with their notebook
            ls.schedule(uri, DEBOUNCE_SECONDS if isinstance(params, types.DidChangeTextDocumentParams) else 0.0)

    async def notebook_event(ls: GradlintServer, params) -> None:
        delay = DEBOUNCE_SECONDS if isinstance(params, types.DidChangeNotebookDocumentParams) else 0.0
        ls.schedule(params.notebook_document.uri, delay)

    for method in (types.TEXT_DOCUMENT_DID_OPEN, types.TEXT_DOCUMENT_DID_CHANGE, types.TEXT_DOCUMENT_DID_SAVE):
        server.feature(method)(text_event)
    for method in (types.NOTEBOOK_DOCUMENT_DID_OPEN, types.NOTEBOOK_DOCUMENT_DID_CHANGE,
                   types.NOTEBOOK_DOCUMENT_DID_SAVE):
        server.feature(method)(notebook_event)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: GradlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = ls.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.published.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    async def notebook_close(ls: GradlintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        for cell in params.cell_text_documents:
            ls.published.pop(cell.uri, None)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=cell.uri, diagnostics=[]))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    async def code_action(ls: GradlintServer, params: types.CodeActionParams):
        uri = params.text_document.uri
        document = ls.workspace.get_text_document(uri)
        notebook = ls.workspace.get_notebook_document(cell_uri=uri) is not None
        snapshot = (params, document.source, document.version, list(ls.published.get(uri, [])), notebook)
        try:
            return await asyncio.get_running_loop().run_in_executor(ls.executor, ls.code_actions, *snapshot)
        except Exception as exc:  # never fail the request for one document's problem
            ls.window_log_message(
                types.LogMessageParams(types.MessageType.Error, f"gradlint: code actions failed: {exc!r}")
            )
            return []

    return server


def serve() -> None:
    logging.basicConfig(level=logging.WARNING, format="gradlint server: %(message)s")
    create_server().start_io()
