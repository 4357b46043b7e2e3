"""The one exception type ocppgen raises for bad input, so the CLI can print it as one line."""

from __future__ import annotations

from pathlib import Path


class GeneratorError(Exception):
    """A problem in the input (schema folder, schema file, project data) that stops generation.

    ``path`` names the file and ``pointer`` the JSON pointer inside it, when they are known; the
    message is written for the person who has to fix the file.
    """

    def __init__(self, message: str, path: Path | str | None = None, pointer: str | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.pointer = pointer
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.pointer is not None:
                where += f"#{self.pointer or '/'}"
            where += ": "
        return where + self.message
