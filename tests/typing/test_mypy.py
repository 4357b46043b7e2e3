"""mypy --strict is clean on the generated package, a usage sample and the generator, and catches misuse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import GENERATED, ROOT

HERE = Path(__file__).parent


def run_mypy(*targets: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), "--no-error-summary", *map(str, targets)],
        cwd=ROOT,
        # editable installs use an import hook mypy does not follow: point it at the source tree
        env={**os.environ, "MYPYPATH": str(GENERATED)},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


def test_package_and_usage_sample_are_strict_clean(cache: Path) -> None:
    samples = (HERE / "usage_sample.py", HERE / "usage_sample_v16.py", HERE / "usage_sample_v21.py")
    targets = (GENERATED / "ocppwire", ROOT / "examples" / "vendor" / "acme_ocpp", *samples)
    result = run_mypy(*targets, ROOT / "generator", cache=cache)
    assert result.returncode == 0, result.stdout + result.stderr


def test_misuse_is_reported(cache: Path) -> None:
    result = run_mypy(HERE / "bad_usage.py", cache=cache)
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    flagged = {int(line.split(":")[1]) for line in errors}
    expected = {i + 1 for i, line in enumerate((HERE / "bad_usage.py").read_text().splitlines()) if "# E:" in line}
    assert expected <= flagged, result.stdout
