"""No merge-conflict markers left in the project's tracked text files (a README once shipped with two)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)
TEXT = (".md", ".py", ".toml", ".yml", ".yaml", ".j2", ".cfg", ".txt", ".json")


def test_no_conflict_markers_in_tracked_files() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    found = []
    for name in tracked:
        path = ROOT / name
        if not name.endswith(TEXT) and name != "Makefile" or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in MARKER.finditer(text):
            if match.group(1).startswith("=") and not ("<<<<<<< " in text):
                continue  # a lone row of '=' is reStructuredText, not a conflict
            found.append(f"{name}:{text.count(chr(10), 0, match.start()) + 1}")
    assert not found, "conflict markers: " + ", ".join(found)
