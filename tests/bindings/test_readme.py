"""The README's example runs as written."""

from __future__ import annotations

import re

from ..conftest import ROOT


def test_readme_example_runs() -> None:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Example\n\n```python\n(.*?)```", text, re.S)
    assert block
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    assert namespace["req"].charging_station.vendor_name == "VendorX"  # type: ignore[attr-defined]
