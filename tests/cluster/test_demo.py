"""`make run-cluster`'s demo works end to end: nats-server, three node processes, routed calls, a kill."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cluster_demo_exits_zero() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "cluster_demo.py")], capture_output=True, text=True, timeout=90, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cluster demo OK" in result.stdout
    assert "10/10 calls to its stations failed at once" in result.stdout
