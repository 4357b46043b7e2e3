"""Run by `make install` with $(PYTHON): is this Python supported, and was the venv built by it?

Prints at most one line. Exit status 1 (make stops) for an unsupported Python; a venv built by another
Python version, or a broken one, is removed so that make rebuilds it. Standard library only: it runs
before the venv exists.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

OLDEST = (3, 11)
NEWEST_TESTED = (3, 13)


def venv_version(venv: Path) -> str | None:
    """The ``major.minor`` version recorded in ``venv/pyvenv.cfg``, or None when there is no usable venv."""
    cfg = venv / "pyvenv.cfg"
    if not cfg.is_file():
        return None
    for line in cfg.read_text(encoding="utf-8", errors="replace").splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version", "version_info"):
            return ".".join(value.strip().split(".")[:2])
    return None


def main(venv: Path) -> int:
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if sys.version_info[:2] < OLDEST:
        print(
            f"make: {sys.executable} is Python {here}; ocppwire needs 3.11 or newer "
            "(e.g. `PYTHON=python3.12 make test`)",
            file=sys.stderr,
        )
        return 1
    if sys.version_info[:2] > NEWEST_TESTED:
        print(f"make: note: Python {here} is newer than the versions tested (3.11-3.13)", file=sys.stderr)
    if not venv.exists():
        return 0
    built = venv_version(venv)
    python = venv / "bin" / "python"
    if built is None or not python.exists():
        print(f"make: {venv} is not a usable venv; removing it and building a new one with Python {here}")
        shutil.rmtree(venv)
    elif built != here:
        print(
            f"make: {venv} was built with Python {built}, PYTHON is {here}: rebuilding it "
            f"(to keep both, use VENV=.venv-{here}; `make clean` removes {venv})"
        )
        shutil.rmtree(venv)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".venv")))
