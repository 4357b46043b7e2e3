"""Find the Python code blocks of the project's Markdown files, and which of them are fragments.

The convention (docs/README.md): every fenced block whose info string starts with ``python`` (or
``py``/``python3``) is a complete program that runs as written, unless the line just before its opening
fence (blank lines allowed between) is an HTML comment starting with ``<!-- fragment``, e.g.
``<!-- fragment -->`` or ``<!-- fragment: needs a running CSMS -->``. A fragment is only compiled.
The comment is invisible on GitHub and on the documentation site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PYTHON_LANGS = frozenset({"python", "py", "python3"})
FRAGMENT = re.compile(r"^\s*<!--\s*fragment\b")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
SKIP_DIRS = frozenset({"site", "build", "dist", "node_modules"})


@dataclass(frozen=True)
class CodeBlock:
    """One fenced Python block: where it starts (1-based line of its first code line) and its text."""

    path: Path
    line: int
    code: str
    fragment: bool

    def where(self, root: Path) -> str:
        return f"{self.path.relative_to(root)}:{self.line}"


def markdown_files(root: Path) -> list[Path]:
    """README.md, CHANGELOG.md and every other Markdown file of the project (not venvs or build output)."""
    found = []
    for path in sorted(root.rglob("*.md")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") or p in SKIP_DIRS or p.endswith(".egg-info") for p in parts[:-1]):
            continue
        found.append(path)
    return found


def python_blocks(path: Path) -> list[CodeBlock]:
    """The Python blocks of one Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[CodeBlock] = []
    i = 0
    previous = ""  # the last non-blank line outside a block
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match is None:
            if lines[i].strip():
                previous = lines[i]
            i += 1
            continue
        indent, fence, info = match["indent"], match["fence"], match["info"].strip()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not re.match(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[j]):
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        words = info.split()
        if words and words[0].lower() in PYTHON_LANGS:
            fragment = bool(FRAGMENT.match(previous))
            blocks.append(CodeBlock(path, i + 2, "\n".join(body) + "\n", fragment))
        previous = ""
        i = j + 1
    return blocks
