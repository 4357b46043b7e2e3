"""The DeviceModel wiring sample type-checks under mypy --strict (mixin over the station-stub shape)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..conftest import GENERATED, ROOT


def test_wiring_sample_is_strict_clean(tmp_path: Path) -> None:
    sample = Path(__file__).with_name("devicemodel_usage.py")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), "--no-error-summary", str(sample)],
        cwd=ROOT,
        env={**os.environ, "MYPYPATH": str(GENERATED)},  # mypy does not follow editable-install hooks
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
