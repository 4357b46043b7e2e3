"""The block finder behind the docs test: which blocks are Python, which are fragments, which line."""

from __future__ import annotations

from pathlib import Path

from .codeblocks import markdown_files, python_blocks

SAMPLE = """# Title

```python
print("complete")
```

<!-- fragment -->
```python
await peer.reset(req)
```

<!-- fragment: needs a running CSMS -->

```py
x = 1
```

A paragraph between the marker and the block ends the marker's reach.
<!-- fragment -->

Text.

```python title="example.py"
print("complete again")
```

```sh
make test
```

- a list item with an indented block:

  ```python
  if True:
      print("indented")
  ```

~~~python
print("tilde fence")
~~~
"""


def test_python_blocks_lines_and_fragments(tmp_path: Path) -> None:
    path = tmp_path / "sample.md"
    path.write_text(SAMPLE)
    blocks = python_blocks(path)
    assert [(b.line, b.fragment) for b in blocks] == [
        (4, False),
        (9, True),
        (15, True),
        (24, False),
        (34, False),
        (39, False),
    ]
    assert blocks[0].code == 'print("complete")\n'
    assert blocks[4].code == 'if True:\n    print("indented")\n'
    assert blocks[0].where(tmp_path) == "sample.md:4"


def test_markdown_files_skip_hidden_and_build_folders(tmp_path: Path) -> None:
    for name in ("README.md", "docs/a.md", ".venv/lib/x.md", "site/index.md", "pkg.egg-info/b.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in markdown_files(tmp_path)] == ["README.md", "docs/a.md"]
