"""`make run`'s demo works end to end (a CSMS and three simulated stations over real sockets)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_exits_zero_with_a_summary_table() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "demo OK" in result.stdout
    for identity in ("CS001", "CS002", "CS003"):
        assert identity in result.stdout
    assert "CP16 (ocpp1.6): boot Accepted" in result.stdout  # one endpoint, three OCPP versions
    assert "CS21 (ocpp2.1): boot Accepted" in result.stdout
