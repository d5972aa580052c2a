"""``gradlint server``: a Language Server over stdio (needs the optional ``[lsp]`` extra)."""

from __future__ import annotations

INSTALL_HINT = "gradlint server needs pygls: pip install 'torch-gradlint[lsp]' (or pip install 'pygls>=2,<3')"


def available() -> bool:
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        return False
    return True


def serve() -> None:
    from .lsp import serve as serve_stdio

    serve_stdio()
