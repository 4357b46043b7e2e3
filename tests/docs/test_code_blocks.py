"""Every Python block in README.md and docs/ runs as written; fragments at least compile.

A complete program runs in its own interpreter (this venv's), from an empty temporary folder, with a
timeout: it must exit 0 by itself, so servers listen on port 0 and stop when the program ends. A failure
names the file and the line of the block (``docs/runtime.md:17``) and shows the program's output.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT
from .codeblocks import CodeBlock, markdown_files, python_blocks

TIMEOUT = 60

BLOCKS = [block for path in markdown_files(ROOT) for block in python_blocks(path)]


def _id(block: CodeBlock) -> str:
    return block.where(ROOT) + (" (fragment)" if block.fragment else "")


def test_the_docs_have_python_blocks() -> None:
    assert len([b for b in BLOCKS if not b.fragment]) >= 8, [_id(b) for b in BLOCKS]


@pytest.mark.parametrize("block", BLOCKS, ids=_id)
def test_block_compiles(block: CodeBlock) -> None:
    # the line offset makes a SyntaxError point at the Markdown file's own line
    source = "\n" * (block.line - 1) + block.code
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if block.fragment else 0  # a fragment may be an excerpt of a coroutine
    try:
        compile(source, block.where(ROOT), "exec", flags=flags)
    except SyntaxError as exc:
        pytest.fail(f"{block.where(ROOT)}: block does not compile: {exc}")


@pytest.mark.parametrize("block", [b for b in BLOCKS if not b.fragment], ids=_id)
def test_block_runs(block: CodeBlock, tmp_path: Path) -> None:
    # Padding with blank lines makes tracebacks show the Markdown file's line numbers.
    script = tmp_path / "block.py"
    script.write_text("\n" * (block.line - 1) + block.code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    try:
        result = subprocess.run(
            [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(
            f"{block.where(ROOT)}: block did not finish within {TIMEOUT} s (a server that never stops?)\n"
            f"{exc.stdout or ''}{exc.stderr or ''}"
        )
    output = (result.stdout + result.stderr).replace(str(script), str(block.path.relative_to(ROOT)))
    assert result.returncode == 0, f"{block.where(ROOT)}: block exited with {result.returncode}\n{output}"
