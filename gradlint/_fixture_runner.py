"""Run one fixture program and record how it ended (used by ``gradlint verify``).

Usage: python -m gradlint._fixture_runner FIXTURE.py RESULT.json
"""

import json
import runpy
import sys
import warnings


def main(fixture: str, result_path: str) -> None:
    try:
        # what importing torch itself says about the environment is not the fixture's doing
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import torch  # noqa: F401
    except ImportError:
        pass
    result = {"outcome": "ok"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            runpy.run_path(fixture, run_name="__main__")
        except SystemExit as exc:
            if exc.code not in (None, 0):
                result = {"outcome": "raised", "type": "SystemExit", "message": str(exc.code)}
        except BaseException as exc:  # the point is to observe whatever the fixture raises
            result = {"outcome": "raised", "type": type(exc).__name__, "message": str(exc)}
    result["warnings"] = [
        {"category": w.category.__name__, "message": str(w.message), "filename": w.filename} for w in caught
    ]
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
