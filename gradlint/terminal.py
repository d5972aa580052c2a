"""What a run gives back to the shell: its exit status, and the report on stdout, written so
that pipes and odd file names never end a run in a traceback.

A reader that stops early (``| head -1``) is not an error: the rest is dropped quietly.
File names that are not valid UTF-8 are printed as their original bytes, whatever the
locale.
"""

from __future__ import annotations

import os
import sys

#: flake8's convention: 1 when there are findings, 2 when the run itself failed
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def write_stdout(text: str) -> None:
    try:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except UnicodeEncodeError:
            _write_bytes(text)
    except BrokenPipeError:
        _silence_stdout()


def write_stdout_bytes(data: bytes) -> None:
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        _silence_stdout()


def _silence_stdout() -> None:
    # nothing more can be written; keep the interpreter's final flush from complaining
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _write_bytes(text: str) -> None:
    sys.stdout.flush()
    encoding = sys.stdout.encoding or "utf-8"
    try:
        data = text.encode(encoding, "surrogateescape")
    except UnicodeEncodeError:
        data = text.encode(encoding, "backslashreplace")
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
