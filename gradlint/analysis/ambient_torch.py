"""``torch`` used by a file that never binds it: the name comes from where the file runs.

A notebook exported one cell per file, a course's snippet meant to run after another
(``pre_training.py`` is ``optimizer = torch.optim.AdamW(model.parameters())`` and its loop, the
imports in an earlier cell), code pasted from a script: the file reads ``torch.`` without importing
it, assigning it or star-importing it. Run on its own it raises NameError at the first use; it only
runs where ``torch`` was imported before it, so the name is the torch package. (A star import of a
file that is not available already stands for it: ``statements._small_importfrom``.) Other names
such a file leaves unbound (``nn``, ``F``, ``optim``) are not guessed: they vary between projects.
"""

import re

_USES = re.compile(r"(?<![\w.])torch\.")
#: any binding of the name at any depth: an import of torch or as torch, an assignment, a def,
#: a class, a loop or with target, a parameter (``def f(torch)``), a star import
_BINDS = re.compile(
    r"(?m)^\s*(?:import\s+torch\b|from\s+torch\b)|\bas\s+torch\b|(?<![\w.])torch\s*(?::[^=\n]*)?=(?!=)"
    r"|\b(?:def|class)\s+torch\b|\bfor\s+torch\b|[(,]\s*torch\s*[,):=]|\bimport\s+\*|\bglobal\s+torch\b"
)


def ambient_torch(text: str) -> bool:
    """The file uses ``torch.`` and binds the name nowhere."""
    return bool(_USES.search(text)) and not _BINDS.search(text)
